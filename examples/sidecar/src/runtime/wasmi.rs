//! The module in wasmi: an interpreter, the default runtime (a quick build).

use wasmi::{
    Config, Engine, Instance as WasmiInstance, Linker, Memory, Module, Store, StoreLimits, StoreLimitsBuilder,
    TypedFunc, WasmParams, WasmResults,
};

use super::{timed, Blob, Instance};
use crate::module::{Limits, Stages};

pub(super) fn engine() -> Engine {
    let mut config = Config::default();
    config.consume_fuel(true);
    Engine::new(&config)
}

/// The instance, its store (which a call borrows mutably) and its typed exports, looked up once.
pub(super) struct Live {
    store: Store<StoreLimits>,
    fuel: u64,
    memory: Memory,
    canonical: TypedFunc<(), i64>,
    digest: TypedFunc<(), i64>,
    version: TypedFunc<(), i64>,
    query: TypedFunc<(), i64>,
    lookup: TypedFunc<i32, i32>,
    kind: TypedFunc<i32, i32>,
    as_i64: TypedFunc<i32, i64>,
    as_f64: TypedFunc<i32, f64>,
    as_str: TypedFunc<i32, i64>,
    section_hash: TypedFunc<i32, i64>,
    loot_pick: TypedFunc<(i32, i64), i64>,
}

impl Live {
    pub(super) fn new(engine: &Engine, wasm: &[u8], limits: Limits, stages: &mut Stages) -> Result<Live, String> {
        let module = timed(&mut stages.compile, || Module::new(engine, wasm))
            .map_err(|e| format!("not a valid Wasm module: {e}"))?;
        if let Some(import) = module.imports().next() {
            return Err(format!(
                "it imports {}::{} (a ruleset module imports nothing)",
                import.module(),
                import.name()
            ));
        }
        let mut store = Store::new(engine, StoreLimitsBuilder::new().memory_size(limits.memory).instances(1).build());
        store.limiter(|limits| limits);
        store.set_fuel(limits.fuel).map_err(|e| format!("cannot set fuel: {e}"))?;
        let instance =
            timed(&mut stages.instantiate, || Linker::new(engine).instantiate_and_start(&mut store, &module))
                .map_err(|e| format!("cannot instantiate it: {e}"))?;
        let memory = instance.get_memory(&store, "memory").ok_or("it exports no `memory`")?;
        // The ABI first: a module of another ABI may well lack an export this one needs.
        let rulesctl_abi: TypedFunc<(), i32> = export(&instance, &store, "rulesctl_abi")?;
        store.set_fuel(limits.fuel).map_err(|e| format!("cannot set fuel: {e}"))?;
        let abi = rulesctl_abi.call(&mut store, ()).map_err(|e| format!("rulesctl_abi() failed: {e}"))?;
        crate::module::speaks(abi)?;
        Ok(Live {
            fuel: limits.fuel,
            memory,
            canonical: export(&instance, &store, "canonical")?,
            digest: export(&instance, &store, "digest")?,
            version: export(&instance, &store, "version")?,
            query: export(&instance, &store, "query")?,
            lookup: export(&instance, &store, "lookup")?,
            kind: export(&instance, &store, "kind")?,
            as_i64: export(&instance, &store, "as_i64")?,
            as_f64: export(&instance, &store, "as_f64")?,
            as_str: export(&instance, &store, "as_str")?,
            section_hash: export(&instance, &store, "section_hash")?,
            loot_pick: export(&instance, &store, "loot_pick")?,
            store,
        })
    }

    /// Fills the tank, then calls `func`.
    fn call<P: WasmParams, R: WasmResults>(&mut self, func: TypedFunc<P, R>, params: P) -> Result<R, String> {
        self.store.set_fuel(self.fuel).map_err(|e| format!("cannot set fuel: {e}"))?;
        func.call(&mut self.store, params).map_err(|e| e.to_string())
    }
}

impl Instance for Live {
    fn memory(&self) -> &[u8] {
        self.memory.data(&self.store)
    }

    fn write(&mut self, offset: usize, bytes: &[u8]) -> Result<(), String> {
        self.memory.write(&mut self.store, offset, bytes).map_err(|e| e.to_string())
    }

    fn blob(&mut self, which: Blob) -> Result<i64, String> {
        let func = match which {
            Blob::Canonical => self.canonical,
            Blob::Digest => self.digest,
            Blob::Version => self.version,
            Blob::Query => self.query,
        };
        self.call(func, ())
    }

    fn lookup(&mut self, len: i32) -> Result<i32, String> {
        self.call(self.lookup, len)
    }

    fn kind(&mut self, handle: i32) -> Result<i32, String> {
        self.call(self.kind, handle)
    }

    fn as_i64(&mut self, handle: i32) -> Result<i64, String> {
        self.call(self.as_i64, handle)
    }

    fn as_f64(&mut self, handle: i32) -> Result<f64, String> {
        self.call(self.as_f64, handle)
    }

    fn as_str(&mut self, handle: i32) -> Result<i64, String> {
        self.call(self.as_str, handle)
    }

    fn section_hash(&mut self, len: i32) -> Result<i64, String> {
        self.call(self.section_hash, len)
    }

    fn loot_pick(&mut self, len: i32, roll: i64) -> Result<i64, String> {
        self.call(self.loot_pick, (len, roll))
    }
}

fn export<P: WasmParams, R: WasmResults>(
    instance: &WasmiInstance,
    store: &Store<StoreLimits>,
    name: &str,
) -> Result<TypedFunc<P, R>, String> {
    instance.get_typed_func::<P, R>(store, name).map_err(|e| format!("export `{name}`: {e}"))
}
