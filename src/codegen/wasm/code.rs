//! The module's functions: the same instructions for every ruleset. They find the data through
//! the header at a fixed address ([`layout::HEADER`]), so a runtime compiles the same code
//! whatever the ruleset holds, and its compile time does not grow with the ruleset.
//!
//! Integer and float instructions only; no imports, no tables, no globals, no bulk memory.
//! Every handle and index is checked before it is used; `as_*` on another kind traps with
//! `unreachable`.

use wasm_encoder::{BlockType, Function, InstructionSink, MemArg, MemArgTarget, ValType};

use crate::codegen::wasm::layout::{
    field, kind, sha, GROUP_SIZE, HEADER, KEY_SHIFT, NODE_SIZE, RANGE_SIZE, STRING_SIZE, WIDE, WIDE_SIZE,
};

/// Function types, by index in the type section.
pub const TYPES: [(&[ValType], &[ValType]); 14] = [
    (&[], &[ValType::I32]),
    (&[], &[ValType::I64]),
    (&[ValType::I32], &[ValType::I32]),
    (&[ValType::I32], &[ValType::I64]),
    (&[ValType::I32], &[ValType::F64]),
    (&[ValType::I32, ValType::I32], &[ValType::I32]),
    (&[ValType::I32, ValType::I32], &[ValType::I64]),
    (&[ValType::I32, ValType::I64], &[ValType::I64]),
    (&[ValType::I32; 7], &[ValType::I32]),
    (&[ValType::I32; 4], &[ValType::I32]),
    (&[], &[]),
    (&[ValType::I32], &[]),
    (&[ValType::I32, ValType::I32], &[]),
    (&[ValType::I32; 3], &[ValType::I64]),
];

/// The exports of ABI 1: name and type, function `i` is the `i`-th entry.
pub const EXPORTS: [(&str, u32); 16] = [
    ("rulesctl_abi", 0),
    ("canonical", 1),
    ("digest", 1),
    ("version", 1),
    ("merkle_root", 1),
    ("query", 1),
    ("lookup", 2),
    ("kind", 2),
    ("as_i64", 3),
    ("as_f64", 4),
    ("as_str", 3),
    ("count", 2),
    ("child", 5),
    ("child_key", 6),
    ("section_hash", 3),
    ("loot_pick", 7),
];

/// The internal helpers after the exports: name (for diagnostics) and type.
pub const HELPERS: [(&str, u32); 17] = [
    ("pack_at", 3),
    ("addr", 2),
    ("key", 2),
    ("compare", 8),
    ("find", 9),
    ("hex_digit", 2),
    ("weight", 3),
    ("wide_at", 2),
    ("first", 2),
    ("size", 2),
    ("int", 3),
    ("sha_init", 10),
    ("sha_byte", 11),
    ("sha_span", 12),
    ("sha_block", 10),
    ("leaf", 13),
    ("walk_escaped", 2),
];

const KIND: u32 = 7;
const COUNT: u32 = 11;
const CHILD_KEY: u32 = 13;
const PACK_AT: u32 = 16;
const ADDR: u32 = 17;
const KEY: u32 = 18;
const CMP: u32 = 19;
const FIND: u32 = 20;
const HEX: u32 = 21;
const WEIGHT: u32 = 22;
const WIDE_AT: u32 = 23;
const FIRST: u32 = 24;
const SIZE: u32 = 25;
const INT: u32 = 26;
const SHA_INIT: u32 = 27;
const SHA_BYTE: u32 = 28;
const SHA_SPAN: u32 = 29;
const SHA_BLOCK: u32 = 30;
const LEAF: u32 = 31;
const WALK_ESCAPED: u32 = 32;

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;
const EMPTY: BlockType = BlockType::Empty;

/// A 4-byte aligned access (every table is 8-byte aligned; the alignment is only a hint).
fn m32(offset: u32) -> MemArg {
    MemArg { offset: u64::from(offset), align: 2, target: MemArgTarget::Memory(0), ordering: None }
}

/// An 8-byte access at any address (the query and the keys are byte strings).
fn m64(offset: u32) -> MemArg {
    MemArg { offset: u64::from(offset), align: 0, target: MemArgTarget::Memory(0), ordering: None }
}

fn m8(offset: u32) -> MemArg {
    MemArg { offset: u64::from(offset), align: 0, target: MemArgTarget::Memory(0), ordering: None }
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Pushes the header's `u32` at `at` (a [`field`] offset).
fn hdr(s: &mut InstructionSink<'_>, at: u32) {
    s.i32_const(0).i32_load(m32(HEADER + at));
}

/// `if <condition on the stack> { return <value> }`.
fn return_if(s: &mut InstructionSink<'_>, value: impl FnOnce(&mut InstructionSink<'_>)) {
    s.if_(EMPTY);
    value(s);
    s.return_().end();
}

fn minus_one(s: &mut InstructionSink<'_>) {
    s.i32_const(-1);
}

fn zero64(s: &mut InstructionSink<'_>) {
    s.i64_const(0);
}

fn trap(s: &mut InstructionSink<'_>) {
    s.if_(EMPTY).unreachable().end();
}

/// `len` (local 0) above the query buffer's capacity, as an `i32` condition.
fn too_long(s: &mut InstructionSink<'_>) {
    s.local_get(0);
    hdr(s, field::QUERY + 4);
    s.i32_gt_u();
}

