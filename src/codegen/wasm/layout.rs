//! The ruleset as the module's memory, laid out straight from the canonical bytes (one scan, no
//! JSON tree): a header at a fixed address, SHA-256's constants and working area at fixed
//! addresses, the canonical bytes, a pool of the few strings the canonical bytes do not hold
//! verbatim, a string table, a table of 8-byte values, the node table, the section groups and
//! the canonical byte range of every section. The module's code reads everything through the
//! header and the fixed addresses, so it is the same for every ruleset; only these bytes differ.
//!
//! Three things keep the module small (issue 25: at most 1.5 x canonical + 16 KiB):
//!
//! - Every key and string that needs no escaping is a slice of the canonical bytes already in
//!   memory; only strings with escapes, the digest, the root and the section prefixes are copied
//!   into the pool. Each distinct string has one table entry.
//! - A node is 8 bytes: a tag and a 32-bit payload. Integers that fit 32 bits, string ids and
//!   containers of under 256 children (first child below 2^24) sit in the payload; the rest (a
//!   float, a wide integer, a large container) is an index into the table of 8-byte values,
//!   each distinct value once.
//! - A container's children are consecutive handles, and containers whose children are the same
//!   nodes (same keys, same values) share them: a node is stored once however many paths lead
//!   to it. Handles stay plain indices, so a lookup is still a binary search per object.
//!
//! Section hashes are not stored: `section_hash` finds the section's canonical bytes through its
//! group and hashes them in the module (RFC 6962's leaf: `0x00 ‖ id ‖ 0x00 ‖ section`).
//!
//! Every number is little-endian. See "The WebAssembly module" in the README for the table.

use std::borrow::Cow;
use std::fmt;

use crate::artifact::compiled::{Compiled, NAMED, SINGLE};

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
    /// The string table and its number of entries.
    pub const STRINGS: u32 = 48;
    /// The section groups and their number.
    pub const SECTIONS: u32 = 56;
    /// The area `section_hash` writes `sha256:<hex>` into, and its length (71).
    pub const OUT: u32 = 64;
    /// The text `loot_tables`, `items` and `weight`, which `loot_pick` looks up.
    pub const LOOT_TABLES: u32 = 72;
    pub const ITEMS: u32 = 80;
    pub const WEIGHT: u32 = 88;
    /// The table of 8-byte values and its number of entries.
    pub const WIDE: u32 = 96;
    /// The header's length.
    pub const LEN: u32 = 104;
}

/// SHA-256 at fixed addresses after the header: the round constants and initial state (a data
/// segment, the same in every module), then the working state, block, schedule and byte count.
pub mod sha {
    /// The 64 round constants, `u32`s.
    pub const K: u32 = 128;
    /// The initial hash value, 8 `u32`s.
    pub const INIT: u32 = K + 256;
    /// The running hash value, 8 `u32`s.
    pub const STATE: u32 = INIT + 32;
    /// The 64-byte block being filled.
    pub const BLOCK: u32 = STATE + 32;
    /// The message schedule, 64 `u32`s.
    pub const W: u32 = BLOCK + 64;
    /// The number of message bytes so far, a `u32`.
    pub const COUNT: u32 = W + 256;
    /// The end of the area.
    pub const END: u32 = COUNT + 4;
}

/// A node: a `u32` tag (kind in the low 3 bits, [`WIDE`] in bit 3, the string id of its key
/// above) and a `u32` payload: a bool, an integer that fits (sign-extended), a string id, a
/// container's first child and child count (`first | count << 24`), or with [`WIDE`] the index
/// of an 8-byte value: an `i64`, an `f64`, or a container's first child and count as two `u32`s.
pub const NODE_SIZE: u32 = 8;
/// The tag bit that says the payload is an index into the table of 8-byte values.
pub const WIDE: u32 = 8;
/// Where the key's string id starts in a tag.
pub const KEY_SHIFT: u32 = 4;
/// A string-table entry: the string's pointer and length.
pub const STRING_SIZE: u32 = 8;
/// An entry of the table of 8-byte values.
pub const WIDE_SIZE: u32 = 8;
/// A section group: its id's text (pointer and length: `spawn_config/`, or the whole id of a
/// single section), the handle of its node, the address of its first range, and 1 for a group of
/// named sections (the node's children, in order) or 0 for a single one (the node itself).
pub const GROUP_SIZE: u32 = 20;
/// A section's canonical bytes: pointer and length.
pub const RANGE_SIZE: u32 = 8;
/// The smallest query buffer (the ABI promises at least this much).
pub const QUERY_MIN: u32 = 4096;
/// The bytes kept free after the query buffer, at the end of the memory: `lookup` reads the
/// query 8 bytes at a time, and a load that starts inside the buffer must not leave the memory.
/// (Every key it compares with lies before other data, so those loads stay inside too.)
pub const SLACK: u32 = 8;
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
pub const SEGMENTS: [&str; 10] =
    ["header", "sha256", "canonical", "pool", "strings", "wide", "nodes", "sections", "ranges", "out"];

