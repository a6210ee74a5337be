//! The module in wasmtime with cranelift: a JIT (`--features wasmtime`).
//!
//! The module's code is the same few functions whatever the ruleset's size (the ruleset is data
//! segments), so compiling it costs about the same for the example and for 10,000 regions.

use wasmtime::{
    Config, Engine, Instance as WasmtimeInstance, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TypedFunc,
    WasmParams, WasmResults,
};

use super::{timed, Blob, Instance};
use crate::module::{Limits, Stages};

pub(super) fn engine() -> Result<Engine, String> {
    let mut config = Config::new();
    config.consume_fuel(true);
    // A trap is answered as one line; no backtrace to collect or print.
    config.wasm_backtrace(false);
    // Each module is instantiated once: a copy-on-write image of its memory (made at compile and
    // instantiation, mapped from a memfd) saves nothing then (measured at load 10-11: the
    // 10,000-region swap 28-52 ms without it, median 36; 43-45 ms with it).
    config.memory_init_cow(false);
    Engine::new(&config).map_err(|e| format!("wasmtime refuses its configuration: {e:#}"))
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
            .map_err(|e| format!("not a valid Wasm module: {e:#}"))?;
        if let Some(import) = module.imports().next() {
            return Err(format!(
                "it imports {}::{} (a ruleset module imports nothing)",
                import.module(),
                import.name()
            ));
        }
        let mut store = Store::new(engine, StoreLimitsBuilder::new().memory_size(limits.memory).instances(1).build());
        store.limiter(|limits| limits);
        store.set_fuel(limits.fuel).map_err(|e| format!("cannot set fuel: {e:#}"))?;
        let instance = timed(&mut stages.instantiate, || WasmtimeInstance::new(&mut store, &module, &[]))
            .map_err(|e| format!("cannot instantiate it: {e:#}"))?;
        let memory = instance.get_memory(&mut store, "memory").ok_or("it exports no `memory`")?;
        // The ABI first: a module of another ABI may well lack an export this one needs.
        let rulesctl_abi: TypedFunc<(), i32> = export(&instance, &mut store, "rulesctl_abi")?;
        store.set_fuel(limits.fuel).map_err(|e| format!("cannot set fuel: {e:#}"))?;
        let abi =
            rulesctl_abi.call(&mut store, ()).map_err(|e| format!("rulesctl_abi() failed: {}", e.root_cause()))?;
        crate::module::speaks(abi)?;
        Ok(Live {
            fuel: limits.fuel,
            memory,
            canonical: export(&instance, &mut store, "canonical")?,
            digest: export(&instance, &mut store, "digest")?,
            version: export(&instance, &mut store, "version")?,
            query: export(&instance, &mut store, "query")?,
            lookup: export(&instance, &mut store, "lookup")?,
            kind: export(&instance, &mut store, "kind")?,
            as_i64: export(&instance, &mut store, "as_i64")?,
            as_f64: export(&instance, &mut store, "as_f64")?,
            as_str: export(&instance, &mut store, "as_str")?,
            section_hash: export(&instance, &mut store, "section_hash")?,
            loot_pick: export(&instance, &mut store, "loot_pick")?,
            store,
        })
    }
}

/// Fills the tank, then calls `func`. A trap is named by its cause ("all fuel consumed by
/// WebAssembly"), not by wasmtime's context around it.
fn call<P: WasmParams, R: WasmResults>(
    store: &mut Store<StoreLimits>,
    fuel: u64,
    func: &TypedFunc<P, R>,
    params: P,
) -> Result<R, String> {
    store.set_fuel(fuel).map_err(|e| format!("cannot set fuel: {e:#}"))?;
    func.call(&mut *store, params).map_err(|e| e.root_cause().to_string())
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
            Blob::Canonical => &self.canonical,
            Blob::Digest => &self.digest,
            Blob::Version => &self.version,
            Blob::Query => &self.query,
        };
        call(&mut self.store, self.fuel, func, ())
    }

    fn lookup(&mut self, len: i32) -> Result<i32, String> {
        call(&mut self.store, self.fuel, &self.lookup, len)
    }

    fn kind(&mut self, handle: i32) -> Result<i32, String> {
        call(&mut self.store, self.fuel, &self.kind, handle)
    }

    fn as_i64(&mut self, handle: i32) -> Result<i64, String> {
        call(&mut self.store, self.fuel, &self.as_i64, handle)
    }

    fn as_f64(&mut self, handle: i32) -> Result<f64, String> {
        call(&mut self.store, self.fuel, &self.as_f64, handle)
    }

    fn as_str(&mut self, handle: i32) -> Result<i64, String> {
        call(&mut self.store, self.fuel, &self.as_str, handle)
    }

    fn section_hash(&mut self, len: i32) -> Result<i64, String> {
        call(&mut self.store, self.fuel, &self.section_hash, len)
    }

    fn loot_pick(&mut self, len: i32, roll: i64) -> Result<i64, String> {
        call(&mut self.store, self.fuel, &self.loot_pick, (len, roll))
    }
}

fn export<P: WasmParams, R: WasmResults>(
    instance: &WasmtimeInstance,
    store: &mut Store<StoreLimits>,
    name: &str,
) -> Result<TypedFunc<P, R>, String> {
    instance.get_typed_func::<P, R>(&mut *store, name).map_err(|e| format!("export `{name}`: {e:#}"))
}
