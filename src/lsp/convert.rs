//! Between rulesctl's byte offsets and root-relative paths, and LSP's UTF-16 positions and
//! `file://` URIs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// The line starts of one text, to turn byte offsets into LSP positions and back. Characters
/// are counted in UTF-16 code units, LSP's default (and only mandatory) encoding.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts[line];
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position { line: to_u32(line), character: to_u32(character) }
    }

    pub fn range(&self, range: std::ops::Range<usize>) -> Range {
        Range { start: self.position(range.start), end: self.position(range.end) }
    }

    /// The byte offset of `position`; a line past the end is the end of the text, a character
    /// past the end of its line is the end of that line (as the protocol asks).
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let end = self.starts.get(position.line as usize + 1).map_or(self.text.len(), |next| next - 1);
        // Both ends sit just after or on a `\n`: character boundaries.
        let line = &self.text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (at, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + at;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A text as rulesctl reads it: without a byte-order mark, CRLF as LF, so offsets into it are
/// offsets into the analysed source (see `source::decode`).
pub fn normalize(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The local path a `file://` URI names, percent-decoded; `None` for any other scheme.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority (`file://localhost/x`) is allowed; the path starts at the next `/`.
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    #[cfg(windows)]
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => decoded[1..].to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

/// The `file://` URI of an absolute path, with every byte outside `A-Za-z0-9-._~/`
/// percent-encoded (as VS Code writes them).
pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn positions_count_utf16_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "# é 😀\nbase_rate = 1\n";
        let index = LineIndex::new(text);
        let at = text.find("base").unwrap();
        assert_eq!(index.position(at), pos(1, 0));
        let smile = text.find('😀').unwrap();
        assert_eq!(index.position(smile), pos(0, 4));
        assert_eq!(index.position(smile + 4), pos(0, 6));
        // Inside a character: back to its start.
        assert_eq!(index.position(smile + 2), pos(0, 4));
        assert_eq!(index.offset(pos(0, 6)), smile + 4);
        assert_eq!(index.offset(pos(0, 4)), smile);
        // Past the end of a line: the line's end; past the last line: the text's end.
        assert_eq!(index.offset(pos(0, 99)), text.find('\n').unwrap());
        assert_eq!(index.offset(pos(9, 0)), text.len());
        assert_eq!(index.position(text.len()), pos(2, 0));
    }

    #[test]
    fn round_trips_every_boundary() {
        let text = "a é\r\n😀 b\n\nlast";
        let index = LineIndex::new(text);
        for (at, _) in text.char_indices().filter(|(_, c)| *c != '\n' && *c != '\r') {
            assert_eq!(index.offset(index.position(at)), at, "at {at}");
        }
    }

    #[test]
    fn uris_and_paths() {
        let uri = Uri::from_str("file:///tmp/a%20b/r%C3%A9gions/x.hcl").unwrap();
        assert_eq!(path_of(&uri), Some(PathBuf::from("/tmp/a b/régions/x.hcl")));
        let back = uri_of(Path::new("/tmp/a b/régions/x.hcl")).unwrap();
        assert_eq!(back.as_str(), uri.as_str());
        assert_eq!(path_of(&Uri::from_str("file://localhost/etc/x").unwrap()), Some(PathBuf::from("/etc/x")));
        assert_eq!(path_of(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
    }
}