/// Why a ruleset cannot be laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// It does not fit a 32-bit memory.
    TooLarge,
    /// The canonical bytes are not compact JSON at this byte offset: a rulesctl bug, since
    /// they are always written by rulesctl (and `verify` checks them before laying them out).
    NotCanonical(usize),
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::TooLarge => f.write_str("the ruleset does not fit a WebAssembly memory of 4 GiB"),
            LayoutError::NotCanonical(at) => {
                write!(f, "the canonical bytes are not compact JSON at byte {at} (a rulesctl bug)")
            }
        }
    }
}

fn len32(n: usize) -> Result<u32, LayoutError> {
    u32::try_from(n).map_err(|_| LayoutError::TooLarge)
}

fn add(a: u32, b: u32) -> Result<u32, LayoutError> {
    a.checked_add(b).ok_or(LayoutError::TooLarge)
}

fn align8(n: u32) -> Result<u32, LayoutError> {
    add(n, 7).map(|n| n & !7)
}

/// The end of a table of `count` entries of `size` bytes at `at`.
fn after(at: u32, count: usize, size: u32) -> Result<u32, LayoutError> {
    align8(add(at, len32(count)?.checked_mul(size).ok_or(LayoutError::TooLarge)?)?)
}

/// Interned strings: each distinct text once, as a slice of the canonical bytes where it
/// appears verbatim, else copied into the pool.
struct Strings<'a> {
    table: Vec<(u32, u32)>,
    index: foldhash::HashMap<Cow<'a, str>, u32>,
    pool: Vec<u8>,
    pool_at: u32,
}

impl<'a> Strings<'a> {
    /// The id of `text`; `at` is its address in the canonical bytes when it is there verbatim.
    fn intern(&mut self, text: Cow<'a, str>, at: Option<u32>) -> Result<u32, LayoutError> {
        if let Some(&id) = self.index.get(&text) {
            return Ok(id);
        }
        let ptr = match at {
            Some(at) => at,
            None => {
                let ptr = add(self.pool_at, len32(self.pool.len())?)?;
                self.pool.extend_from_slice(text.as_bytes());
                ptr
            }
        };
        let id = len32(self.table.len())?;
        self.table.push((ptr, len32(text.len())?));
        self.index.insert(text, id);
        Ok(id)
    }

    fn entry(&self, id: u32) -> (u32, u32) {
        self.table.get(id as usize).copied().unwrap_or_default()
    }
}

/// A node before its key is known: its tag's kind bits and its payload.
#[derive(Clone, Copy)]
struct Value {
    bits: u32,
    payload: u32,
}

/// A section group found in the root object: its key, the index of its node among the root's
/// children, and the canonical ranges of its sections (relative to the canonical bytes).
struct Group<'a> {
    key: &'a str,
    prefix: Option<&'a str>,
    member: u32,
    ranges: Vec<(u32, u32)>,
}

/// One scan of the canonical bytes, building the tables as it goes.
struct Scan<'a> {
    text: &'a str,
    pos: usize,
    canonical_at: u32,
    strings: Strings<'a>,
    wide: Vec<u64>,
    wide_index: foldhash::HashMap<u64, u32>,
    /// Each node as `tag | payload << 32`.
    nodes: Vec<u64>,
    /// Each distinct run of children, by its nodes, at its first handle.
    runs: foldhash::HashMap<Vec<u64>, u32>,
    groups: Vec<Group<'a>>,
}

/// How deep the scan follows containers: canonical bytes come from a ruleset (a few levels) or
/// from `verify`, which has parsed them with serde_json (at most 128 levels) before.
const MAX_DEPTH: usize = 256;

