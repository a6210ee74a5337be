//! A minimal host over wasmi: the module instantiated with no imports, and each ABI function
//! as a Rust method.

use wasmi::{Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

pub struct Host {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
}

impl Host {
    /// Instantiates `bytes` with an empty linker: a module that imported anything would fail here.
    pub fn new(bytes: &[u8]) -> Self {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes).expect("wasmi accepts the module");
        assert_eq!(module.imports().count(), 0, "the module imports nothing");
        let mut store = Store::new(&engine, ());
        let linker = Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).expect("instantiate");
        let memory = instance.get_memory(&store, "memory").expect("memory export");
        Host { store, instance, memory }
    }

    fn func<P: wasmi::WasmParams, R: wasmi::WasmResults>(&self, name: &str) -> TypedFunc<P, R> {
        self.instance.get_typed_func::<P, R>(&self.store, name).unwrap_or_else(|e| panic!("export {name}: {e}"))
    }

    pub fn call0_i32(&mut self, name: &str) -> i32 {
        let f = self.func::<(), i32>(name);
        f.call(&mut self.store, ()).expect(name)
    }

    pub fn call0_i64(&mut self, name: &str) -> i64 {
        let f = self.func::<(), i64>(name);
        f.call(&mut self.store, ()).expect(name)
    }

    /// The bytes a packed `(ptr << 32) | len` names; `None` for 0.
    pub fn bytes(&self, packed: i64) -> Option<Vec<u8>> {
        if packed == 0 {
            return None;
        }
        let packed = packed as u64;
        let (ptr, len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        Some(self.memory.data(&self.store)[ptr..ptr + len].to_vec())
    }

    pub fn text(&self, packed: i64) -> Option<String> {
        self.bytes(packed).map(|b| String::from_utf8(b).expect("UTF-8"))
    }

    pub fn string0(&mut self, name: &str) -> String {
        let packed = self.call0_i64(name);
        self.text(packed).unwrap_or_else(|| panic!("{name}() is absent"))
    }

    /// The query buffer's address and capacity.
    pub fn query_buffer(&mut self) -> (usize, usize) {
        let packed = self.call0_i64("query") as u64;
        ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize)
    }

    /// Writes `query` into the buffer (as much as fits) and returns the length to pass.
    pub fn write_query(&mut self, query: &[u8]) -> i32 {
        let (ptr, cap) = self.query_buffer();
        let n = query.len().min(cap);
        self.memory.data_mut(&mut self.store)[ptr..ptr + n].copy_from_slice(&query[..n]);
        i32::try_from(query.len()).expect("length")
    }

    pub fn lookup(&mut self, pointer: &str) -> i32 {
        let len = self.write_query(pointer.as_bytes());
        self.func::<i32, i32>("lookup").call(&mut self.store, len).expect("lookup")
    }

    pub fn lookup_len(&mut self, len: i32) -> i32 {
        self.func::<i32, i32>("lookup").call(&mut self.store, len).expect("lookup")
    }

    pub fn kind(&mut self, h: i32) -> i32 {
        self.func::<i32, i32>("kind").call(&mut self.store, h).expect("kind")
    }

    pub fn count(&mut self, h: i32) -> i32 {
        self.func::<i32, i32>("count").call(&mut self.store, h).expect("count")
    }

    pub fn child(&mut self, h: i32, i: i32) -> i32 {
        self.func::<(i32, i32), i32>("child").call(&mut self.store, (h, i)).expect("child")
    }

    pub fn child_key(&mut self, h: i32, i: i32) -> Option<String> {
        let packed = self.func::<(i32, i32), i64>("child_key").call(&mut self.store, (h, i)).expect("child_key");
        self.text(packed)
    }

    pub fn as_i64(&mut self, h: i32) -> Result<i64, wasmi::Error> {
        self.func::<i32, i64>("as_i64").call(&mut self.store, h)
    }

    pub fn as_f64(&mut self, h: i32) -> Result<f64, wasmi::Error> {
        self.func::<i32, f64>("as_f64").call(&mut self.store, h)
    }

    pub fn as_str(&mut self, h: i32) -> Result<Option<String>, wasmi::Error> {
        let packed = self.func::<i32, i64>("as_str").call(&mut self.store, h)?;
        Ok(self.text(packed))
    }

    pub fn section_hash(&mut self, id: &str) -> Option<String> {
        let len = self.write_query(id.as_bytes());
        let packed = self.func::<i32, i64>("section_hash").call(&mut self.store, len).expect("section_hash");
        self.text(packed)
    }

    pub fn loot_pick(&mut self, table: &str, roll: u64) -> Option<String> {
        let len = self.write_query(table.as_bytes());
        let packed =
            self.func::<(i32, i64), i64>("loot_pick").call(&mut self.store, (len, roll as i64)).expect("loot_pick");
        self.text(packed)
    }
}