/// Every function body, in index order: the exports, then the helpers.
pub fn bodies() -> Vec<Function> {
    let mut out = Vec::new();
    out.push(body(&[], |s| {
        s.i32_const(1);
    }));
    for at in [field::CANONICAL, field::DIGEST, field::VERSION, field::ROOT, field::QUERY] {
        out.push(body(&[], |s| {
            s.i32_const(int(HEADER + at)).call(PACK_AT);
        }));
    }
    out.push(lookup());
    // kind(h), inline (one of the three calls of every typed lookup)
    out.push(body(&[], |s| {
        s.local_get(0);
        hdr(s, field::NODES + 4);
        s.i32_lt_u().if_(BlockType::Result(I32));
        hdr(s, field::NODES);
        s.local_get(0).i32_const(int(NODE_SIZE)).i32_mul().i32_add().i32_load(m32(0)).i32_const(7).i32_and();
        s.else_().i32_const(-1).end();
    }));
    // as_i64(h): bool or integer, inline (the third call of a typed lookup). Locals 1 address,
    // 2 tag.
    out.push(body(&[(2, I32)], |s| {
        s.local_get(0);
        hdr(s, field::NODES + 4);
        s.i32_ge_u();
        trap(s);
        hdr(s, field::NODES);
        s.local_get(0).i32_const(int(NODE_SIZE)).i32_mul().i32_add().local_tee(1).i32_load(m32(0)).local_tee(2);
        // Kinds 1 (bool) and 2 (integer): kind - 1 below 2, unsigned.
        s.i32_const(7).i32_and().i32_const(int(kind::BOOL)).i32_sub().i32_const(2).i32_ge_u();
        trap(s);
        s.local_get(2).i32_const(int(WIDE)).i32_and();
        return_if(s, |s| {
            hdr(s, field::WIDE);
            s.local_get(1).i32_load(m32(4)).i32_const(int(WIDE_SIZE)).i32_mul().i32_add().i64_load(m32(0));
        });
        s.local_get(1).i32_load(m32(4)).i64_extend_i32_s();
    }));
    // as_f64(h): float or integer
    out.push(body(&[(2, I32)], |s| {
        node_kind_or_trap(s);
        s.local_get(2).i32_const(int(kind::FLOAT)).i32_eq();
        return_if(s, |s| {
            s.local_get(1).call(WIDE_AT).f64_load(m32(0));
        });
        s.local_get(2).i32_const(int(kind::INTEGER)).i32_eq();
        return_if(s, |s| {
            s.local_get(1).call(INT).f64_convert_i64_s();
        });
        s.unreachable();
    }));
    // as_str(h): the string-table entry its payload names
    out.push(body(&[(2, I32)], |s| {
        node_kind_or_trap(s);
        s.local_get(2).i32_const(int(kind::STRING)).i32_ne();
        trap(s);
        hdr(s, field::STRINGS);
        s.local_get(1).i32_load(m32(4)).i32_const(int(STRING_SIZE)).i32_mul().i32_add().call(PACK_AT);
    }));
    // count(h): children of an array or object, else 0
    out.push(body(&[(2, I32)], |s| {
        s.local_get(0).call(ADDR).local_tee(1).i32_eqz();
        return_if(s, |s| {
            s.i32_const(0);
        });
        s.local_get(1).i32_load(m32(0)).i32_const(7).i32_and().local_tee(2);
        s.i32_const(int(kind::ARRAY)).i32_eq().local_get(2).i32_const(int(kind::OBJECT)).i32_eq().i32_or().i32_eqz();
        return_if(s, |s| {
            s.i32_const(0);
        });
        s.local_get(1).call(SIZE);
    }));
    // child(h, i)
    out.push(body(&[], |s| {
        s.local_get(0).call(COUNT).local_get(1).i32_le_u();
        return_if(s, minus_one);
        s.local_get(0).call(ADDR).call(FIRST).local_get(1).i32_add();
    }));
    // child_key(h, i)
    out.push(body(&[], |s| {
        s.local_get(0).call(KIND).i32_const(int(kind::OBJECT)).i32_ne();
        return_if(s, zero64);
        s.local_get(0).call(COUNT).local_get(1).i32_le_u();
        return_if(s, zero64);
        s.local_get(0).call(ADDR).call(FIRST).local_get(1).i32_add().call(ADDR).call(KEY).call(PACK_AT);
    }));
    out.push(section_hash());
    out.push(loot_pick());
    // pack_at(addr): the (ptr, len) pair of u32s at addr as (ptr << 32) | len
    out.push(body(&[], |s| {
        s.local_get(0).i32_load(m32(0)).i64_extend_i32_u().i64_const(32).i64_shl();
        s.local_get(0).i32_load(m32(4)).i64_extend_i32_u().i64_or();
    }));
    // addr(h): the node's address, 0 for a bad handle (no node is at 0)
    out.push(body(&[], |s| {
        s.local_get(0);
        hdr(s, field::NODES + 4);
        s.i32_lt_u().if_(BlockType::Result(I32));
        hdr(s, field::NODES);
        s.local_get(0).i32_const(int(NODE_SIZE)).i32_mul().i32_add().else_().i32_const(0).end();
    }));
    // key(addr): the string-table entry of a node's key
    out.push(body(&[], |s| {
        hdr(s, field::STRINGS);
        s.local_get(0).i32_load(m32(0)).i32_const(int(KEY_SHIFT)).i32_shr_u();
        s.i32_const(int(STRING_SIZE)).i32_mul().i32_add();
    }));
    out.push(compare());
    out.push(find());
    // hex_digit(d)
    out.push(body(&[], |s| {
        s.local_get(0).i32_const(48).i32_const(87).local_get(0).i32_const(10).i32_lt_u().select().i32_add();
    }));
    // weight(item): its `weight` integer, -1 when it has none
    out.push(body(&[(1, I32)], |s| {
        s.local_get(0);
        hdr(s, field::WEIGHT);
        hdr(s, field::WEIGHT + 4);
        s.i32_const(0).call(FIND).local_tee(1).i32_const(0).i32_lt_s();
        return_if(s, |s| {
            s.i64_const(-1);
        });
        s.local_get(1).call(KIND).i32_const(int(kind::INTEGER)).i32_ne();
        return_if(s, |s| {
            s.i64_const(-1);
        });
        s.local_get(1).call(ADDR).call(INT);
    }));
    // wide_at(addr): the address of the 8-byte value a wide node's payload names
    out.push(body(&[], |s| {
        hdr(s, field::WIDE);
        s.local_get(0).i32_load(m32(4)).i32_const(int(WIDE_SIZE)).i32_mul().i32_add();
    }));
    // first(addr): a container node's first child
    out.push(body(&[], |s| {
        s.local_get(0).i32_load(m32(0)).i32_const(int(WIDE)).i32_and();
        return_if(s, |s| {
            s.local_get(0).call(WIDE_AT).i32_load(m32(0));
        });
        s.local_get(0).i32_load(m32(4)).i32_const(0x00ff_ffff).i32_and();
    }));
    // size(addr): a container node's number of children
    out.push(body(&[], |s| {
        s.local_get(0).i32_load(m32(0)).i32_const(int(WIDE)).i32_and();
        return_if(s, |s| {
            s.local_get(0).call(WIDE_AT).i32_load(m32(4));
        });
        s.local_get(0).i32_load(m32(4)).i32_const(24).i32_shr_u();
    }));
    // int(addr): a bool or integer node's value
    out.push(body(&[], |s| {
        s.local_get(0).i32_load(m32(0)).i32_const(int(WIDE)).i32_and();
        return_if(s, |s| {
            s.local_get(0).call(WIDE_AT).i64_load(m32(0));
        });
        s.local_get(0).i32_load(m32(4)).i64_extend_i32_s();
    }));
    out.extend(sha256());
    out.push(leaf());
    out.push(walk_escaped());
    out
}

