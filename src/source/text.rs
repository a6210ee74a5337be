//! Bytes to text: the one place that decides what counts as a readable text file.

use crate::diagnostic::declare_code;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{FileId, Span};

declare_code! {
    /// The file is not valid UTF-8.
    ///
    /// Rule, values and environment files are text in UTF-8. A byte sequence that is not UTF-8
    /// usually means the file was saved in another encoding (Latin-1, UTF-16) or is not a text
    /// file at all. The diagnostic points at the first invalid byte.
    ///
    /// Fix: re-save the file as UTF-8, for example with `iconv -f LATIN1 -t UTF-8`.
    pub static NOT_UTF8 = ("L002", "not-utf8", Error);
}

declare_code! {
    /// The file contains a NUL byte.
    ///
    /// A NUL byte never belongs in a configuration file; it is a sign of a binary file, a
    /// corrupted save, or a file written as UTF-16. The diagnostic points at the first one.
    ///
    /// Fix: remove the byte, or re-save the file as UTF-8 text.
    pub static NUL_BYTE = ("L003", "nul-byte", Error);
}

/// Decodes a file's bytes: a UTF-8 byte-order mark is dropped and CRLF becomes LF, so spans,
/// lines and columns are the same as for the file without them.
///
/// # Errors
///
/// A diagnostic at the first byte that is not UTF-8, or at the first NUL byte, together with the
/// readable text before it (so the diagnostic can still name a line and column).
pub fn decode(file: FileId, bytes: Vec<u8>) -> Result<String, Box<(Diagnostic, String)>> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&err.as_bytes()[..at]).into_owned();
            let diagnostic = Diagnostic::new(&NOT_UTF8, Span::new(file, at..at), format!("invalid UTF-8 at byte {at}"))
                .label("this byte is not UTF-8")
                .help("save the file as UTF-8 text");
            return Err(Box::new((diagnostic, prefix)));
        }
    };
    if let Some(at) = text.find('\0') {
        let diagnostic = Diagnostic::new(&NUL_BYTE, Span::new(file, at..at), "the file contains a NUL byte")
            .label("NUL byte here")
            .help("remove the NUL byte; rule and values files are UTF-8 text");
        return Err(Box::new((diagnostic, text[..at].to_string())));
    }
    Ok(if text.contains("\r\n") { text.replace("\r\n", "\n") } else { text })
}