impl<'a> Scan<'a> {
    fn bad<T>(&self) -> Result<T, LayoutError> {
        Err(LayoutError::NotCanonical(self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), LayoutError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.bad()
        }
    }

    fn wide(&mut self, value: u64) -> Result<u32, LayoutError> {
        if let Some(&id) = self.wide_index.get(&value) {
            return Ok(id);
        }
        let id = len32(self.wide.len())?;
        self.wide.push(value);
        self.wide_index.insert(value, id);
        Ok(id)
    }

    /// A string token: its id.
    fn string(&mut self) -> Result<u32, LayoutError> {
        let start = self.pos;
        self.expect(b'"')?;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        loop {
            match bytes.get(self.pos) {
                None => return self.bad(),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.pos += 1;
        let token = self.text.get(start..self.pos).ok_or(LayoutError::NotCanonical(start))?;
        if escaped {
            let text: String = serde_json::from_str(token).map_err(|_| LayoutError::NotCanonical(start))?;
            self.strings.intern(Cow::Owned(text), None)
        } else {
            let at = add(self.canonical_at, len32(start + 1)?)?;
            self.strings.intern(Cow::Borrowed(&token[1..token.len() - 1]), Some(at))
        }
    }

    fn number(&mut self) -> Result<Value, LayoutError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.pos += 1;
        }
        let token = &self.text[start..self.pos];
        let float = token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
        if !float {
            if let Ok(i) = token.parse::<i64>() {
                return Ok(match i32::try_from(i) {
                    Ok(small) => Value { bits: kind::INTEGER, payload: u32::from_ne_bytes(small.to_ne_bytes()) },
                    Err(_) => {
                        Value { bits: kind::INTEGER | WIDE, payload: self.wide(u64::from_ne_bytes(i.to_ne_bytes()))? }
                    }
                });
            }
        }
        // A float, or an integer beyond i64 (no dialect attribute holds one): its f64.
        let f: f64 = token.parse().map_err(|_| LayoutError::NotCanonical(start))?;
        Ok(Value { bits: kind::FLOAT | WIDE, payload: self.wide(f.to_bits())? })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, LayoutError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            self.bad()
        }
    }

    /// The first handle of a run of children: shared with an equal run already laid out.
    fn run(&mut self, children: Vec<u64>) -> Result<Value, LayoutError> {
        let count = len32(children.len())?;
        let first = match self.runs.get(&children) {
            Some(&first) => first,
            None => {
                let first = len32(self.nodes.len())?;
                self.nodes.extend_from_slice(&children);
                self.runs.insert(children, first);
                first
            }
        };
        if first < 1 << 24 && count < 1 << 8 {
            Ok(Value { bits: 0, payload: first | count << 24 })
        } else {
            Ok(Value { bits: WIDE, payload: self.wide(u64::from(first) | u64::from(count) << 32)? })
        }
    }

    /// A value; `depth` 0 is the root, whose members may be section groups.
    fn value(&mut self, depth: usize) -> Result<Value, LayoutError> {
        if depth > MAX_DEPTH {
            return self.bad();
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => {
                self.pos += 1;
                let mut children = Vec::new();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        let item = self.value(depth + 1)?;
                        children.push(node(item, 0));
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.bad(),
                        }
                    }
                }
                let run = self.run(children)?;
                Ok(Value { bits: run.bits | kind::ARRAY, payload: run.payload })
            }
            Some(b'"') => Ok(Value { bits: kind::STRING, payload: self.string()? }),
            Some(b't') => self.literal("true", Value { bits: kind::BOOL, payload: 1 }),
            Some(b'f') => self.literal("false", Value { bits: kind::BOOL, payload: 0 }),
            Some(b'n') => self.literal("null", Value { bits: kind::NULL, payload: 0 }),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.bad(),
        }
    }

    /// An object; at the root, each member that is a section (or holds named sections) is noted
    /// with the canonical range of each section.
    fn object(&mut self, depth: usize) -> Result<Value, LayoutError> {
        self.expect(b'{')?;
        let mut children = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let key_at = self.pos + 1;
                let key = self.string()?;
                if key >= 1 << (32 - KEY_SHIFT) {
                    return Err(LayoutError::TooLarge);
                }
                self.expect(b':')?;
                let start = self.pos;
                let named = if depth == 0 { named_prefix(&self.text[key_at..self.pos - 2]) } else { None };
                let value = match named {
                    Some(prefix) if self.peek() == Some(b'{') => {
                        let group = self.groups.len();
                        let key_text = &self.text[key_at..start - 2];
                        self.groups.push(Group {
                            key: key_text,
                            prefix: Some(prefix),
                            member: len32(children.len())?,
                            ranges: Vec::new(),
                        });
                        self.sections(group, depth)?
                    }
                    _ => self.value(depth + 1)?,
                };
                if depth == 0 && SINGLE.contains(&&self.text[key_at..start - 2]) {
                    let range = (len32(start)?, len32(self.pos - start)?);
                    self.groups.push(Group {
                        key: &self.text[key_at..start - 2],
                        prefix: None,
                        member: len32(children.len())?,
                        ranges: vec![range],
                    });
                }
                children.push(node(value, key));
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.bad(),
                }
            }
        }
        let run = self.run(children)?;
        Ok(Value { bits: run.bits | kind::OBJECT, payload: run.payload })
    }

    /// The object of named sections at the root's member `group`: each member's canonical range.
    fn sections(&mut self, group: usize, depth: usize) -> Result<Value, LayoutError> {
        self.expect(b'{')?;
        let mut children = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let key = self.string()?;
                if key >= 1 << (32 - KEY_SHIFT) {
                    return Err(LayoutError::TooLarge);
                }
                self.expect(b':')?;
                let start = self.pos;
                let value = self.value(depth + 2)?;
                let range = (len32(start)?, len32(self.pos - start)?);
                if let Some(g) = self.groups.get_mut(group) {
                    g.ranges.push(range);
                }
                children.push(node(value, key));
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.bad(),
                }
            }
        }
        let run = self.run(children)?;
        Ok(Value { bits: run.bits | kind::OBJECT, payload: run.payload })
    }
}

