//! Modules written by hand that implement the ABI just enough to prove and answer one value, and
//! their broken variants: what the tests load until (and besides) real `--emit wasm` modules.

#![allow(dead_code)]

use ruleset_sidecar::sha256;

/// A module that answers every `get` with `value` and every `pick` with `gold_coin`.
#[derive(Clone, Debug)]
pub struct Fake {
    pub version: String,
    pub value: i64,
    pub abi: i32,
    /// `digest()` says something other than the hash of `canonical()`.
    pub lies: bool,
    /// The initial memory, in 64 KiB pages.
    pub pages: u32,
    /// `lookup` loops forever (the fuel limit must stop it).
    pub spins: bool,
    /// `lookup` grows the memory by this many pages first (the memory limit must refuse it).
    pub grows: u32,
    /// It imports a host function (a ruleset module imports nothing).
    pub imports: bool,
    /// The canonical bytes, when not the tiny default (the benchmark's large ruleset).
    pub blob: Option<String>,
}

pub fn fake(version: &str, value: i64) -> Fake {
    Fake {
        version: version.into(),
        value,
        abi: 1,
        lies: false,
        pages: 1,
        spins: false,
        grows: 0,
        imports: false,
        blob: None,
    }
}

impl Fake {
    pub fn canonical(&self) -> String {
        if let Some(blob) = &self.blob {
            return blob.clone();
        }
        format!(
            r#"{{"ruleset_version":"{}","spawn_configs":{{"frost_peaks":{{"base_rate":{}}}}}}}"#,
            self.version, self.value
        )
    }

    pub fn digest(&self) -> String {
        let hash = sha256::hex(&sha256::digest(self.canonical().as_bytes()));
        let mut digest = format!("sha256:{}", String::from_utf8_lossy(&hash));
        if self.lies {
            digest.replace_range(7..8, if digest.as_bytes()[7] == b'0' { "1" } else { "0" });
        }
        digest
    }

    pub fn wasm(&self) -> Vec<u8> {
        let mut data = String::new();
        let mut at = 4096u64;
        let mut place = |bytes: &[u8]| {
            let packed = (at << 32) | bytes.len() as u64;
            let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
            data.push_str(&format!("  (data (i32.const {at}) \"{escaped}\")\n"));
            at += bytes.len() as u64;
            packed as i64
        };
        let canonical = place(self.canonical().as_bytes());
        let digest = place(self.digest().as_bytes());
        let version = place(self.version.as_bytes());
        let item = place(b"gold_coin");
        let import = if self.imports { "  (import \"env\" \"clock\" (func (result i64)))\n" } else { "" };
        let spin = if self.spins { "(loop $forever (br $forever))" } else { "" };
        let grow =
            if self.grows > 0 { format!("(drop (memory.grow (i32.const {})))", self.grows) } else { String::new() };
        let wat = format!(
            r#"(module
{import}  (memory (export "memory") {pages})
{data}  (func (export "rulesctl_abi") (result i32) (i32.const {abi}))
  (func (export "canonical") (result i64) (i64.const {canonical}))
  (func (export "digest") (result i64) (i64.const {digest}))
  (func (export "version") (result i64) (i64.const {version}))
  (func (export "merkle_root") (result i64) (i64.const {digest}))
  (func (export "query") (result i64) (i64.const 4096))
  (func (export "lookup") (param i32) (result i32) {spin} {grow} (i32.const 0))
  (func (export "kind") (param i32) (result i32) (i32.const 2))
  (func (export "as_i64") (param i32) (result i64) (i64.const {value}))
  (func (export "as_f64") (param i32) (result f64) (f64.const {value}))
  (func (export "as_str") (param i32) (result i64) (unreachable))
  (func (export "count") (param i32) (result i32) (i32.const 0))
  (func (export "child") (param i32 i32) (result i32) (i32.const -1))
  (func (export "child_key") (param i32 i32) (result i64) (i64.const 0))
  (func (export "section_hash") (param i32) (result i64) (i64.const {digest}))
  (func (export "loot_pick") (param i32 i64) (result i64) (i64.const {item}))
)"#,
            pages = self.pages,
            abi = self.abi,
            value = self.value,
        );
        match wat::parse_str(&wat) {
            Ok(wasm) => wasm,
            Err(err) => panic!("the test module does not assemble: {err}\n{wat}"),
        }
    }
}
