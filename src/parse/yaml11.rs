//! What a plain YAML scalar means to each reader that matters: the YAML 1.2 core schema
//! (rulesctl's own reading), Helm's reader (go-yaml v2 behind sigs.k8s.io/yaml, which
//! converts through JSON) and the YAML 1.1 type repository (bool, int, float, null,
//! timestamp, merge, value) as YAML 1.1 tools such as PyYAML apply it. A plain scalar is
//! ambiguous when any two of them disagree; `tests/integration/yaml11.rs` holds each reading
//! against real Helm.

use serde_json::{Number, Value};

/// One reader's reading of a plain scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    /// The text itself, as a string.
    Str,
    /// A YAML 1.1 timestamp (Helm keeps the text; YAML 1.1 tools make a date of it).
    Timestamp,
    /// YAML 1.1's merge key `<<`.
    Merge,
    /// YAML 1.1's `=` (the "value" type), which YAML 1.1 tools refuse to construct.
    ValueKey,
    /// A float JSON cannot hold (`.inf`, `.nan`): Helm refuses the file.
    Unrepresentable,
}

impl Reading {
    /// Whether two readings give the same data (numbers compare by value: Helm turns every
    /// number into a float64 anyway, so `1` and `1.0` are one value to it).
    pub fn same(&self, other: &Reading) -> bool {
        match (self, other) {
            (Reading::Int(a), Reading::Int(b)) => a == b,
            (Reading::Int(i), Reading::Float(f)) | (Reading::Float(f), Reading::Int(i)) => (*i as f64) == *f,
            (Reading::Float(a), Reading::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            _ => self == other,
        }
    }

    /// What it is, in words, for a message.
    pub fn describe(&self, text: &str) -> String {
        match self {
            Reading::Null => "null (no value)".into(),
            Reading::Bool(b) => format!("the boolean {b}"),
            Reading::Int(i) => format!("the number {i}"),
            Reading::Float(f) if f.is_nan() => "not-a-number (which Helm cannot read)".into(),
            Reading::Float(f) if f.is_infinite() => "infinity (which Helm cannot read)".into(),
            Reading::Float(f) => format!("the number {f}"),
            Reading::Str => format!("the text \"{text}\""),
            Reading::Timestamp => "a timestamp".into(),
            Reading::Merge => "a merge key".into(),
            Reading::ValueKey => "the YAML 1.1 \"value\" key".into(),
            Reading::Unrepresentable => "a number Helm cannot read (it refuses the file)".into(),
        }
    }

    /// How to write this reading so every reader agrees, when it can be written at all.
    pub fn unambiguous(&self, text: &str) -> Option<String> {
        match self {
            Reading::Null => Some("null".into()),
            Reading::Bool(b) => Some(b.to_string()),
            Reading::Int(i) => Some(i.to_string()),
            Reading::Float(f) if f.is_finite() => {
                Number::from_f64(*f).map(|n| crate::parse::yaml11::float_text(&n.to_string()))
            }
            Reading::Str | Reading::Timestamp => Some(Value::String(text.to_string()).to_string()),
            _ => None,
        }
    }

    /// The JSON value of this reading, when it has one.
    pub fn value(&self, text: &str) -> Option<Value> {
        match self {
            Reading::Null => Some(Value::Null),
            Reading::Bool(b) => Some(Value::Bool(*b)),
            Reading::Int(i) => i64::try_from(*i)
                .map(|i| Value::Number(i.into()))
                .ok()
                .or_else(|| Number::from_f64(*i as f64).map(Value::Number)),
            Reading::Float(f) => Number::from_f64(*f).map(Value::Number),
            Reading::Str | Reading::Timestamp => Some(Value::String(text.to_string())),
            _ => None,
        }
    }

    /// Whether a JSON Schema `type` admits this reading.
    pub fn has_type(&self, ty: &str) -> bool {
        match (self, ty) {
            (Reading::Null, "null") | (Reading::Bool(_), "boolean") => true,
            (Reading::Int(_), "integer" | "number") | (Reading::Float(_), "number") => true,
            (Reading::Float(f), "integer") => f.is_finite() && f.fract() == 0.0,
            (Reading::Str | Reading::Timestamp, "string") => true,
            _ => false,
        }
    }
}

/// A plain scalar the readers disagree on: each distinct reading, with who reads it so.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    pub core: Reading,
    pub helm: Reading,
    pub yaml11: Reading,
}

