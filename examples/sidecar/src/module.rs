//! One `--emit wasm` ruleset module, loaded in wasmi and proven before anything reads it
//! (the ABI is SPEC.md's "The WebAssembly module", name for name).

use std::sync::Mutex;

use wasmi::{Config, Engine, Instance, Linker, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TypedFunc};

use sha2::{Digest, Sha256};

/// The ABI this host speaks (`rulesctl_abi()`).
pub const ABI: i32 = 1;

/// What one call into a module may use. Every call (proving included) starts with a full tank.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Fuel per call: about one unit per instruction. A lookup in a 10,000-region ruleset needs
    /// far less; a module that loops forever traps instead of hanging the sidecar.
    pub fuel: u64,
    /// The most linear memory a module may have or grow to, in bytes.
    pub memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 10_000_000, memory: 64 << 20 }
    }
}

/// A runtime shared by every module the sidecar loads: fuel metering on.
pub fn engine() -> Engine {
    let mut config = Config::default();
    config.consume_fuel(true);
    Engine::new(&config)
}

/// A proven module: its version and digest, and the instance that answers lookups.
pub struct Ruleset {
    version: String,
    digest: String,
    limits: Limits,
    live: Mutex<Live>,
}

/// The instance, its store (which a call borrows mutably) and its typed exports.
struct Live {
    store: Store<StoreLimits>,
    memory: Memory,
    query: (u32, u32),
    lookup: TypedFunc<i32, i32>,
    kind: TypedFunc<i32, i32>,
    as_i64: TypedFunc<i32, i64>,
    as_f64: TypedFunc<i32, f64>,
    as_str: TypedFunc<i32, i64>,
    section_hash: TypedFunc<i32, i64>,
    loot_pick: TypedFunc<(i32, i64), i64>,
}

/// A JSON scalar read out of the module.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
}

impl std::fmt::Display for Scalar {
    /// As JSON writes it, so a value reads the same as in the artifact.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Integer(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x:?}"),
            Scalar::String(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

impl Ruleset {
    /// Compiles, instantiates and proves `wasm`: ABI 1, the SHA-256 of `canonical()` equal to
    /// `digest()`, and that digest equal to `expected` when given.
    ///
    /// # Errors
    ///
    /// Why the module is refused, as one line: invalid Wasm (truncated, corrupt), an import, a
    /// missing or mistyped export, another ABI, a digest that does not match, a trap, or a limit.
    pub fn load(engine: &Engine, wasm: &[u8], limits: Limits, expected: Option<&str>) -> Result<Ruleset, String> {
        Ruleset::prove(engine, wasm, limits, expected).map_err(|reason| one_line(&reason))
    }

    fn prove(engine: &Engine, wasm: &[u8], limits: Limits, expected: Option<&str>) -> Result<Ruleset, String> {
        let module = Module::new(engine, wasm).map_err(|e| format!("not a valid Wasm module: {e}"))?;
        if let Some(import) = module.imports().next() {
            return Err(format!(
                "it imports {}::{} (a ruleset module imports nothing)",
                import.module(),
                import.name()
            ));
        }
        let mut store = Store::new(engine, StoreLimitsBuilder::new().memory_size(limits.memory).instances(1).build());
        store.limiter(|limits| limits);
        fill(&mut store, limits)?;
        let instance = Linker::new(engine)
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| format!("cannot instantiate it: {e}"))?;
        let memory = instance.get_memory(&store, "memory").ok_or("it exports no `memory`")?;
        let abi: TypedFunc<(), i32> = export(&instance, &store, "rulesctl_abi")?;
        fill(&mut store, limits)?;
        let abi = abi.call(&mut store, ()).map_err(|e| format!("rulesctl_abi() failed: {e}"))?;
        if abi != ABI {
            return Err(format!("it speaks ABI {abi}; this sidecar speaks ABI {ABI}"));
        }
        let blob = |store: &mut Store<StoreLimits>, name: &str| -> Result<Vec<u8>, String> {
            let func: TypedFunc<(), i64> = export(&instance, store, name)?;
            fill(store, limits)?;
            let packed = func.call(&mut *store, ()).map_err(|e| format!("{name}() failed: {e}"))?;
            read(memory.data(&*store), packed).map(<[u8]>::to_vec).ok_or_else(|| format!("{name}() is absent"))
        };
        let canonical = blob(&mut store, "canonical")?;
        let digest = text(blob(&mut store, "digest")?, "digest")?;
        let version = text(blob(&mut store, "version")?, "version")?;
        if version.is_empty() || version.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("its version {version:?} is not one word"));
        }
        let actual = format!("sha256:{}", hex(&Sha256::digest(&canonical)));
        if actual != digest {
            return Err(format!("canonical() hashes to {actual}, but digest() says {digest}"));
        }
        if let Some(expected) = expected {
            if expected != digest {
                return Err(format!("it holds {version} {digest}, but RULESET_DIGEST expects {expected}"));
            }
        }
        let query: TypedFunc<(), i64> = export(&instance, &store, "query")?;
        fill(&mut store, limits)?;
        let packed = query.call(&mut store, ()).map_err(|e| format!("query() failed: {e}"))?;
        let query =
            unpack(packed).filter(|&(ptr, len)| memory.data(&store).len() as u64 >= u64::from(ptr) + u64::from(len));
        let query = query.ok_or("query() is not a buffer in its memory")?;
        let live = Live {
            memory,
            query,
            lookup: export(&instance, &store, "lookup")?,
            kind: export(&instance, &store, "kind")?,
            as_i64: export(&instance, &store, "as_i64")?,
            as_f64: export(&instance, &store, "as_f64")?,
            as_str: export(&instance, &store, "as_str")?,
            section_hash: export(&instance, &store, "section_hash")?,
            loot_pick: export(&instance, &store, "loot_pick")?,
            store,
        };
        Ok(Ruleset { version, digest, limits, live: Mutex::new(live) })
    }

    /// `ruleset_version`, as the module says (proven with its digest).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `sha256:<hex>` of the canonical ruleset.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The scalar at an RFC 6901 JSON Pointer (`/spawn_configs/frost_peaks/base_rate`).
    ///
    /// # Errors
    ///
    /// No such node, a node that is an array or object, a query over the buffer, or a trap.
    pub fn get(&self, pointer: &str) -> Result<Scalar, String> {
        let mut guard = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let live = &mut *guard;
        let len = live.write_query(pointer.as_bytes(), self.limits)?;
        let handle = live.lookup.call(&mut live.store, len).map_err(trap)?;
        if handle < 0 {
            return Err(format!("no value at {pointer}"));
        }
        live.refuel(self.limits)?;
        let kind = live.kind.call(&mut live.store, handle).map_err(trap)?;
        live.refuel(self.limits)?;
        Ok(match kind {
            0 => Scalar::Null,
            1 => Scalar::Bool(live.as_i64.call(&mut live.store, handle).map_err(trap)? != 0),
            2 => Scalar::Integer(live.as_i64.call(&mut live.store, handle).map_err(trap)?),
            3 => Scalar::Float(live.as_f64.call(&mut live.store, handle).map_err(trap)?),
            4 => {
                let packed = live.as_str.call(&mut live.store, handle).map_err(trap)?;
                let bytes = read(live.memory.data(&live.store), packed).ok_or("as_str() is absent")?;
                Scalar::String(String::from_utf8(bytes.to_vec()).map_err(|_| "as_str() is not UTF-8")?)
            }
            5 => return Err(format!("{pointer} is an array, not a value")),
            6 => return Err(format!("{pointer} is an object, not a value")),
            other => return Err(format!("kind() returned {other}")),
        })
    }

    /// The item `roll` picks from loot table `table`.
    ///
    /// # Errors
    ///
    /// No such table, a name over the buffer, or a trap.
    pub fn pick(&self, table: &str, roll: u64) -> Result<String, String> {
        let mut guard = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let live = &mut *guard;
        let len = live.write_query(table.as_bytes(), self.limits)?;
        let packed = live.loot_pick.call(&mut live.store, (len, roll as i64)).map_err(trap)?;
        let bytes = read(live.memory.data(&live.store), packed).ok_or_else(|| format!("no loot table {table}"))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "loot_pick() is not UTF-8".to_string())
    }

    /// The Merkle leaf hash of one section (`spawn_config/frost_peaks`).
    ///
    /// # Errors
    ///
    /// No such section, an id over the buffer, or a trap.
    pub fn section_hash(&self, section: &str) -> Result<String, String> {
        let mut guard = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let live = &mut *guard;
        let len = live.write_query(section.as_bytes(), self.limits)?;
        let packed = live.section_hash.call(&mut live.store, len).map_err(trap)?;
        let bytes = read(live.memory.data(&live.store), packed).ok_or_else(|| format!("no section {section}"))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "section_hash() is not UTF-8".to_string())
    }
}