fn body(locals: &[(u32, ValType)], code: impl FnOnce(&mut InstructionSink<'_>)) -> Function {
    let mut f = Function::new(locals.iter().copied());
    let mut s = f.instructions();
    code(&mut s);
    s.end();
    f
}

/// Locals 1 = the node's address (trapping on a bad handle), 2 = its kind.
fn node_kind_or_trap(s: &mut InstructionSink<'_>) {
    s.local_get(0).call(ADDR).local_tee(1).i32_eqz();
    trap(s);
    s.local_get(1).i32_load(m32(0)).i32_const(7).i32_and().local_set(2);
}

/// Eight copies of a byte, for the 8-bytes-at-a-time scans.
const fn bytes8(b: u8) -> i64 {
    i64::from_ne_bytes([b; 8])
}

/// `lookup(len)`: an RFC 6901 pointer in the query buffer, walked segment by segment from the
/// root, 8 bytes at a time: each segment's end (the next `/`) is found with a word-wide search for
/// a `/` or `~` byte, and each object level is a binary search over its keys (canonical order is
/// byte order) comparing 8 bytes per step, little-endian words whose first differing byte gives
/// the order. A `~` anywhere hands the whole pointer to [`walk_escaped`], which unescapes.
/// The 8-byte loads may run past the query into [`SLACK`](crate::codegen::wasm::layout::SLACK)
/// or past a key into the data after it: the bytes beyond are masked off. Handles come from the
/// node table itself, so no step checks one again; the table addresses are read from the header
/// once.
///
/// Locals: 1 query, 2 pos (the segment's `/`, then its first byte), 3 end, 4 handle, 5 node
/// address, 6 tag, 7 scratch, 8 lo, 9 hi, 10 mid, 11 first child, 12 the key byte compared,
/// 13 key length, 14 segment length, 15 end of the bytes to compare, 16 the segment byte
/// compared, 17 order, 18 the node table, 19 the string table, 20 the first child's node, 21 the
/// segment; i64: 22 and 23 the words compared, 24 their difference, 25 an array index.
fn lookup() -> Function {
    const QUERY: u32 = 1;
    const POS: u32 = 2;
    const END: u32 = 3;
    const H: u32 = 4;
    const AT: u32 = 5;
    const TAG: u32 = 6;
    const T: u32 = 7;
    const LO: u32 = 8;
    const HI: u32 = 9;
    const MID: u32 = 10;
    const FIRST_CHILD: u32 = 11;
    const Q: u32 = 12;
    const KLEN: u32 = 13;
    const SEGLEN: u32 = 14;
    const E: u32 = 15;
    const P: u32 = 16;
    const ORDER: u32 = 17;
    const NODES: u32 = 18;
    const STRINGS: u32 = 19;
    const KIDS: u32 = 20;
    const SEG: u32 = 21;
    const A: u32 = 22;
    const B: u32 = 23;
    const X: u32 = 24;
    const INDEX: u32 = 25;
    // A word's bytes equal to zero, flagged in their top bit: exact for the lowest such byte,
    // which is all the scan needs (a borrow only runs upward).
    let zero_bytes = |s: &mut InstructionSink<'_>, word: u32| {
        s.local_get(word).i64_const(bytes8(1)).i64_sub().local_get(word).i64_const(-1).i64_xor().i64_and();
    };
    body(&[(21, I32), (4, I64)], |s| {
        too_long(s);
        return_if(s, minus_one);
        hdr(s, field::QUERY);
        s.local_set(QUERY);
        hdr(s, field::NODES);
        s.local_set(NODES);
        hdr(s, field::STRINGS);
        s.local_set(STRINGS);
        s.loop_(EMPTY);
        s.local_get(POS).local_get(0).i32_eq();
        return_if(s, |s| {
            s.local_get(H);
        });
        s.local_get(QUERY).local_get(POS).i32_add().local_tee(SEG).i32_load8_u(m8(0)).i32_const(i32::from(b'/'));
        s.i32_ne();
        return_if(s, minus_one);
        s.local_get(SEG).i32_const(1).i32_add().local_tee(SEG).local_set(P);
        s.local_get(POS).i32_const(1).i32_add().local_set(POS);
        // The segment's end: the first `/` or `~` from pos on, else len; a `~` escapes.
        s.local_get(QUERY).local_get(0).i32_add().local_tee(E).local_set(END);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(P).local_get(E).i32_ge_u().br_if(1);
        s.local_get(P).i64_load(m64(0)).local_tee(A);
        s.i64_const(bytes8(b'/')).i64_xor().local_set(X);
        zero_bytes(s, X);
        s.local_get(A).i64_const(bytes8(b'~')).i64_xor().local_set(X);
        zero_bytes(s, X);
        s.i64_or().i64_const(bytes8(0x80)).i64_and().local_tee(X).i64_eqz().i32_eqz();
        s.if_(EMPTY);
        s.local_get(P).local_get(X).i64_ctz().i32_wrap_i64().i32_const(3).i32_shr_u().i32_add().local_tee(T);
        s.local_get(E).i32_lt_u().if_(EMPTY);
        s.local_get(T).i32_load8_u(m8(0)).i32_const(i32::from(b'~')).i32_eq();
        return_if(s, |s| {
            s.local_get(0).call(WALK_ESCAPED);
        });
        s.local_get(T).local_set(END);
        s.end();
        s.br(2);
        s.end();
        s.local_get(P).i32_const(8).i32_add().local_set(P).br(0);
        s.end().end();
        // From here on END is an index into the query, as POS.
        s.local_get(END).local_get(SEG).i32_sub().local_tee(SEGLEN).local_get(POS).i32_add().local_set(END);
        s.local_get(NODES).local_get(H).i32_const(int(NODE_SIZE)).i32_mul().i32_add().local_tee(AT);
        s.i32_load(m32(0)).local_tee(TAG).i32_const(7).i32_and().i32_const(int(kind::OBJECT)).i32_eq();
        s.if_(EMPTY);
        // The children: first handle and count, inline or in the table of 8-byte values.
        s.local_get(TAG).i32_const(int(WIDE)).i32_and().if_(EMPTY);
        hdr(s, field::WIDE);
        s.local_get(AT).i32_load(m32(4)).i32_const(int(WIDE_SIZE)).i32_mul().i32_add().local_tee(T);
        s.i32_load(m32(0)).local_set(FIRST_CHILD).local_get(T).i32_load(m32(4)).local_set(HI);
        s.else_();
        s.local_get(AT).i32_load(m32(4)).local_tee(T).i32_const(0x00ff_ffff).i32_and().local_set(FIRST_CHILD);
        s.local_get(T).i32_const(24).i32_shr_u().local_set(HI);
        s.end();
        s.local_get(NODES).local_get(FIRST_CHILD).i32_const(int(NODE_SIZE)).i32_mul().i32_add().local_set(KIDS);
        s.i32_const(0).local_set(LO);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(LO).local_get(HI).i32_ge_u();
        return_if(s, minus_one);
        s.local_get(LO).local_get(HI).i32_add().i32_const(1).i32_shr_u().local_set(MID);
        // The middle child's key: its string-table entry.
        s.local_get(STRINGS).local_get(KIDS).local_get(MID).i32_const(int(NODE_SIZE)).i32_mul().i32_add();
        s.i32_load(m32(0)).i32_const(int(KEY_SHIFT)).i32_shr_u().i32_const(int(STRING_SIZE)).i32_mul().i32_add();
        s.local_tee(T).i32_load(m32(0)).local_set(Q).local_get(T).i32_load(m32(4)).local_set(KLEN);
        // The bytes both have: segment bytes P..E against key bytes from Q.
        s.local_get(SEG).local_tee(P);
        s.local_get(SEGLEN)
            .local_get(KLEN)
            .local_get(SEGLEN)
            .local_get(KLEN)
            .i32_lt_u()
            .select()
            .i32_add()
            .local_set(E);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(P).local_get(E).i32_ge_u().if_(EMPTY);
        // Equal up to the shorter one: the shorter sorts first.
        s.local_get(SEGLEN).local_get(KLEN).i32_gt_u().local_get(SEGLEN).local_get(KLEN).i32_lt_u().i32_sub();
        s.local_set(ORDER).br(2);
        s.end();
        s.local_get(P).i64_load(m64(0)).local_tee(A).local_get(Q).i64_load(m64(0)).local_tee(B).i64_xor().local_set(X);
        // In the last word, only the bytes still to compare count.
        s.local_get(E).local_get(P).i32_sub().local_tee(T).i32_const(8).i32_lt_u().if_(EMPTY);
        s.local_get(X).i64_const(1).local_get(T).i32_const(3).i32_shl().i64_extend_i32_u().i64_shl().i64_const(1);
        s.i64_sub().i64_and().local_set(X);
        s.end();
        s.local_get(X).i64_eqz().i32_eqz().if_(EMPTY);
        // The first differing byte (the lowest in a little-endian word) decides.
        s.local_get(X).i64_ctz().i64_const(56).i64_and().local_set(X);
        s.i32_const(-1).i32_const(1);
        s.local_get(A).local_get(X).i64_shr_u().i64_const(255).i64_and();
        s.local_get(B).local_get(X).i64_shr_u().i64_const(255).i64_and().i64_lt_u().select().local_set(ORDER);
        s.br(2);
        s.end();
        s.local_get(P).i32_const(8).i32_add().local_set(P);
        s.local_get(Q).i32_const(8).i32_add().local_set(Q).br(0);
        s.end().end();
        s.local_get(ORDER).i32_eqz().if_(EMPTY);
        s.local_get(FIRST_CHILD).local_get(MID).i32_add().local_set(H).br(2);
        s.end();
        s.local_get(ORDER).i32_const(0).i32_lt_s().if_(EMPTY);
        s.local_get(MID).local_set(HI).else_().local_get(MID).i32_const(1).i32_add().local_set(LO).end();
        s.br(0);
        s.end().end();
        s.else_();
        s.local_get(TAG).i32_const(7).i32_and().i32_const(int(kind::ARRAY)).i32_ne();
        return_if(s, minus_one);
        // A decimal index: 1 to 10 digits, no leading zero, below the count.
        s.local_get(SEGLEN).i32_eqz().local_get(SEGLEN).i32_const(10).i32_gt_u().i32_or();
        return_if(s, minus_one);
        s.local_get(SEGLEN).i32_const(1).i32_gt_u();
        s.local_get(SEG).i32_load8_u(m8(0)).i32_const(i32::from(b'0')).i32_eq().i32_and();
        return_if(s, minus_one);
        s.i64_const(0).local_set(INDEX);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(POS).local_get(END).i32_ge_u().br_if(1);
        s.local_get(QUERY)
            .local_get(POS)
            .i32_add()
            .i32_load8_u(m8(0))
            .i32_const(i32::from(b'0'))
            .i32_sub()
            .local_tee(T);
        s.i32_const(9).i32_gt_u();
        return_if(s, minus_one);
        s.local_get(INDEX).i64_const(10).i64_mul().local_get(T).i64_extend_i32_u().i64_add().local_set(INDEX);
        s.local_get(POS).i32_const(1).i32_add().local_set(POS).br(0);
        s.end().end();
        s.local_get(INDEX).local_get(AT).call(SIZE).i64_extend_i32_u().i64_ge_u();
        return_if(s, minus_one);
        s.local_get(AT).call(FIRST).local_get(INDEX).i32_wrap_i64().i32_add().local_set(H);
        s.end();
        s.local_get(END).local_set(POS).br(0);
        s.end();
        s.unreachable();
    })
}

