//! The Wasm runtimes the serve mode can run a module in, behind one small trait: wasmi (an
//! interpreter, always built) and wasmtime (a JIT, `--features wasmtime`). Everything else (the
//! proof, the lookups, the swap, the line protocol) is written once, in [`crate::module`],
//! against [`Instance`].

mod wasmi;
#[cfg(feature = "wasmtime")]
mod wasmtime;

use std::time::Instant;

use crate::module::{Limits, Stages};

/// Which Wasm runtime runs the modules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// wasmi, an interpreter: a small, quick build.
    Wasmi,
    /// wasmtime with cranelift, a JIT: fast lookups, a long build.
    #[cfg(feature = "wasmtime")]
    Wasmtime,
}

impl Runtime {
    /// Every runtime this build has.
    pub const ALL: &'static [Runtime] = &[
        Runtime::Wasmi,
        #[cfg(feature = "wasmtime")]
        Runtime::Wasmtime,
    ];

    /// wasmtime when it is built in, else wasmi.
    #[cfg(feature = "wasmtime")]
    pub const DEFAULT: Runtime = Runtime::Wasmtime;
    /// wasmtime when it is built in, else wasmi.
    #[cfg(not(feature = "wasmtime"))]
    pub const DEFAULT: Runtime = Runtime::Wasmi;

    /// `wasmi` or `wasmtime`.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Wasmi => "wasmi",
            #[cfg(feature = "wasmtime")]
            Runtime::Wasmtime => "wasmtime",
        }
    }

    /// The runtime called `name` (`RULESET_RUNTIME`).
    ///
    /// # Errors
    ///
    /// An unknown name, or wasmtime in a build without it.
    pub fn named(name: &str) -> Result<Runtime, String> {
        if let Some(runtime) = Runtime::ALL.iter().find(|r| r.name() == name) {
            return Ok(*runtime);
        }
        let built: Vec<&str> = Runtime::ALL.iter().map(|r| r.name()).collect();
        let hint = if name == "wasmtime" { " (build with `--features wasmtime`)" } else { "" };
        Err(format!("no Wasm runtime {name:?} in this build{hint}; it has: {}", built.join(", ")))
    }
}

/// A runtime's engine, shared by every module the sidecar loads: fuel metering on.
#[derive(Clone)]
pub enum Engine {
    Wasmi(::wasmi::Engine),
    #[cfg(feature = "wasmtime")]
    Wasmtime(::wasmtime::Engine),
}

impl Engine {
    /// The engine of `runtime`, with fuel metering on.
    ///
    /// # Errors
    ///
    /// The runtime refuses its configuration (wasmtime checks it against the host).
    pub fn new(runtime: Runtime) -> Result<Engine, String> {
        match runtime {
            Runtime::Wasmi => Ok(Engine::Wasmi(wasmi::engine())),
            #[cfg(feature = "wasmtime")]
            Runtime::Wasmtime => wasmtime::engine().map(Engine::Wasmtime),
        }
    }

    pub fn runtime(&self) -> Runtime {
        match self {
            Engine::Wasmi(_) => Runtime::Wasmi,
            #[cfg(feature = "wasmtime")]
            Engine::Wasmtime(_) => Runtime::Wasmtime,
        }
    }

    /// Compiles (which validates) and instantiates `wasm` with no imports, its memory limited
    /// and its exports resolved; the proof is the caller's. `stages` gets the time of each step.
    pub(crate) fn instantiate(
        &self,
        wasm: &[u8],
        limits: Limits,
        stages: &mut Stages,
    ) -> Result<Box<dyn Instance>, String> {
        match self {
            Engine::Wasmi(engine) => Ok(Box::new(wasmi::Live::new(engine, wasm, limits, stages)?)),
            #[cfg(feature = "wasmtime")]
            Engine::Wasmtime(engine) => Ok(Box::new(wasmtime::Live::new(engine, wasm, limits, stages)?)),
        }
    }
}

/// The exports `() -> i64` the proof calls.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Blob {
    Canonical,
    Digest,
    Version,
    Query,
}

impl Blob {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Blob::Canonical => "canonical",
            Blob::Digest => "digest",
            Blob::Version => "version",
            Blob::Query => "query",
        }
    }
}

/// One instantiated module: SPEC.md's ABI, one method an export, each call with a full tank of
/// fuel (the limits given at instantiation). Errors are the runtime's message (a trap, no fuel).
pub(crate) trait Instance: Send {
    /// The module's linear memory as it is now.
    fn memory(&self) -> &[u8];
    /// Copies `bytes` into the memory at `offset`.
    fn write(&mut self, offset: usize, bytes: &[u8]) -> Result<(), String>;
    fn blob(&mut self, which: Blob) -> Result<i64, String>;
    fn lookup(&mut self, len: i32) -> Result<i32, String>;
    fn kind(&mut self, handle: i32) -> Result<i32, String>;
    fn as_i64(&mut self, handle: i32) -> Result<i64, String>;
    fn as_f64(&mut self, handle: i32) -> Result<f64, String>;
    fn as_str(&mut self, handle: i32) -> Result<i64, String>;
    fn section_hash(&mut self, len: i32) -> Result<i64, String>;
    fn loot_pick(&mut self, len: i32, roll: i64) -> Result<i64, String>;
}

/// Runs `step` and adds its time to `slot`.
pub(crate) fn timed<T>(slot: &mut std::time::Duration, step: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = step();
    *slot += start.elapsed();
    out
}