impl Disagreement {
    /// The distinct readings, each with the readers that take it.
    pub fn readings(&self) -> Vec<(&Reading, Vec<&'static str>)> {
        let mut out: Vec<(&Reading, Vec<&'static str>)> = Vec::new();
        for (reading, who) in [(&self.helm, "Helm"), (&self.yaml11, "YAML 1.1"), (&self.core, "YAML 1.2")] {
            match out.iter_mut().find(|(r, _)| r.same(reading)) {
                Some((_, names)) => names.push(who),
                None => out.push((reading, vec![who])),
            }
        }
        out
    }
}

/// How the three readers read a plain scalar, when they do not all agree.
pub fn disagreement(text: &str) -> Option<Disagreement> {
    let d = Disagreement { core: core(text), helm: helm(text), yaml11: yaml11(text) };
    (!(d.core.same(&d.helm) && d.core.same(&d.yaml11))).then_some(d)
}

/// How Helm reads a plain mapping key: sigs.k8s.io/yaml turns a key go-yaml reads as a bool or
/// number into its text (`on` is the key `true`, `0755` the key `493`); `None` when Helm
/// refuses the key (a null key, a number too large).
pub fn helm_key(text: &str) -> Option<String> {
    match helm(text) {
        Reading::Str | Reading::Timestamp | Reading::Merge | Reading::ValueKey => Some(text.to_string()),
        Reading::Bool(b) => Some(b.to_string()),
        Reading::Int(i) if i64::try_from(i).is_ok() => Some(i.to_string()),
        // Go's FormatFloat(f, 'g', -1, 32): Helm's key for `1.5` is "1.5", for `1.0` is "1".
        Reading::Float(f) if f.is_finite() => Some(go_float32_g(f)),
        Reading::Float(f) if f.is_nan() => Some(".nan".into()),
        Reading::Float(f) if f > 0.0 => Some(".inf".into()),
        Reading::Float(_) => Some("-.inf".into()),
        _ => None,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, for the keys it is asked about: the shortest
/// text that reads back as the same float32.
fn go_float32_g(f: f64) -> String {
    let short = format!("{}", f as f32);
    let exp = if f == 0.0 { 0 } else { (f as f32).abs().log10().floor() as i32 };
    if !(-4..21).contains(&exp) {
        // Go switches to an exponent where Rust does not; such keys are refused as ambiguous
        // anyway, so any text that differs from the source is enough.
        return format!("{:e}", f as f32);
    }
    short
}

/// The YAML 1.2 core schema (what rulesctl reads): see [`crate::parse::yaml::core_scalar`].
pub fn core(text: &str) -> Reading {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        "true" | "True" | "TRUE" => return Reading::Bool(true),
        "false" | "False" | "FALSE" => return Reading::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        _ => {}
    }
    let (sign, digits) = sign(text);
    if matches!(digits, ".inf" | ".Inf" | ".INF") {
        return Reading::Float(sign * f64::INFINITY);
    }
    if is_digits(digits) {
        return int(digits, 10, sign);
    }
    if let Some(oct) =
        text.strip_prefix("0o").filter(|d| !d.is_empty() && d.bytes().all(|b| (b'0'..=b'7').contains(&b)))
    {
        return int(oct, 8, 1.0);
    }
    if let Some(hex) = text.strip_prefix("0x").filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit())) {
        return int(hex, 16, 1.0);
    }
    if float_12(digits) {
        if let Ok(f) = digits.parse::<f64>() {
            return Reading::Float(sign * f);
        }
    }
    Reading::Str
}

/// Helm's reader: go-yaml v2's resolver (ints through Go's `ParseInt(s, 0, 64)` after dropping
/// `_`, so `0o`, `0x`, `0X`, `0b` and leading-zero octal; floats by its own pattern), with
/// timestamps kept as text, as sigs.k8s.io/yaml keeps them.
pub fn helm(text: &str) -> Reading {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Reading::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Reading::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
        | "-.INF" => return Reading::Unrepresentable,
        _ => {}
    }
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Reading::Str;
    }
    if timestamp(text) {
        return Reading::Str;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let (sign, digits) = sign(&plain);
    let go_int = |body: &str, radix: u32| {
        (!body.is_empty() && body.chars().all(|c| c.is_digit(radix))).then(|| int(body, radix, sign))
    };
    let parsed = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        go_int(hex, 16)
    } else if let Some(oct) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        go_int(oct, 8)
    } else if let Some(bin) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        go_int(bin, 2)
    } else if digits.len() > 1 && digits.starts_with('0') {
        go_int(&digits[1..], 8)
    } else {
        go_int(digits, 10)
    };
    // Go's ParseInt and ParseUint accept at most 64 bits; beyond that the float pattern decides.
    if let Some(Reading::Int(i)) = parsed {
        if (-(1i128 << 63)..(1i128 << 64)).contains(&i) {
            return Reading::Int(i);
        }
    }
    if float_go(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return Reading::Float(f);
        }
    }
    Reading::Str
}