/// `walk_escaped(len)`: [`lookup`]'s path for a pointer with a `~` in it, walked segment by
/// segment a byte at a time: every `~` must be followed by `0` or `1`, and each key is compared
/// with `~0` and `~1` read as `~` and `/`. Locals 1 query, 2 pos, 3 end, 4 handle, 5 address,
/// 6 kind, 7 scratch, 8 index (i64).
fn walk_escaped() -> Function {
    body(&[(7, I32), (1, I64)], |s| {
        too_long(s);
        return_if(s, minus_one);
        hdr(s, field::QUERY);
        s.local_set(1);
        // Every `~` is followed by `0` or `1`, else the pointer is malformed.
        s.i32_const(0).local_set(2);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(2).local_get(0).i32_ge_u().br_if(1);
        s.local_get(1).local_get(2).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'~')).i32_eq();
        s.if_(EMPTY);
        s.local_get(2).i32_const(1).i32_add().local_get(0).i32_ge_u();
        return_if(s, minus_one);
        s.local_get(1).local_get(2).i32_add().i32_load8_u(m8(1)).local_tee(7);
        s.i32_const(i32::from(b'0')).i32_ne().local_get(7).i32_const(i32::from(b'1')).i32_ne().i32_and();
        return_if(s, minus_one);
        s.end();
        s.local_get(2).i32_const(1).i32_add().local_set(2).br(0);
        s.end().end();
        // The walk from the root.
        s.i32_const(0).local_set(4).i32_const(0).local_set(2);
        s.loop_(EMPTY);
        s.local_get(2).local_get(0).i32_eq();
        return_if(s, |s| {
            s.local_get(4);
        });
        s.local_get(1).local_get(2).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'/')).i32_ne();
        return_if(s, minus_one);
        s.local_get(2).i32_const(1).i32_add().local_tee(2).local_set(3);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(3).local_get(0).i32_ge_u().br_if(1);
        s.local_get(1).local_get(3).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'/')).i32_eq().br_if(1);
        s.local_get(3).i32_const(1).i32_add().local_set(3).br(0);
        s.end().end();
        s.local_get(4).call(ADDR).local_tee(5).i32_eqz();
        return_if(s, minus_one);
        s.local_get(5).i32_load(m32(0)).i32_const(7).i32_and().local_tee(6).i32_const(int(kind::OBJECT)).i32_eq();
        s.if_(EMPTY);
        s.local_get(4).local_get(1).local_get(2).i32_add().local_get(3).local_get(2).i32_sub().i32_const(1);
        s.call(FIND).local_tee(4).i32_const(0).i32_lt_s();
        return_if(s, minus_one);
        s.else_();
        s.local_get(6).i32_const(int(kind::ARRAY)).i32_ne();
        return_if(s, minus_one);
        // A decimal index: 1 to 10 digits, no leading zero, below the count.
        s.local_get(3).local_get(2).i32_sub().local_tee(7).i32_eqz().local_get(7).i32_const(10).i32_gt_u().i32_or();
        return_if(s, minus_one);
        s.local_get(7).i32_const(1).i32_gt_u();
        s.local_get(1).local_get(2).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'0')).i32_eq().i32_and();
        return_if(s, minus_one);
        s.i64_const(0).local_set(8);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(2).local_get(3).i32_ge_u().br_if(1);
        s.local_get(1).local_get(2).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'0')).i32_sub().local_tee(7);
        s.i32_const(9).i32_gt_u();
        return_if(s, minus_one);
        s.local_get(8).i64_const(10).i64_mul().local_get(7).i64_extend_i32_u().i64_add().local_set(8);
        s.local_get(2).i32_const(1).i32_add().local_set(2).br(0);
        s.end().end();
        s.local_get(8).local_get(5).call(SIZE).i64_extend_i32_u().i64_ge_u();
        return_if(s, minus_one);
        s.local_get(5).call(FIRST).local_get(8).i32_wrap_i64().i32_add().local_set(4);
        s.end();
        s.local_get(3).local_set(2).br(0);
        s.end();
        s.unreachable();
    })
}

