//! One `--emit wasm` ruleset module, loaded in a Wasm runtime ([`crate::runtime`]: wasmi, or
//! wasmtime with `--features wasmtime`) and proven before anything reads it (the ABI is SPEC.md's
//! "The WebAssembly module", name for name).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::runtime::{timed, Blob, Instance};
pub use crate::runtime::{Engine, Runtime};

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

/// The engine of the default runtime ([`Runtime::DEFAULT`]: wasmtime when built in, else wasmi),
/// shared by every module the sidecar loads: fuel metering on.
///
/// # Errors
///
/// The runtime refuses its configuration (wasmtime checks it against the host).
pub fn engine() -> Result<Engine, String> {
    Engine::new(Runtime::DEFAULT)
}

/// Where one load's time went (what the benchmark reports per stage of a swap).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stages {
    /// Parsing, validating and compiling the module (wasmi translates to its bytecode; wasmtime
    /// compiles to machine code).
    pub compile: Duration,
    /// Instantiating it: its memory, with the data segments (the ruleset) copied or mapped in.
    pub instantiate: Duration,
    /// The proof's SHA-256 of the canonical bytes, read in place from the module's memory.
    pub hash: Duration,
    /// Everything else: the proof's other calls, the exports, the digest and version checks.
    pub rest: Duration,
}

/// A proven module: its version and digest, and the instance that answers lookups.
pub struct Ruleset {
    version: String,
    digest: String,
    /// Which load this is, so a [`Prepared`] value is never read in another module (a handle
    /// means nothing outside the module that gave it).
    id: u64,
    live: Mutex<Live>,
}

/// The load count, for [`Ruleset`]'s `id`.
static LOADS: AtomicU64 = AtomicU64::new(0);

/// A pointer resolved once in one module ([`Ruleset::prepare`]): its node's handle and kind,
/// so that each [`Ruleset::read`] is one call into the module instead of three. Valid for the
/// module that prepared it only: after a swap, prepare again on the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    module: u64,
    handle: i32,
    kind: i32,
}

/// The instance, in whichever runtime, and its query buffer.
struct Live {
    instance: Box<dyn Instance>,
    query: (u32, u32),
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
        Ruleset::load_staged(engine, wasm, limits, expected).map(|(ruleset, _)| ruleset)
    }

    /// [`Ruleset::load`], and where its time went.
    ///
    /// # Errors
    ///
    /// As [`Ruleset::load`].
    pub fn load_staged(
        engine: &Engine,
        wasm: &[u8],
        limits: Limits,
        expected: Option<&str>,
    ) -> Result<(Ruleset, Stages), String> {
        let start = Instant::now();
        let mut stages = Stages::default();
        let ruleset =
            Ruleset::prove(engine, wasm, limits, expected, &mut stages).map_err(|reason| one_line(&reason))?;
        stages.rest = start.elapsed().saturating_sub(stages.compile + stages.instantiate + stages.hash);
        Ok((ruleset, stages))
    }

    fn prove(
        engine: &Engine,
        wasm: &[u8],
        limits: Limits,
        expected: Option<&str>,
        stages: &mut Stages,
    ) -> Result<Ruleset, String> {
        let mut instance = engine.instantiate(wasm, limits, stages)?;
        let mut call = |which: Blob| instance.blob(which).map_err(|e| format!("{}() failed: {e}", which.name()));
        let (canonical, digest, version) = (call(Blob::Canonical)?, call(Blob::Digest)?, call(Blob::Version)?);
        let query = call(Blob::Query)?;
        let memory = instance.memory();
        let within =
            |packed: i64| unpack(packed).filter(|&(ptr, len)| memory.len() as u64 >= u64::from(ptr) + u64::from(len));
        let absent = |which: Blob| format!("{}() is absent", which.name());
        let canonical = within(canonical).ok_or_else(|| absent(Blob::Canonical))?;
        let digest = within(digest).ok_or_else(|| absent(Blob::Digest))?;
        let version = within(version).ok_or_else(|| absent(Blob::Version))?;
        let query = within(query).ok_or("query() is not a buffer in its memory")?;
        let digest = text(slice(memory, digest), "digest")?;
        let version = text(slice(memory, version), "version")?;
        if version.is_empty() || version.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("its version {version:?} is not one word"));
        }
        // Hashed where it lies: no copy of the canonical bytes (3.3 MB at 10,000 regions).
        let hash = timed(&mut stages.hash, || Sha256::digest(slice(memory, canonical)));
        let actual = format!("sha256:{}", hex(&hash));
        if actual != digest {
            return Err(format!("canonical() hashes to {actual}, but digest() says {digest}"));
        }
        if let Some(expected) = expected {
            if expected != digest {
                return Err(format!("it holds {version} {digest}, but RULESET_DIGEST expects {expected}"));
            }
        }
        let id = LOADS.fetch_add(1, Ordering::Relaxed);
        Ok(Ruleset { version, digest, id, live: Mutex::new(Live { instance, query }) })
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
        let mut live = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let len = live.write_query(pointer.as_bytes())?;
        let module = &mut live.instance;
        // Three calls, the fewest the ABI allows: the pointer walk, the node's kind, its value.
        let handle = module.lookup(len).map_err(trap)?;
        if handle < 0 {
            return Err(format!("no value at {pointer}"));
        }
        let kind = module.kind(handle).map_err(trap)?;
        scalar(module.as_mut(), handle, kind, pointer)
    }

    /// Resolves `pointer` once (the pointer walk and the node's kind), for [`Ruleset::read`]
    /// to read its value with one call each time. A value in a module never changes, so what is
    /// prepared stays right for this module's life; a swap brings a new module to prepare on.
    ///
    /// # Errors
    ///
    /// As [`Ruleset::get`]: no such node, an array or object, a query over the buffer, a trap.
    pub fn prepare(&self, pointer: &str) -> Result<Prepared, String> {
        let mut live = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let len = live.write_query(pointer.as_bytes())?;
        let module = &mut live.instance;
        let handle = module.lookup(len).map_err(trap)?;
        if handle < 0 {
            return Err(format!("no value at {pointer}"));
        }
        match module.kind(handle).map_err(trap)? {
            5 => Err(format!("{pointer} is an array, not a value")),
            6 => Err(format!("{pointer} is an object, not a value")),
            kind @ 0..=4 => Ok(Prepared { module: self.id, handle, kind }),
            other => Err(format!("kind() returned {other}")),
        }
    }

    /// The value `prepared` names: one call into the module (none for a null).
    ///
    /// # Errors
    ///
    /// `prepared` came from another module (prepare again after a swap), or a trap.
    pub fn read(&self, prepared: &Prepared) -> Result<Scalar, String> {
        if prepared.module != self.id {
            return Err(format!("prepared in another module than {} {}: prepare again", self.version, self.digest));
        }
        let mut live = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        scalar(live.instance.as_mut(), prepared.handle, prepared.kind, "the prepared pointer")
    }

    /// The item `roll` picks from loot table `table`.
    ///
    /// # Errors
    ///
    /// No such table, a name over the buffer, or a trap.
    pub fn pick(&self, table: &str, roll: u64) -> Result<String, String> {
        let mut live = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let len = live.write_query(table.as_bytes())?;
        let packed = live.instance.loot_pick(len, roll as i64).map_err(trap)?;
        let bytes = read(live.instance.memory(), packed).ok_or_else(|| format!("no loot table {table}"))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "loot_pick() is not UTF-8".to_string())
    }

    /// The Merkle leaf hash of one section (`spawn_config/frost_peaks`).
    ///
    /// # Errors
    ///
    /// No such section, an id over the buffer, or a trap.
    pub fn section_hash(&self, section: &str) -> Result<String, String> {
        let mut live = self.live.lock().map_err(|_| "the module's lock is poisoned".to_string())?;
        let len = live.write_query(section.as_bytes())?;
        let packed = live.instance.section_hash(len).map_err(trap)?;
        let bytes = read(live.instance.memory(), packed).ok_or_else(|| format!("no section {section}"))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "section_hash() is not UTF-8".to_string())
    }
}