/// The section id prefix of a root key that holds named sections (`spawn_configs` →
/// `spawn_config`), as `artifact::compiled` names them.
fn named_prefix(key: &str) -> Option<&'static str> {
    NAMED.iter().find(|(k, _)| *k == key).map(|(_, prefix)| *prefix)
}

fn node(value: Value, key: u32) -> u64 {
    u64::from(value.bits | key << KEY_SHIFT) | u64::from(value.payload) << 32
}

/// SHA-256's round constants and initial hash value (FIPS 180-4), as the `sha256` segment.
fn sha_constants() -> Vec<u8> {
    const K: [u32; 64] = [
        0x428a_2f98,
        0x7137_4491,
        0xb5c0_fbcf,
        0xe9b5_dba5,
        0x3956_c25b,
        0x59f1_11f1,
        0x923f_82a4,
        0xab1c_5ed5,
        0xd807_aa98,
        0x1283_5b01,
        0x2431_85be,
        0x550c_7dc3,
        0x72be_5d74,
        0x80de_b1fe,
        0x9bdc_06a7,
        0xc19b_f174,
        0xe49b_69c1,
        0xefbe_4786,
        0x0fc1_9dc6,
        0x240c_a1cc,
        0x2de9_2c6f,
        0x4a74_84aa,
        0x5cb0_a9dc,
        0x76f9_88da,
        0x983e_5152,
        0xa831_c66d,
        0xb003_27c8,
        0xbf59_7fc7,
        0xc6e0_0bf3,
        0xd5a7_9147,
        0x06ca_6351,
        0x1429_2967,
        0x27b7_0a85,
        0x2e1b_2138,
        0x4d2c_6dfc,
        0x5338_0d13,
        0x650a_7354,
        0x766a_0abb,
        0x81c2_c92e,
        0x9272_2c85,
        0xa2bf_e8a1,
        0xa81a_664b,
        0xc24b_8b70,
        0xc76c_51a3,
        0xd192_e819,
        0xd699_0624,
        0xf40e_3585,
        0x106a_a070,
        0x19a4_c116,
        0x1e37_6c08,
        0x2748_774c,
        0x34b0_bcb5,
        0x391c_0cb3,
        0x4ed8_aa4a,
        0x5b9c_ca4f,
        0x682e_6ff3,
        0x748f_82ee,
        0x78a5_636f,
        0x84c8_7814,
        0x8cc7_0208,
        0x90be_fffa,
        0xa450_6ceb,
        0xbef9_a3f7,
        0xc671_78f2,
    ];
    const INIT: [u32; 8] =
        [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];
    K.iter().chain(&INIT).flat_map(|w| w.to_le_bytes()).collect()
}