/// `section_hash(len)`: the query is a section id. Each group is tried in turn (a handful: one
/// per kind of section); a group of named sections matches its prefix (`spawn_config/`) and finds
/// the name among its node's children by binary search, a single section matches its whole id.
/// The section's canonical bytes are then hashed as a Merkle leaf ([`leaf`]). Locals 1 query,
/// 2 group index, 3 group address, 4 text length, 5 child.
fn section_hash() -> Function {
    body(&[(5, I32)], |s| {
        too_long(s);
        return_if(s, zero64);
        hdr(s, field::QUERY);
        s.local_set(1).i32_const(0).local_set(2);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(2);
        hdr(s, field::SECTIONS + 4);
        s.i32_ge_u().br_if(1);
        hdr(s, field::SECTIONS);
        s.local_get(2).i32_const(int(GROUP_SIZE)).i32_mul().i32_add().local_tee(3).i32_load(m32(4)).local_set(4);
        s.local_get(3).i32_load(m32(16)).if_(EMPTY);
        // Named: the query starts with the prefix, and the rest is a child's key.
        s.local_get(0).local_get(4).i32_ge_u().if_(EMPTY);
        s.local_get(1).local_get(4).i32_const(0).local_get(3).i32_load(m32(0)).local_get(4).i32_const(0).i32_const(0);
        s.call(CMP).i32_eqz().if_(EMPTY);
        s.local_get(3).i32_load(m32(8)).local_get(1).local_get(4).i32_add().local_get(0).local_get(4).i32_sub();
        s.i32_const(0).call(FIND).local_tee(5).i32_const(0).i32_lt_s();
        return_if(s, zero64);
        s.local_get(1).local_get(0);
        s.local_get(3).i32_load(m32(12));
        s.local_get(5).local_get(3).i32_load(m32(8)).call(ADDR).call(FIRST).i32_sub();
        s.i32_const(int(RANGE_SIZE)).i32_mul().i32_add();
        s.call(LEAF).return_();
        s.end().end();
        s.else_();
        // Single: the query is the whole id.
        s.local_get(1).local_get(0).i32_const(0).local_get(3).i32_load(m32(0)).local_get(4).i32_const(0).i32_const(0);
        s.call(CMP).i32_eqz();
        return_if(s, |s| {
            s.local_get(1).local_get(0).local_get(3).i32_load(m32(12)).call(LEAF);
        });
        s.end();
        s.local_get(2).i32_const(1).i32_add().local_set(2).br(0);
        s.end().end();
        s.i64_const(0);
    })
}

/// `leaf(id, len, range)`: SHA-256 of `0x00 ‖ id ‖ 0x00 ‖ the bytes the range entry names`
/// (RFC 6962's leaf hash, as `artifact::merkle::leaf`), written as `sha256:<hex>` into the out
/// area; the out area, packed. Locals 3 byte index, 4 out, 5 byte, 6 (i64) the length in bits.
fn leaf() -> Function {
    body(&[(3, I32), (1, I64)], |s| {
        s.call(SHA_INIT);
        s.i32_const(0).call(SHA_BYTE);
        s.local_get(0).local_get(1).call(SHA_SPAN);
        s.i32_const(0).call(SHA_BYTE);
        s.local_get(2).i32_load(m32(0)).local_get(2).i32_load(m32(4)).call(SHA_SPAN);
        sha_final(s);
        hdr(s, field::OUT);
        s.local_set(4).i32_const(0).local_set(3);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(3).i32_const(32).i32_ge_u().br_if(1);
        // Byte j of the digest: the big-endian bytes of the state words.
        s.local_get(3).i32_const(-4).i32_and().i32_load(m32(sha::STATE));
        s.i32_const(24).local_get(3).i32_const(3).i32_and().i32_const(3).i32_shl().i32_sub().i32_shr_u();
        s.i32_const(255).i32_and().local_set(5);
        for (shift, at) in [(true, 7), (false, 8)] {
            s.local_get(4).local_get(3).i32_const(1).i32_shl().i32_add();
            s.local_get(5);
            if shift {
                s.i32_const(4).i32_shr_u();
            } else {
                s.i32_const(15).i32_and();
            }
            s.call(HEX).i32_store8(m8(at));
        }
        s.local_get(3).i32_const(1).i32_add().local_set(3).br(0);
        s.end().end();
        s.i32_const(int(HEADER + field::OUT)).call(PACK_AT);
    })
}

/// The end of a SHA-256 message, inline in [`leaf`]: `0x80`, zeros up to 56 bytes into a block,
/// then the message length in bits, big-endian (the last byte compresses the last block).
/// Local 6 (i64) holds the length.
fn sha_final(s: &mut InstructionSink<'_>) {
    s.i32_const(0).i32_load(m32(sha::COUNT)).i64_extend_i32_u().i64_const(3).i64_shl().local_set(6);
    s.i32_const(0x80).call(SHA_BYTE);
    s.block(EMPTY).loop_(EMPTY);
    s.i32_const(0).i32_load(m32(sha::COUNT)).i32_const(63).i32_and().i32_const(56).i32_eq().br_if(1);
    s.i32_const(0).call(SHA_BYTE).br(0);
    s.end().end();
    for shift in (0..8).rev() {
        s.local_get(6).i64_const(8 * shift).i64_shr_u().i32_wrap_i64().i32_const(255).i32_and().call(SHA_BYTE);
    }
}

