//! Reading an artifact back: parse it and, when it is byte-exact canonical, find its spans.

use serde_json::Value;

use crate::artifact::canonical;

/// A parsed artifact with the byte span of each JSON pointer. Spans are known only when the
/// text is exactly the canonical form (which `build` always writes); otherwise `spans` is empty.
pub struct Located {
    pub value: Value,
    pub canonical: bool,
    pub spans: canonical::Spans,
}

impl Located {
    /// Parses artifact text.
    ///
    /// # Errors
    ///
    /// serde_json's error, which carries a line and column.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let value: Value = serde_json::from_str(text)?;
        let (pretty, spans) = canonical::pretty(&value);
        let canonical = pretty == text;
        Ok(Located { value, canonical, spans: if canonical { spans } else { Vec::new() } })
    }

    /// The span of the value at `pointer`, or the start of the file.
    pub fn span(&self, pointer: &str) -> std::ops::Range<usize> {
        self.spans.iter().find(|(p, _)| p == pointer).map_or(0..0, |(_, r)| r.clone())
    }

    pub fn str(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str)
    }
}
