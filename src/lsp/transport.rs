//! The wire: `Content-Length` framed JSON-RPC over stdin and stdout. lsp-server's own stdio
//! transport stops reading at the first malformed message; this one reports it and reads on.

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::Sender;

use lsp_server::{Message, RequestId};

/// A message body larger than this is skipped, not read into memory.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// What the reader thread hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that is not a JSON-RPC message: what was wrong, and the request id when one
    /// could be read (so the request can be answered with an error).
    Malformed {
        error: String,
        id: Option<RequestId>,
    },
    /// The server's own file watcher saw these paths change.
    Disk(Vec<std::path::PathBuf>),
    /// The input ended (or `exit` came): the last thing the reader sends.
    End,
}

/// Reads framed messages from `input` until it ends (or the server stops listening), then
/// says so: the server's own watcher holds a sender too, so the channel alone never closes.
pub fn read_all(input: impl BufRead, to: &Sender<Incoming>) {
    read_frames(input, to);
    let _ = to.send(Incoming::End);
}

fn read_frames(mut input: impl BufRead, to: &Sender<Incoming>) {
    let mut lost = false;
    loop {
        let frame = read_frame(&mut input, lost);
        // After a frame that was not one, its body (of unknown length) is skipped up to the
        // next `Content-Length` header, where the stream is in step again.
        lost = matches!(frame, Ok(Some(Err(_))));
        let incoming = match frame {
            Ok(None) => return,
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(error))) => Incoming::Malformed { error, id: None },
            Err(err) => Incoming::Malformed { error: format!("cannot read stdin: {err}"), id: None },
        };
        let is_exit = matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        let failed_io = matches!(&incoming, Incoming::Malformed { error, .. } if error.starts_with("cannot read"));
        if to.send(incoming).is_err() || is_exit || failed_io {
            return;
        }
    }
}

/// One frame's body, or why the frame was not one; `None` at the end of the input. When
/// `lost`, everything before the next `Content-Length` header is skipped.
fn read_frame(input: &mut impl BufRead, mut lost: bool) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut headers = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let mut text = text.trim_end_matches(['\r', '\n']);
        if lost {
            let Some(at) = text.to_ascii_lowercase().find("content-length") else { continue };
            text = text.get(at..).unwrap_or_default();
            lost = false;
        }
        if text.is_empty() {
            if headers {
                break;
            }
            // Blank lines between frames are tolerated.
            continue;
        }
        headers = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad = Some(format!("malformed Content-Length header: {text:?}")),
                }
            }
            Some(_) => {}
            None => bad = Some(format!("malformed header line: {}", shorten(text))),
        }
    }
    if let Some(bad) = bad {
        return Ok(Some(Err(bad)));
    }
    let Some(length) = length else { return Ok(Some(Err("a frame without Content-Length".to_string()))) };
    if length > MAX_BODY {
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(Err(format!("a message of {length} bytes, over the limit of {MAX_BODY}; skipped"))));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => Ok(Some(Ok(body))),
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(err) => Err(err),
    }
}

fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => {
            let text = String::from_utf8_lossy(body);
            return Incoming::Malformed { error: format!("not JSON ({err}): {}", shorten(&text)), id: None };
        }
    };
    let id = value.get("id").and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    match serde_json::from_value::<Message>(value.clone()) {
        Ok(message) => Incoming::Message(message),
        Err(err) => {
            let id = if value.get("method").is_some() { id } else { None };
            Incoming::Malformed {
                error: format!("not a JSON-RPC message ({err}): {}", shorten(&value.to_string())),
                id,
            }
        }
    }
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Writes one message to `out`, framed.
///
/// # Errors
///
/// When `out` cannot be written (the client went away).
pub fn write(out: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (to, from) = std::sync::mpsc::channel();
        read_all(io::Cursor::new(input.as_bytes().to_vec()), &to);
        drop(to);
        from.into_iter().filter(|i| !matches!(i, Incoming::End)).collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_malformed_frame_is_reported_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":42}"#),
            "Garbage without a colon\r\n\r\n".to_string(),
            "Content-Length: nope\r\n\r\n".to_string(),
            frame(good),
            // No Content-Length: the body is skipped up to the next frame's header.
            "Content-Type: x\r\n\r\n{}".to_string(),
            frame(good),
        ]
        .concat();
        let got = frames(&input);
        assert_eq!(got.len(), 7, "{got:?}");
        assert!(matches!(&got[0], Incoming::Malformed { id: None, error } if error.starts_with("not JSON")));
        assert!(matches!(&got[1], Incoming::Malformed { id: Some(id), .. } if *id == RequestId::from(7)));
        assert!(matches!(&got[2], Incoming::Malformed { id: None, .. }));
        assert!(matches!(&got[3], Incoming::Malformed { id: None, .. }));
        assert!(matches!(&got[4], Incoming::Message(Message::Request(r)) if r.method == "shutdown"));
        assert!(matches!(&got[5], Incoming::Malformed { id: None, error } if error.contains("without Content-Length")));
        assert!(matches!(&got[6], Incoming::Message(Message::Request(r)) if r.method == "shutdown"));
    }

    #[test]
    fn a_truncated_frame_ends_the_input() {
        assert!(frames("Content-Length: 100\r\n\r\n{\"a\"").is_empty());
    }

    #[test]
    fn reading_stops_after_exit() {
        let input =
            [frame(r#"{"jsonrpc":"2.0","method":"exit"}"#), frame(r#"{"jsonrpc":"2.0","method":"x"}"#)].concat();
        assert_eq!(frames(&input).len(), 1);
    }
}