/// The YAML 1.1 type repository, as YAML 1.1 tools resolve it: bool (y/n too), int (binary,
/// octal `0…`, decimal, hex, base 60, `_` between digits), float (a `.` required; an exponent
/// needs its sign; base 60; `.inf`, `.nan`), null, timestamp, merge (`<<`) and value (`=`).
pub fn yaml11(text: &str) -> Reading {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Reading::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Reading::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        "<<" => return Reading::Merge,
        "=" => return Reading::ValueKey,
        _ => {}
    }
    if timestamp(text) {
        return Reading::Timestamp;
    }
    let (sign, rest) = sign(text);
    if matches!(rest, ".inf" | ".Inf" | ".INF") {
        return Reading::Float(sign * f64::INFINITY);
    }
    let underscored = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_digit(radix));
    let clean = |s: &str| s.chars().filter(|&c| c != '_').collect::<String>();
    if let Some(bin) = rest.strip_prefix("0b").filter(|b| underscored(b, 2)) {
        return int(&clean(bin), 2, sign);
    }
    if let Some(hex) = rest.strip_prefix("0x").filter(|h| underscored(h, 16)) {
        return int(&clean(hex), 16, sign);
    }
    if rest.len() > 1 && rest.starts_with('0') && underscored(&rest[1..], 8) {
        return int(&clean(&rest[1..]), 8, sign);
    }
    if rest == "0" || (rest.starts_with(|c: char| ('1'..='9').contains(&c)) && underscored(rest, 10)) {
        return int(&clean(rest), 10, sign);
    }
    if let Some(n) = sexagesimal(rest) {
        return match n {
            Sexagesimal::Int(i) => Reading::Int(if sign < 0.0 { -i } else { i }),
            Sexagesimal::Float(f) => Reading::Float(sign * f),
        };
    }
    if float_11(rest) {
        if let Ok(f) = clean(rest).parse::<f64>() {
            return Reading::Float(sign * f);
        }
    }
    Reading::Str
}

enum Sexagesimal {
    Int(i128),
    Float(f64),
}

/// `1:30` (90), `190:20:30`, `1:30.5`: base 60, every part after the first 0..59.
fn sexagesimal(s: &str) -> Option<Sexagesimal> {
    let (head, fraction) = match s.rsplit_once('.') {
        Some((h, f)) if f.chars().all(|c| c.is_ascii_digit() || c == '_') => (h, Some(f)),
        _ => (s, None),
    };
    let parts: Vec<&str> = head.split(':').collect();
    if parts.len() < 2 {
        return None;
    }
    let first = parts[0];
    let first_ok = !first.is_empty()
        && first.chars().all(|c| c.is_ascii_digit() || c == '_')
        && first.starts_with(|c: char| c.is_ascii_digit())
        && (fraction.is_some() || !first.starts_with('0'));
    let rest_ok = parts[1..].iter().all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..]
            .iter()
            .all(|p| p.parse::<u32>().is_ok_and(|n| n < 60) && (p.len() == 1 || p.as_bytes()[0] <= b'5'));
    if !first_ok || !rest_ok {
        return None;
    }
    let mut total: i128 = 0;
    for p in &parts {
        let digits: String = p.chars().filter(|&c| c != '_').collect();
        total = total.checked_mul(60)?.checked_add(digits.parse::<i128>().ok()?)?;
    }
    match fraction {
        None => Some(Sexagesimal::Int(total)),
        Some(f) => {
            let digits: String = f.chars().filter(|&c| c != '_').collect();
            let frac = format!("0.{digits}").parse::<f64>().unwrap_or(0.0);
            Some(Sexagesimal::Float(total as f64 + frac))
        }
    }
}