impl Live {
    /// Copies a query into the module's buffer, once per request (the key is not written again
    /// for the calls that follow).
    fn write_query(&mut self, bytes: &[u8]) -> Result<i32, String> {
        let (ptr, capacity) = self.query;
        if bytes.len() > capacity as usize {
            return Err(format!("the query is {} bytes; the module takes {capacity}", bytes.len()));
        }
        self.instance.write(ptr as usize, bytes).map_err(|e| format!("cannot write the query: {e}"))?;
        Ok(bytes.len() as i32)
    }
}

/// The scalar at `handle`, whose kind is `kind`: one `as_*` call (none for a null).
fn scalar(module: &mut dyn Instance, handle: i32, kind: i32, pointer: &str) -> Result<Scalar, String> {
    Ok(match kind {
        0 => Scalar::Null,
        1 => Scalar::Bool(module.as_i64(handle).map_err(trap)? != 0),
        2 => Scalar::Integer(module.as_i64(handle).map_err(trap)?),
        3 => Scalar::Float(module.as_f64(handle).map_err(trap)?),
        4 => {
            let packed = module.as_str(handle).map_err(trap)?;
            let bytes = read(module.memory(), packed).ok_or("as_str() is absent")?;
            Scalar::String(String::from_utf8(bytes.to_vec()).map_err(|_| "as_str() is not UTF-8")?)
        }
        5 => return Err(format!("{pointer} is an array, not a value")),
        6 => return Err(format!("{pointer} is an object, not a value")),
        other => return Err(format!("kind() returned {other}")),
    })
}

/// The message of a failed call, e.g. running out of fuel.
fn trap(error: String) -> String {
    one_line(&format!("the module trapped: {error}"))
}

/// One module's ABI speaks ours, or the reason it is refused.
pub(crate) fn speaks(abi: i32) -> Result<(), String> {
    if abi == ABI {
        Ok(())
    } else {
        Err(format!("it speaks ABI {abi}; this sidecar speaks ABI {ABI}"))
    }
}

/// A runtime's messages may span lines (a bad magic number lists bytes); a log line and an answer
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

/// The bytes of a pair already checked to lie inside `memory`.
fn slice(memory: &[u8], (ptr, len): (u32, u32)) -> &[u8] {
    memory.get(ptr as usize..ptr as usize + len as usize).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(bytes: &[u8], name: &str) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{name}() is not UTF-8"))
}