impl Live {
    /// Copies a query into the module's buffer and fills the tank for the call that reads it.
    fn write_query(&mut self, bytes: &[u8], limits: Limits) -> Result<i32, String> {
        let (ptr, capacity) = self.query;
        if bytes.len() > capacity as usize {
            return Err(format!("the query is {} bytes; the module takes {capacity}", bytes.len()));
        }
        self.memory.write(&mut self.store, ptr as usize, bytes).map_err(|e| format!("cannot write the query: {e}"))?;
        self.refuel(limits)?;
        Ok(bytes.len() as i32)
    }

    fn refuel(&mut self, limits: Limits) -> Result<(), String> {
        fill(&mut self.store, limits)
    }
}

fn fill(store: &mut Store<StoreLimits>, limits: Limits) -> Result<(), String> {
    store.set_fuel(limits.fuel).map_err(|e| format!("cannot set fuel: {e}"))
}

fn export<P: wasmi::WasmParams, R: wasmi::WasmResults>(
    instance: &Instance,
    store: &Store<StoreLimits>,
    name: &str,
) -> Result<TypedFunc<P, R>, String> {
    instance.get_typed_func::<P, R>(store, name).map_err(|e| format!("export `{name}`: {e}"))
}

fn trap(error: wasmi::Error) -> String {
    one_line(&format!("the module trapped: {error}"))
}

/// wasmi's messages may span lines (a bad magic number lists bytes); a log line and an answer
/// may not.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `(ptr << 32) | len`; 0 is absent.
fn unpack(packed: i64) -> Option<(u32, u32)> {
    let packed = packed as u64;
    (packed != 0).then_some(((packed >> 32) as u32, packed as u32))
}

/// The bytes a packed pair names, when it is present and inside `memory`.
fn read(memory: &[u8], packed: i64) -> Option<&[u8]> {
    let (ptr, len) = unpack(packed)?;
    memory.get(ptr as usize..ptr as usize + len as usize)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(bytes: Vec<u8>, name: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| format!("{name}() is not UTF-8"))
}