/// YAML 1.1's timestamp: `2001-12-14`, or a date and time (`2001-12-14t21:59:43.10-05:00`,
/// `2001-12-14 21:59:43.10 -5`).
pub fn timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() == 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) {
        return true;
    }
    // The long form: year-month-day, T/t/space, hour:minute:second, optional fraction and zone.
    let Some((date, time)) = s.split_once(['T', 't', ' ', '\t']) else { return false };
    let date_parts: Vec<&str> = date.split('-').collect();
    let date_ok = date_parts.len() == 3
        && date_parts[0].len() == 4
        && date_parts[1..].iter().all(|p| (1..=2).contains(&p.len()))
        && date_parts.iter().all(|p| p.bytes().all(|c| c.is_ascii_digit()));
    let time = time.trim_start_matches([' ', '\t']);
    let clock_len = time.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(time.len());
    let clock: Vec<&str> = time[..clock_len].split(':').collect();
    let clock_ok = clock.len() == 3
        && (1..=2).contains(&clock[0].len())
        && clock[1..].iter().all(|p| p.len() == 2)
        && clock.iter().all(|p| p.bytes().all(|c| c.is_ascii_digit()));
    let mut tail = &time[clock_len..];
    if let Some(fraction) = tail.strip_prefix('.') {
        tail = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let tail = tail.trim_start_matches([' ', '\t']);
    let zone_ok = tail.is_empty() || tail == "Z" || {
        let z = tail.strip_prefix(['+', '-']).unwrap_or("x");
        let (h, m) = z.split_once(':').unwrap_or((z, "00"));
        (1..=2).contains(&h.len()) && m.len() == 2 && h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit())
    };
    date_ok && clock_ok && zone_ok
}

fn sign(text: &str) -> (f64, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1.0, &text[1..]),
        Some(b'+') => (1.0, &text[1..]),
        _ => (1.0, text),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An integer in `radix`, too large for i128 read as a float.
fn int(digits: &str, radix: u32, sign: f64) -> Reading {
    match i128::from_str_radix(digits, radix) {
        Ok(i) => Reading::Int(if sign < 0.0 { -i } else { i }),
        Err(_) => Reading::Float(sign * f64::INFINITY),
    }
}

/// YAML 1.2 core float, unsigned part: `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn float_12(s: &str) -> bool {
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => is_digits(frac),
        Some((int, frac)) => is_digits(int) && (frac.is_empty() || is_digits(frac)),
        None => is_digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| is_digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exp_ok
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn float_go(s: &str) -> bool {
    float_12(s.strip_prefix(['-', '+']).unwrap_or(s))
}

/// YAML 1.1 float, unsigned: `[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9][0-9_]*(…)?`.
fn float_11(s: &str) -> bool {
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let us = |p: &str| p.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => frac.starts_with(|c: char| c.is_ascii_digit()) && us(frac),
        Some((int, frac)) => int.starts_with(|c: char| c.is_ascii_digit()) && us(int) && us(frac),
        None => false,
    };
    let exp_ok = exp.is_none_or(|e| e.starts_with(['-', '+']) && is_digits(&e[1..]));
    mantissa_ok && exp_ok
}

/// YAML 1.1 floats need a `.` and a signed exponent: `1e-7` would be a string there.
pub fn float_text(repr: &str) -> String {
    let (mantissa, exp) = match repr.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), Some(e)),
        None => (repr.to_string(), None),
    };
    let mantissa = if mantissa.contains('.') { mantissa } else { format!("{mantissa}.0") };
    match exp {
        Some(e) if e.starts_with(['-', '+']) => format!("{mantissa}e{e}"),
        Some(e) => format!("{mantissa}e+{e}"),
        None => mantissa,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_disagree_where_helm_and_pyyaml_do() {
        for text in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "N",
            "0755",
            "-0755",
            "08",
            "0o17",
            "0X1F",
            "-0x1F",
            "0b1010",
            "1_000",
            "1:30",
            "190:20:30",
            "1:30.5",
            ".inf",
            "-.Inf",
            ".nan",
            "1e3",
            "1.5e3",
            "2001-12-14",
            "2001-12-14 21:59:43.10 -5",
            "=",
            "<<",
        ] {
            assert!(disagreement(text).is_some(), "{text} is ambiguous");
        }
        for text in
            ["true", "False", "null", "~", "0", "00", "0x1F", "1.0", "0.1", "1.", ".5", "+.5", "1.2.3", "abc", "1.0e+3"]
        {
            assert_eq!(disagreement(text), None, "{text} reads alike");
        }
        assert_eq!(helm("0755"), Reading::Int(493));
        assert_eq!(yaml11("190:20:30"), Reading::Int(685_230));
        assert_eq!(helm_key("on").as_deref(), Some("true"));
        assert_eq!(helm_key("1.0").as_deref(), Some("1"));
    }
}
