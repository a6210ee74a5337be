//! The ruleset as the module's memory: a header at a fixed address, the canonical bytes, a pool
//! of interned strings, a key table, a node table (the canonical ruleset breadth first, each
//! container's children consecutive and, for objects, sorted by key as canonical JSON sorts
//! them) and the Merkle leaves sorted by section id. The module's code reads everything
//! through the header, so it is the same for every ruleset; only these bytes differ.
//!
//! Every number is little-endian. See "The WebAssembly module" in the README for the table.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::artifact::compiled::Compiled;

/// Where the header starts: address 0 is never data, so a packed pointer is never 0.
pub const HEADER: u32 = 16;
/// The header's fields, as byte offsets from [`HEADER`]: each a `(ptr, len)` pair of `u32`s.
pub mod field {
    /// The canonical ruleset bytes.
    pub const CANONICAL: u32 = 0;
    /// `sha256:<hex>` of the canonical bytes.
    pub const DIGEST: u32 = 8;
    /// `ruleset_version`.
    pub const VERSION: u32 = 16;
    /// `sha256:<hex>`, the Merkle root.
    pub const ROOT: u32 = 24;
    /// The query buffer and its capacity.
    pub const QUERY: u32 = 32;
    /// The node table and its number of nodes.
    pub const NODES: u32 = 40;
    /// The key table and its number of entries.
    pub const KEYS: u32 = 48;
    /// The section table and its number of sections.
    pub const SECTIONS: u32 = 56;
    /// The area `section_hash` writes `sha256:<hex>` into, and its length (71).
    pub const OUT: u32 = 64;
    /// The text `loot_tables`, `items` and `weight`, which `loot_pick` looks up.
    pub const LOOT_TABLES: u32 = 72;
    pub const ITEMS: u32 = 80;
    pub const WEIGHT: u32 = 88;
    /// The header's length.
    pub const LEN: u32 = 96;
}

/// A node: `u32` tag (kind in the low 3 bits, the key-table index of its key above), then 8
/// bytes of payload: an `i64` (bool, integer), an `f64` (float), or two `u32`s: a string's
/// pointer and length, a container's first child and child count.
pub const NODE_SIZE: u32 = 12;
/// A key-table entry: the string's pointer and length.
pub const KEY_SIZE: u32 = 8;
/// A section: the key-table index of its id's prefix (`spawn_config/`, or the whole id of a
/// single section), of the rest (the name, or the empty string), then the 32 raw bytes of its
/// Merkle leaf hash.
pub const SECTION_SIZE: u32 = 40;
/// The smallest query buffer (the ABI promises at least this much).
pub const QUERY_MIN: u32 = 4096;
/// `sha256:` and 64 hex digits.
pub const OUT_LEN: u32 = 71;
pub const PAGE: u32 = 65536;

/// Node kinds, as `kind` returns them.
pub mod kind {
    pub const NULL: u32 = 0;
    pub const BOOL: u32 = 1;
    pub const INTEGER: u32 = 2;
    pub const FLOAT: u32 = 3;
    pub const STRING: u32 = 4;
    pub const ARRAY: u32 = 5;
    pub const OBJECT: u32 = 6;
}

/// One active data segment, named for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: &'static str,
    pub offset: u32,
    pub bytes: Vec<u8>,
}

/// The module's memory: its data segments in address order and its size in pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub segments: Vec<Segment>,
    pub pages: u32,
}

/// The names of the data segments, in order.
pub const SEGMENTS: [&str; 7] = ["header", "canonical", "strings", "keys", "nodes", "sections", "out"];

/// Why a ruleset cannot be laid out: it does not fit a 32-bit memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the ruleset does not fit a WebAssembly memory of 4 GiB")
    }
}

/// Interned strings: each distinct text once in the pool, with its key-table index.
struct Strings {
    base: u32,
    pool: Vec<u8>,
    table: Vec<(u32, u32)>,
    index: HashMap<String, u32>,
}

impl Strings {
    fn intern(&mut self, text: &str) -> Result<u32, TooLarge> {
        if let Some(&id) = self.index.get(text) {
            return Ok(id);
        }
        let ptr = self.base.checked_add(len32(self.pool.len())?).ok_or(TooLarge)?;
        self.pool.extend_from_slice(text.as_bytes());
        let id = len32(self.table.len())?;
        self.table.push((ptr, len32(text.len())?));
        self.index.insert(text.to_string(), id);
        Ok(id)
    }

    fn entry(&self, id: u32) -> (u32, u32) {
        self.table.get(id as usize).copied().unwrap_or_default()
    }
}

fn len32(n: usize) -> Result<u32, TooLarge> {
    u32::try_from(n).map_err(|_| TooLarge)
}

fn align8(n: u32) -> Result<u32, TooLarge> {
    n.checked_add(7).map(|n| n & !7).ok_or(TooLarge)
}