/// SHA-256 (FIPS 180-4) over a message fed a byte at a time, its state at the fixed addresses
/// of [`sha`]: `sha_init()`, `sha_byte(b)`, `sha_span(ptr, len)` and `sha_block()`, which
/// compresses the full block into the state.
fn sha256() -> [Function; 4] {
    // sha_init(): the initial hash value, no bytes yet.
    let init = body(&[], |s| {
        for word in 0..8 {
            s.i32_const(0).i32_const(0).i32_load(m32(sha::INIT + 4 * word)).i32_store(m32(sha::STATE + 4 * word));
        }
        s.i32_const(0).i32_const(0).i32_store(m32(sha::COUNT));
    });
    // sha_byte(b): locals 1 count.
    let byte = body(&[(1, I32)], |s| {
        s.i32_const(0).i32_load(m32(sha::COUNT)).local_tee(1).i32_const(63).i32_and();
        s.local_get(0).i32_store8(m8(sha::BLOCK));
        s.i32_const(0).local_get(1).i32_const(1).i32_add().local_tee(1).i32_store(m32(sha::COUNT));
        s.local_get(1).i32_const(63).i32_and().i32_eqz().if_(EMPTY).call(SHA_BLOCK).end();
    });
    // sha_span(ptr, len): locals 2 i.
    let span = body(&[(1, I32)], |s| {
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(2).local_get(1).i32_ge_u().br_if(1);
        s.local_get(0).local_get(2).i32_add().i32_load8_u(m8(0)).call(SHA_BYTE);
        s.local_get(2).i32_const(1).i32_add().local_set(2).br(0);
        s.end().end();
    });
    // sha_block(): locals 0 i, 1..=8 the working variables a..h, 9 t1, 10 t2, 11 x.
    let block = body(&[(12, I32)], |s| {
        const T1: u32 = 9;
        const T2: u32 = 10;
        const X: u32 = 11;
        let (a, b, c, d, e, f, g, h) = (1, 2, 3, 4, 5, 6, 7, 8);
        let count_loop = |s: &mut InstructionSink<'_>, from: i32, to: i32, step: &dyn Fn(&mut InstructionSink<'_>)| {
            s.i32_const(from).local_set(0);
            s.block(EMPTY).loop_(EMPTY);
            s.local_get(0).i32_const(to).i32_ge_u().br_if(1);
            step(s);
            s.local_get(0).i32_const(1).i32_add().local_set(0).br(0);
            s.end().end();
        };
        // W[0..16]: the block's big-endian words.
        count_loop(s, 0, 16, &|s| {
            s.local_get(0).i32_const(2).i32_shl();
            for byte in 0..4 {
                s.local_get(0).i32_const(2).i32_shl().i32_load8_u(m8(sha::BLOCK + byte));
                s.i32_const(int(24 - 8 * byte)).i32_shl();
                if byte > 0 {
                    s.i32_or();
                }
            }
            s.i32_store(m32(sha::W));
        });
        // W[16..64] = σ1(W[i-2]) + W[i-7] + σ0(W[i-15]) + W[i-16].
        let sigma = |s: &mut InstructionSink<'_>, back: u32, r1: i32, r2: i32, sh: i32| {
            s.local_get(0).i32_const(2).i32_shl().i32_load(m32(sha::W - 4 * back)).local_tee(X);
            s.i32_const(r1).i32_rotr().local_get(X).i32_const(r2).i32_rotr().i32_xor();
            s.local_get(X).i32_const(sh).i32_shr_u().i32_xor();
        };
        count_loop(s, 16, 64, &|s| {
            s.local_get(0).i32_const(2).i32_shl();
            sigma(s, 15, 7, 18, 3);
            s.local_get(0).i32_const(2).i32_shl().i32_load(m32(sha::W - 64)).i32_add();
            s.local_get(0).i32_const(2).i32_shl().i32_load(m32(sha::W - 28)).i32_add();
            sigma(s, 2, 17, 19, 10);
            s.i32_add().i32_store(m32(sha::W));
        });
        for (i, var) in (0u32..).zip([a, b, c, d, e, f, g, h]) {
            s.i32_const(0).i32_load(m32(sha::STATE + 4 * i)).local_set(var);
        }
        let big_sigma = |s: &mut InstructionSink<'_>, v: u32, r: [i32; 3]| {
            s.local_get(v).i32_const(r[0]).i32_rotr();
            s.local_get(v).i32_const(r[1]).i32_rotr().i32_xor();
            s.local_get(v).i32_const(r[2]).i32_rotr().i32_xor();
        };
        count_loop(s, 0, 64, &|s| {
            // t1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]
            s.local_get(h);
            big_sigma(s, e, [6, 11, 25]);
            s.i32_add();
            s.local_get(e).local_get(f).i32_and().local_get(e).i32_const(-1).i32_xor().local_get(g).i32_and();
            s.i32_xor().i32_add();
            s.local_get(0).i32_const(2).i32_shl().i32_load(m32(sha::K)).i32_add();
            s.local_get(0).i32_const(2).i32_shl().i32_load(m32(sha::W)).i32_add().local_set(T1);
            // t2 = Σ0(a) + Maj(a, b, c)
            big_sigma(s, a, [2, 13, 22]);
            s.local_get(a).local_get(b).i32_and().local_get(a).local_get(c).i32_and().i32_xor();
            s.local_get(b).local_get(c).i32_and().i32_xor().i32_add().local_set(T2);
            s.local_get(g).local_set(h).local_get(f).local_set(g).local_get(e).local_set(f);
            s.local_get(d).local_get(T1).i32_add().local_set(e);
            s.local_get(c).local_set(d).local_get(b).local_set(c).local_get(a).local_set(b);
            s.local_get(T1).local_get(T2).i32_add().local_set(a);
        });
        for (i, var) in (0u32..).zip([a, b, c, d, e, f, g, h]) {
            let at = sha::STATE + 4 * i;
            s.i32_const(0).i32_const(0).i32_load(m32(at)).local_get(var).i32_add().i32_store(m32(at));
        }
    });
    [init, byte, span, block]
}

/// `loot_pick(len, roll)`: locals 2 node, 3 first item, 4 item count, 5 i, 6 total, 7 r, 8 weight.
fn loot_pick() -> Function {
    body(&[(4, I32), (3, I64)], |s| {
        too_long(s);
        return_if(s, zero64);
        // /loot_tables, then the table named by the query, then its items.
        s.i32_const(0);
        hdr(s, field::LOOT_TABLES);
        hdr(s, field::LOOT_TABLES + 4);
        s.i32_const(0).call(FIND).local_tee(2).i32_const(0).i32_lt_s();
        return_if(s, zero64);
        s.local_get(2);
        hdr(s, field::QUERY);
        s.local_get(0).i32_const(0).call(FIND).local_tee(2).i32_const(0).i32_lt_s();
        return_if(s, zero64);
        s.local_get(2);
        hdr(s, field::ITEMS);
        hdr(s, field::ITEMS + 4);
        s.i32_const(0).call(FIND).local_tee(2).call(KIND).i32_const(int(kind::OBJECT)).i32_ne();
        return_if(s, zero64);
        s.local_get(2).call(COUNT).local_set(4);
        s.local_get(2).call(ADDR).call(FIRST).local_set(3);
        // The total weight.
        s.i64_const(0).local_set(6).i32_const(0).local_set(5);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(5).local_get(4).i32_ge_u().br_if(1);
        s.local_get(3).local_get(5).i32_add().call(WEIGHT).local_tee(8).i64_const(0).i64_lt_s();
        return_if(s, zero64);
        s.local_get(6).local_get(8).i64_add().local_set(6);
        s.local_get(5).i32_const(1).i32_add().local_set(5).br(0);
        s.end().end();
        s.local_get(6).i64_eqz();
        return_if(s, zero64);
        // r = roll mod total (unsigned); the first item whose cumulative weight exceeds r.
        s.local_get(1).local_get(6).i64_rem_u().local_set(7);
        s.i64_const(0).local_set(6).i32_const(0).local_set(5);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(5).local_get(4).i32_ge_u().br_if(1);
        s.local_get(6).local_get(3).local_get(5).i32_add().call(WEIGHT).i64_add().local_tee(6);
        s.local_get(7).i64_gt_u();
        return_if(s, |s| {
            s.local_get(2).local_get(5).call(CHILD_KEY);
        });
        s.local_get(5).i32_const(1).i32_add().local_set(5).br(0);
        s.end().end();
        s.i64_const(0);
    })
}

