//! Quick fixes: every "did you mean `X`?" a diagnostic suggests, applied in place.

use std::ops::Range;

use crate::diagnostic::Diagnostic;

/// The replacement a diagnostic suggests: the byte range to replace in `text` (the primary
/// place, inside its quotes when it is a quoted string) and what to write there.
pub fn suggestion(d: &Diagnostic, text: &str) -> Option<(Range<usize>, String)> {
    let help = d.help.as_deref()?;
    let (_, rest) = help.split_once("did you mean `")?;
    let (name, _) = rest.split_once('`')?;
    let range = d.primary.span.range();
    let written = text.get(range.clone())?;
    if written.is_empty() || written == name {
        return None;
    }
    let quoted = written.len() >= 2
        && ((written.starts_with('"') && written.ends_with('"'))
            || (written.starts_with('\'') && written.ends_with('\'')));
    if quoted {
        Some((range.start + 1..range.end - 1, name.to_string()))
    } else {
        Some((range, name.to_string()))
    }
}