/// Lays out `compiled`: a function of its canonical bytes alone.
///
/// # Errors
///
/// When the result would not fit a 32-bit memory.
pub fn layout(compiled: &Compiled) -> Result<Layout, TooLarge> {
    let canonical = compiled.canonical().as_bytes();
    let canonical_at = align8(HEADER + field::LEN)?;
    let strings_at = align8(canonical_at.checked_add(len32(canonical.len())?).ok_or(TooLarge)?)?;
    let mut strings = Strings { base: strings_at, pool: Vec::new(), table: Vec::new(), index: HashMap::new() };
    strings.intern("")?;
    let nodes = nodes(compiled.ruleset(), &mut strings)?;
    let mut sections = Vec::with_capacity(compiled.leaves.len() * SECTION_SIZE as usize);
    for (id, hash) in &compiled.leaves {
        let (prefix, name) = match id.split_once('/') {
            Some((prefix, name)) => (&id[..=prefix.len()], name),
            None => (id.as_str(), ""),
        };
        sections.extend_from_slice(&strings.intern(prefix)?.to_le_bytes());
        sections.extend_from_slice(&strings.intern(name)?.to_le_bytes());
        sections.extend_from_slice(&raw_hash(hash));
    }
    let fixed = [
        strings.intern(&compiled.digest)?,
        strings.intern(compiled.version())?,
        strings.intern(&compiled.root)?,
        strings.intern("loot_tables")?,
        strings.intern("items")?,
        strings.intern("weight")?,
    ];
    let keys_at = align8(strings_at.checked_add(len32(strings.pool.len())?).ok_or(TooLarge)?)?;
    let mut keys = Vec::with_capacity(strings.table.len() * KEY_SIZE as usize);
    for (ptr, len) in &strings.table {
        keys.extend_from_slice(&ptr.to_le_bytes());
        keys.extend_from_slice(&len.to_le_bytes());
    }
    let nodes_at = align8(keys_at.checked_add(len32(keys.len())?).ok_or(TooLarge)?)?;
    let sections_at = align8(nodes_at.checked_add(len32(nodes.len())?).ok_or(TooLarge)?)?;
    let out_at = align8(sections_at.checked_add(len32(sections.len())?).ok_or(TooLarge)?)?;
    let query_at = align8(out_at + OUT_LEN)?;
    let end = u64::from(query_at) + u64::from(QUERY_MIN);
    let pages = u32::try_from(end.div_ceil(u64::from(PAGE))).map_err(|_| TooLarge)?;
    if u64::from(pages) * u64::from(PAGE) > 1 << 32 {
        return Err(TooLarge);
    }
    let capacity = len32((u64::from(pages) * u64::from(PAGE) - u64::from(query_at)).try_into().map_err(|_| TooLarge)?)?;
    let node_count = len32(nodes.len() / NODE_SIZE as usize)?;
    let section_count = len32(compiled.leaves.len())?;
    let key_count = len32(strings.table.len())?;
    let [digest, version, root, loot_tables, items, weight] = fixed.map(|id| strings.entry(id));
    let header_fields: [(u32, u32); 12] = [
        (canonical_at, len32(canonical.len())?),
        digest,
        version,
        root,
        (query_at, capacity),
        (nodes_at, node_count),
        (keys_at, key_count),
        (sections_at, section_count),
        (out_at, OUT_LEN),
        loot_tables,
        items,
        weight,
    ];
    let mut header = Vec::with_capacity(field::LEN as usize);
    for (a, b) in header_fields {
        header.extend_from_slice(&a.to_le_bytes());
        header.extend_from_slice(&b.to_le_bytes());
    }
    let segment = |name, offset, bytes| Segment { name, offset, bytes };
    Ok(Layout {
        segments: vec![
            segment(SEGMENTS[0], HEADER, header),
            segment(SEGMENTS[1], canonical_at, canonical.to_vec()),
            segment(SEGMENTS[2], strings_at, strings.pool),
            segment(SEGMENTS[3], keys_at, keys),
            segment(SEGMENTS[4], nodes_at, nodes),
            segment(SEGMENTS[5], sections_at, sections),
            segment(SEGMENTS[6], out_at, b"sha256:".to_vec()),
        ],
        pages,
    })
}

/// The node table, breadth first from the root (handle 0), so each container's children are
/// consecutive handles.
fn nodes(root: &Value, strings: &mut Strings) -> Result<Vec<u8>, TooLarge> {
    let mut order: Vec<(u32, &Value)> = vec![(0, root)];
    let mut out = Vec::new();
    let mut next = 0;
    while let Some(&(key, value)) = order.get(next) {
        next += 1;
        let (kind, payload): (u32, [u8; 8]) = match value {
            Value::Null => (kind::NULL, [0; 8]),
            Value::Bool(b) => (kind::BOOL, i64::from(*b).to_le_bytes()),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => (kind::INTEGER, i.to_le_bytes()),
                (None, Some(f)) if n.is_f64() => (kind::FLOAT, f.to_le_bytes()),
                // A u64 above i64::MAX: not a value any dialect attribute can hold.
                _ => (kind::FLOAT, n.as_f64().unwrap_or_default().to_le_bytes()),
            },
            Value::String(s) => {
                let id = strings.intern(s)?;
                let (ptr, len) = strings.entry(id);
                (kind::STRING, pair(ptr, len))
            }
            Value::Array(items) => {
                let first = len32(order.len())?;
                order.extend(items.iter().map(|v| (0, v)));
                (kind::ARRAY, pair(first, len32(items.len())?))
            }
            Value::Object(map) => {
                let first = len32(order.len())?;
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                for (k, v) in members {
                    order.push((strings.intern(k)?, v));
                }
                (kind::OBJECT, pair(first, len32(map.len())?))
            }
        };
        if key >= 1 << 29 {
            return Err(TooLarge);
        }
        out.extend_from_slice(&(kind | key << 3).to_le_bytes());
        out.extend_from_slice(&payload);
    }
    Ok(out)
}

fn pair(a: u32, b: u32) -> [u8; 8] {
    let mut out = [0; 8];
    out[..4].copy_from_slice(&a.to_le_bytes());
    out[4..].copy_from_slice(&b.to_le_bytes());
    out
}

/// The 32 bytes of a `sha256:<hex>` leaf hash (zeros where it is not one, which `Compiled`
/// never writes).
fn raw_hash(hash: &str) -> [u8; 32] {
    let hex = hash.strip_prefix("sha256:").unwrap_or_default().as_bytes();
    let mut out = [0; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        *byte = digit(pair[0]) << 4 | digit(pair[1]);
    }
    out
}