/// `compare(s, slen, esc, a, alen, b, blen)`: -1, 0 or 1 as the bytes `s` (with RFC 6901's `~0`
/// and `~1` read as `~` and `/` when `esc`) sort before, equal or after `a` then `b`. Locals
/// 7 i, 8 j, 9 byte of s, 10 byte of a‖b, 11 alen + blen.
fn compare() -> Function {
    body(&[(5, I32)], |s| {
        s.local_get(4).local_get(6).i32_add().local_set(11);
        s.loop_(EMPTY);
        s.local_get(7).local_get(1).i32_ge_u();
        return_if(s, |s| {
            s.i32_const(0).i32_const(-1).local_get(8).local_get(11).i32_ge_u().select();
        });
        s.local_get(8).local_get(11).i32_ge_u();
        return_if(s, |s| {
            s.i32_const(1);
        });
        s.local_get(0).local_get(7).i32_add().i32_load8_u(m8(0)).local_set(9);
        s.local_get(7).i32_const(1).i32_add().local_set(7);
        s.local_get(2).local_get(9).i32_const(i32::from(b'~')).i32_eq().i32_and().if_(EMPTY);
        s.i32_const(i32::from(b'/')).i32_const(i32::from(b'~'));
        s.local_get(0).local_get(7).i32_add().i32_load8_u(m8(0)).i32_const(i32::from(b'1')).i32_eq().select();
        s.local_set(9).local_get(7).i32_const(1).i32_add().local_set(7);
        s.end();
        s.local_get(8).local_get(4).i32_lt_u().if_(BlockType::Result(I32));
        s.local_get(3).local_get(8).i32_add().i32_load8_u(m8(0));
        s.else_();
        s.local_get(5).local_get(8).local_get(4).i32_sub().i32_add().i32_load8_u(m8(0));
        s.end().local_set(10);
        s.local_get(8).i32_const(1).i32_add().local_set(8);
        s.local_get(9).local_get(10).i32_lt_u();
        return_if(s, minus_one);
        s.local_get(9).local_get(10).i32_gt_u();
        return_if(s, |s| {
            s.i32_const(1);
        });
        s.br(0);
        s.end();
        s.unreachable();
    })
}

/// `find(h, s, slen, esc)`: the child of object `h` whose key is `s`, by binary search; -1 when
/// there is none or `h` is not an object. Locals 4 address, 5 lo, 6 hi, 7 mid, 8 order,
/// 9 first child, 10 key entry.
fn find() -> Function {
    body(&[(7, I32)], |s| {
        s.local_get(0).call(ADDR).local_tee(4).i32_eqz();
        return_if(s, minus_one);
        s.local_get(4).i32_load(m32(0)).i32_const(7).i32_and().i32_const(int(kind::OBJECT)).i32_ne();
        return_if(s, minus_one);
        s.local_get(4).call(FIRST).local_set(9).local_get(4).call(SIZE).local_set(6);
        s.block(EMPTY).loop_(EMPTY);
        s.local_get(5).local_get(6).i32_ge_u().br_if(1);
        s.local_get(5).local_get(6).i32_add().i32_const(1).i32_shr_u().local_set(7);
        s.local_get(9).local_get(7).i32_add().call(ADDR).call(KEY).local_set(10);
        s.local_get(1).local_get(2).local_get(3);
        s.local_get(10).i32_load(m32(0)).local_get(10).i32_load(m32(4)).i32_const(0).i32_const(0);
        s.call(CMP).local_tee(8).i32_eqz();
        return_if(s, |s| {
            s.local_get(9).local_get(7).i32_add();
        });
        s.local_get(8).i32_const(0).i32_lt_s().if_(EMPTY);
        s.local_get(7).local_set(6).else_().local_get(7).i32_const(1).i32_add().local_set(5).end();
        s.br(0);
        s.end().end();
        s.i32_const(-1);
    })
}

#[cfg(test)]
mod tests {
    //! `lookup`'s word-at-a-time walk against serde_json's RFC 6901 pointers, on keys chosen for
    //! its edges: empty keys, keys with `~` and `/`, keys longer than a word, keys that differ
    //! only in their last byte or at a word's boundary, keys that are prefixes of others, bytes
    //! above 0x7f, and a query that fills the whole buffer.

    use serde_json::{json, Value};
    use wasmi::{Engine, Instance, Linker, Memory, Module, Store};

    use crate::artifact::compiled::Compiled;
    use crate::codegen::wasm::module;

    struct Host {
        store: Store<()>,
        instance: Instance,
        memory: Memory,
        query: usize,
        capacity: usize,
    }

    impl Host {
        fn new(value: Value) -> Host {
            let bytes = module(&Compiled::new(value)).expect("module");
            let engine = Engine::default();
            let module = Module::new(&engine, &bytes).expect("wasmi accepts it");
            let mut store = Store::new(&engine, ());
            let instance = Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).expect("instance");
            let memory = instance.get_memory(&store, "memory").expect("memory");
            let query = instance.get_typed_func::<(), i64>(&store, "query").expect("query");
            let packed = query.call(&mut store, ()).expect("query()") as u64;
            let (query, capacity) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
            Host { store, instance, memory, query, capacity }
        }

        fn call(&mut self, name: &str, args: (i32, i32)) -> i32 {
            if name == "lookup" || name == "kind" || name == "count" {
                let f = self.instance.get_typed_func::<i32, i32>(&self.store, name).expect(name);
                return f.call(&mut self.store, args.0).expect(name);
            }
            let f = self.instance.get_typed_func::<(i32, i32), i32>(&self.store, name).expect(name);
            f.call(&mut self.store, args).expect(name)
        }

        fn lookup(&mut self, pointer: &[u8]) -> i32 {
            let n = pointer.len().min(self.capacity);
            self.memory.data_mut(&mut self.store)[self.query..self.query + n].copy_from_slice(&pointer[..n]);
            self.call("lookup", (i32::try_from(pointer.len()).expect("len"), 0))
        }

        fn child_key(&mut self, h: i32, i: i32) -> String {
            let f = self.instance.get_typed_func::<(i32, i32), i64>(&self.store, "child_key").expect("child_key");
            let packed = f.call(&mut self.store, (h, i)).expect("child_key") as u64;
            let (ptr, len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
            String::from_utf8(self.memory.data(&self.store)[ptr..ptr + len].to_vec()).expect("UTF-8")
        }
    }

    fn escape(key: &str) -> String {
        key.replace('~', "~0").replace('/', "~1")
    }