/// Lays out `compiled`: a function of its canonical bytes alone.
///
/// # Errors
///
/// When the result would not fit a 32-bit memory, or the canonical bytes are not compact JSON
/// (never for bytes rulesctl wrote).
pub fn layout(compiled: &Compiled) -> Result<Layout, LayoutError> {
    let text = compiled.canonical();
    let canonical_at = align8(sha::END)?;
    let pool_at = align8(add(canonical_at, len32(text.len())?)?)?;
    let strings = Strings { table: Vec::new(), index: foldhash::HashMap::default(), pool: Vec::new(), pool_at };
    let mut scan = Scan {
        text,
        pos: 0,
        canonical_at,
        strings,
        wide: Vec::new(),
        wide_index: foldhash::HashMap::default(),
        // Handle 0 is the root, written when its children are known.
        nodes: vec![0],
        runs: foldhash::HashMap::default(),
        groups: Vec::new(),
    };
    let empty = scan.strings.intern(Cow::Borrowed(""), None)?;
    let root = scan.value(0)?;
    if scan.pos != text.len() {
        return scan.bad();
    }
    scan.nodes[0] = node(root, empty);
    let root_first = if root.bits & WIDE == 0 {
        root.payload & 0x00ff_ffff
    } else {
        scan.wide.get(root.payload as usize).map_or(0, |w| *w as u32)
    };
    let Scan { strings: mut table, wide, nodes, groups, .. } = scan;
    let mut fixed = Vec::with_capacity(6);
    for text in [compiled.digest.as_str(), compiled.version(), compiled.root(), "loot_tables", "items", "weight"] {
        fixed.push(table.intern(Cow::Owned(text.to_string()), None)?);
    }
    let mut group_texts = Vec::with_capacity(groups.len());
    for g in &groups {
        let text = match g.prefix {
            Some(prefix) => Cow::Owned(format!("{prefix}/")),
            None => Cow::Borrowed(g.key),
        };
        group_texts.push(table.intern(text, None)?);
    }

    let strings_at = align8(add(pool_at, len32(table.pool.len())?)?)?;
    let wide_at = after(strings_at, table.table.len(), STRING_SIZE)?;
    let nodes_at = after(wide_at, wide.len(), WIDE_SIZE)?;
    let sections_at = after(nodes_at, nodes.len(), NODE_SIZE)?;
    let ranges_at = after(sections_at, groups.len(), GROUP_SIZE)?;
    let range_count: usize = groups.iter().map(|g| g.ranges.len()).sum();
    let out_at = after(ranges_at, range_count, RANGE_SIZE)?;
    let query_at = align8(add(out_at, OUT_LEN)?)?;
    let end = u64::from(query_at) + u64::from(QUERY_MIN) + u64::from(SLACK);
    let pages = u32::try_from(end.div_ceil(u64::from(PAGE))).map_err(|_| LayoutError::TooLarge)?;
    if u64::from(pages) * u64::from(PAGE) > 1 << 32 {
        return Err(LayoutError::TooLarge);
    }
    let capacity = u64::from(pages) * u64::from(PAGE) - u64::from(query_at) - u64::from(SLACK);
    let capacity = u32::try_from(capacity).map_err(|_| LayoutError::TooLarge)?;

    let words = |pairs: &mut dyn Iterator<Item = (u32, u32)>, size: usize| {
        let mut out = Vec::with_capacity(size * 8);
        for (a, b) in pairs {
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&b.to_le_bytes());
        }
        out
    };
    let strings_bytes = words(&mut table.table.iter().copied(), table.table.len());
    let wide_bytes: Vec<u8> = wide.iter().flat_map(|w| w.to_le_bytes()).collect();
    let node_bytes: Vec<u8> = nodes.iter().flat_map(|n| n.to_le_bytes()).collect();
    let mut section_bytes = Vec::with_capacity(groups.len() * GROUP_SIZE as usize);
    let mut range_bytes = Vec::with_capacity(range_count * RANGE_SIZE as usize);
    let mut next_range = ranges_at;
    for (g, id) in groups.iter().zip(&group_texts) {
        let (ptr, len) = table.entry(*id);
        let handle = add(root_first, g.member)?;
        for word in [ptr, len, handle, next_range, u32::from(g.prefix.is_some())] {
            section_bytes.extend_from_slice(&word.to_le_bytes());
        }
        for (start, len) in &g.ranges {
            range_bytes.extend_from_slice(&add(canonical_at, *start)?.to_le_bytes());
            range_bytes.extend_from_slice(&len.to_le_bytes());
            next_range = add(next_range, RANGE_SIZE)?;
        }
    }

    let [digest, version, root, loot_tables, items, weight] =
        [fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5]].map(|id| table.entry(id));
    let header_fields: [(u32, u32); 13] = [
        (canonical_at, len32(text.len())?),
        digest,
        version,
        root,
        (query_at, capacity),
        (nodes_at, len32(nodes.len())?),
        (strings_at, len32(table.table.len())?),
        (sections_at, len32(groups.len())?),
        (out_at, OUT_LEN),
        loot_tables,
        items,
        weight,
        (wide_at, len32(wide.len())?),
    ];
    let header = words(&mut header_fields.into_iter(), header_fields.len());
    let segment = |name, offset, bytes| Segment { name, offset, bytes };
    Ok(Layout {
        segments: vec![
            segment(SEGMENTS[0], HEADER, header),
            segment(SEGMENTS[1], sha::K, sha_constants()),
            segment(SEGMENTS[2], canonical_at, text.as_bytes().to_vec()),
            segment(SEGMENTS[3], pool_at, table.pool),
            segment(SEGMENTS[4], strings_at, strings_bytes),
            segment(SEGMENTS[5], wide_at, wide_bytes),
            segment(SEGMENTS[6], nodes_at, node_bytes),
            segment(SEGMENTS[7], sections_at, section_bytes),
            segment(SEGMENTS[8], ranges_at, range_bytes),
            segment(SEGMENTS[9], out_at, b"sha256:".to_vec()),
        ],
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The bytes at `ptr..ptr + len` of the laid-out memory.
    fn memory(layout: &Layout, ptr: u32, len: u32) -> Vec<u8> {
        let seg = layout
            .segments
            .iter()
            .find(|s| s.offset <= ptr && ptr + len <= s.offset + len32(s.bytes.len()).unwrap_or(0));
        seg.map(|s| s.bytes[(ptr - s.offset) as usize..(ptr - s.offset + len) as usize].to_vec()).unwrap_or_default()
    }

    fn segment<'a>(layout: &'a Layout, name: &str) -> &'a Segment {
        layout.segments.iter().find(|s| s.name == name).expect("segment")
    }

    #[test]
    fn strings_point_into_the_canonical_bytes_unless_escaped_and_equal_subtrees_are_stored_once() {
        let value = json!({
            "a": {"x": {"w": 1}, "y": {"w": 1}},
            "b": {"x": {"w": 1}, "y": {"w": 1}},
            "quote\"d": "tab\there",
            "big": 1_i64 << 40,
            "list": [2.5, null, true, "a"],
        });
        let compiled = Compiled::new(value);
        let layout = layout(&compiled).expect("layout");
        let canonical = segment(&layout, "canonical");
        let strings = &segment(&layout, "strings").bytes;
        let mut in_pool = Vec::new();
        for entry in strings.chunks_exact(8) {
            let ptr = u32::from_le_bytes(entry[..4].try_into().expect("ptr"));
            let len = u32::from_le_bytes(entry[4..].try_into().expect("len"));
            let text = String::from_utf8(memory(&layout, ptr, len)).expect("UTF-8");
            let verbatim =
                ptr >= canonical.offset && ptr < canonical.offset + len32(canonical.bytes.len()).expect("len");
            if !verbatim {
                in_pool.push(text);
            }
        }
        let pooled: Vec<&str> = in_pool.iter().map(String::as_str).collect();
        assert_eq!(&pooled[..3], ["", "quote\"d", "tab\there"], "only the empty root key and escaped texts");
        assert!(pooled[3].starts_with("sha256:"), "then the digest: {pooled:?}");
        // root, its 5 members, a's and b's shared {x, y}, their shared {w}, the list's 4 items.
        assert_eq!(segment(&layout, "nodes").bytes.len(), 8 * (1 + 5 + 2 + 1 + 4));
        assert_eq!(segment(&layout, "wide").bytes.len(), 16, "1 << 40 and 2.5");
        assert_eq!(layout, super::layout(&compiled).expect("again"), "deterministic");
    }
}