    /// Every node's pointer and handle, found through `count`, `child` and `child_key`.
    fn every_pointer(host: &mut Host, h: i32, pointer: &str, out: &mut Vec<(String, i32)>) {
        out.push((pointer.to_string(), h));
        let kind = host.call("kind", (h, 0));
        for i in 0..host.call("count", (h, 0)) {
            let child = host.call("child", (h, i));
            let segment = if kind == 6 { escape(&host.child_key(h, i)) } else { i.to_string() };
            every_pointer(host, child, &format!("{pointer}/{segment}"), out);
        }
    }

    const KEYS: [&str; 30] = [
        "",
        "a",
        "~",
        "/",
        "~0",
        "~1",
        "a~b",
        "a/b",
        "a~",
        "abcdefg~",
        "abcdefgh~",
        "abcdefg/",
        "abcdefg",
        "abcdefgh",
        "abcdefgi",
        "abcdefghi",
        "abcdefghj",
        "abcdefgha",
        "region_00001",
        "region_00002",
        "region_00010",
        "region_000010",
        "region_00001_and_then_some_more",
        "region_00001_and_then_some_mord",
        "\u{7f}",
        "é",
        "éa",
        "ÿ",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
        "tab\tnewline\n",
    ];

    fn ruleset() -> Value {
        let mut inner = serde_json::Map::new();
        for (i, key) in (0..).zip(KEYS) {
            inner.insert(key.to_string(), json!(i));
        }
        let inner = Value::Object(inner);
        let mut outer = serde_json::Map::new();
        for (i, key) in KEYS.iter().enumerate() {
            // Each key at the outer level too, over a different subtree for some.
            let value = if i % 3 == 0 { inner.clone() } else { json!([i, {"": i, key.to_string(): [inner.clone()]}]) };
            outer.insert((*key).to_string(), value);
        }
        Value::Object(outer)
    }

    /// Runs `test` on a thread with a large stack: wasmi's debug build without `auto-dispatch`
    /// (the root crate's dev-dependency) recurses per instruction, and a long loop needs room.
    fn with_stack(test: fn()) {
        let thread = std::thread::Builder::new().stack_size(1 << 30).spawn(test).expect("thread");
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn every_pointer_finds_its_node_and_every_near_miss_is_absent() {
        with_stack(every_pointer_and_near_miss);
    }

    #[test]
    fn a_query_that_fills_the_buffer_is_read_to_its_last_byte_and_no_further() {
        with_stack(full_buffer);
    }

    fn every_pointer_and_near_miss() {
        let value = ruleset();
        let mut host = Host::new(value.clone());
        let mut pointers = Vec::new();
        every_pointer(&mut host, 0, "", &mut pointers);
        assert!(pointers.len() > 1000, "{}", pointers.len());
        for (pointer, handle) in &pointers {
            assert_eq!(host.lookup(pointer.as_bytes()), *handle, "lookup({pointer:?})");
            assert!(value.pointer(pointer).is_some(), "{pointer:?}");
        }
        // Near misses: each pointer with a byte added, its last byte changed or dropped; absent
        // exactly when serde_json finds nothing there.
        for (pointer, _) in pointers.iter().filter(|(p, _)| !p.is_empty()) {
            let mut misses = vec![format!("{pointer}x"), format!("{pointer}\u{0}"), format!("{pointer}/")];
            let mut chars: Vec<char> = pointer.chars().collect();
            chars.pop();
            misses.push(chars.iter().collect());
            if let Some(last) = chars.last_mut() {
                if *last != '~' {
                    *last = char::from_u32(*last as u32 + 1).unwrap_or('a');
                    misses.push(chars.iter().collect());
                }
            }
            for miss in misses {
                if miss.contains('~') && miss.split('~').skip(1).any(|s| !s.starts_with(['0', '1'])) {
                    assert_eq!(host.lookup(miss.as_bytes()), -1, "malformed {miss:?}");
                    continue;
                }
                let found = host.lookup(miss.as_bytes());
                match value.pointer(&miss) {
                    None => assert_eq!(found, -1, "lookup({miss:?})"),
                    Some(_) => {
                        let expected = pointers.iter().find(|(p, _)| *p == miss).map(|(_, h)| *h);
                        assert_eq!(Some(found), expected, "lookup({miss:?})");
                    }
                }
            }
        }
    }

    #[test]
    fn kind_and_as_i64_read_every_scalar_and_trap_on_the_rest() {
        with_stack(scalars);
    }

    fn scalars() {
        let value = json!({
            "big": 1_i64 << 40, "neg": -(1_i64 << 40), "max": i64::MAX, "min": i64::MIN, "small": -5,
            "t": true, "f": false, "n": null, "x": 2.5, "s": "text", "a": [1], "o": {"k": 1},
        });
        let mut host = Host::new(value.clone());
        let mut pointers = Vec::new();
        every_pointer(&mut host, 0, "", &mut pointers);
        let as_i64 = host.instance.get_typed_func::<i32, i64>(&host.store, "as_i64").expect("as_i64");
        for (pointer, handle) in &pointers {
            let expected = value.pointer(pointer).expect("a node");
            let kind = host.call("kind", (*handle, 0));
            let read = as_i64.call(&mut host.store, *handle);
            match expected {
                Value::Bool(b) => assert_eq!((kind, read.ok()), (1, Some(i64::from(*b))), "{pointer}"),
                Value::Number(n) if n.is_i64() => assert_eq!((kind, read.ok()), (2, n.as_i64()), "{pointer}"),
                _ => assert!(read.is_err(), "as_i64({pointer}) traps"),
            }
        }
        // One past the last node, and beyond: -1 for kind, a trap for as_i64.
        let nodes = pointers.iter().map(|(_, h)| *h).max().unwrap_or(0) + 1;
        for bad in [nodes, nodes + 1, -1, i32::MAX, i32::MIN] {
            assert_eq!(host.call("kind", (bad, 0)), -1, "kind({bad})");
            assert!(as_i64.call(&mut host.store, bad).is_err(), "as_i64({bad})");
        }
    }

    fn full_buffer() {
        let mut host = Host::new(ruleset());
        let capacity = host.capacity;
        for tail in [0, 1, 7, 8, 9] {
            // Ends with its last segment in the buffer's last bytes: absent, never a trap.
            let mut query = vec![b'/'; 1];
            query.resize(capacity - tail, b'z');
            query.resize(capacity, b'/');
            assert_eq!(host.lookup(&query), -1, "a {capacity}-byte query ending in {tail} slashes");
        }
        let mut query = b"/zzzzzzzzzzzzzzzzzzzzzzzz/".to_vec();
        query.resize(capacity, b'z');
        assert_eq!(host.lookup(&query), -1);
        assert_eq!(host.lookup(&vec![b'/'; capacity + 1]), -1, "over the buffer");
        // A tilde in the buffer's last byte is a malformed escape.
        let mut query = vec![b'a'; capacity];
        query[0] = b'/';
        query[capacity - 1] = b'~';
        assert_eq!(host.lookup(&query), -1);
    }
}
