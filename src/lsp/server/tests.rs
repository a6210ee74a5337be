use std::sync::mpsc::channel;

use super::*;

/// Runs a server over `messages`; returns its exit status and every message it wrote.
fn serve(messages: Vec<Incoming>) -> (u8, Vec<serde_json::Value>) {
    let (to, from) = channel();
    for message in messages {
        to.send(message).expect("send");
    }
    drop(to);
    let mut out = Vec::new();
    let code = Server::new(&mut out, None, false, None).run(&from);
    let text = String::from_utf8(out).expect("utf-8");
    let bodies = text.split("Content-Length: ").skip(1).map(|frame| {
        let (_, body) = frame.split_once("\r\n\r\n").expect("a framed message");
        serde_json::from_str(body).expect("JSON")
    });
    (code, bodies.collect())
}

fn request(id: i32, method: &str, params: serde_json::Value) -> Incoming {
    Incoming::Message(Message::Request(Request::new(id.into(), method.into(), params)))
}

fn notification(method: &str) -> Incoming {
    Incoming::Message(Message::Notification(Notification::new(method.into(), serde_json::Value::Null)))
}

fn error_code(response: &serde_json::Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or(0)
}

#[test]
fn lifecycle_errors_and_a_panic_never_stop_the_server() {
    let hover = serde_json::json!({
        "textDocument": { "uri": "file:///nowhere/x.hcl" },
        "position": { "line": 0, "character": 0 },
    });
    let (code, out) = serve(vec![
        request(1, "textDocument/hover", hover.clone()),
        request(2, "initialize", serde_json::json!({ "capabilities": {} })),
        notification("initialized"),
        request(3, "initialize", serde_json::json!({ "capabilities": {} })),
        request(4, "rulesctl/panic", serde_json::Value::Null),
        request(5, "textDocument/hover", hover.clone()),
        request(6, "textDocument/hover", serde_json::json!({ "textDocument": 1 })),
        request(7, "workspace/noSuchThing", serde_json::Value::Null),
        Incoming::Malformed { error: "not JSON".into(), id: Some(8.into()) },
        request(9, "shutdown", serde_json::Value::Null),
        request(10, "textDocument/hover", hover),
        notification("exit"),
    ]);
    assert_eq!(code, 0, "shutdown came before exit");
    let by_id = |id: i64| out.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no answer to {id}: {out:?}"));
    assert_eq!(error_code(by_id(1)), ErrorCode::ServerNotInitialized as i64);
    assert_eq!(by_id(2)["result"]["serverInfo"]["name"], "rulesctl");
    assert_eq!(error_code(by_id(3)), ErrorCode::InvalidRequest as i64);
    assert_eq!(error_code(by_id(4)), ErrorCode::InternalError as i64);
    assert!(by_id(5)["result"].is_null() && by_id(5).get("error").is_none(), "answered after the panic");
    assert_eq!(error_code(by_id(6)), ErrorCode::InvalidParams as i64);
    assert_eq!(error_code(by_id(7)), ErrorCode::MethodNotFound as i64);
    assert_eq!(error_code(by_id(8)), ErrorCode::InvalidRequest as i64);
    assert!(by_id(9)["result"].is_null());
    assert_eq!(error_code(by_id(10)), ErrorCode::InvalidRequest as i64);
}

#[test]
fn a_request_cancelled_in_its_batch_is_not_worked_on() {
    let hover = serde_json::json!({
        "textDocument": { "uri": "file:///nowhere/x.hcl" },
        "position": { "line": 0, "character": 0 },
    });
    let cancel = Incoming::Message(Message::Notification(Notification::new(
        "$/cancelRequest".into(),
        serde_json::json!({ "id": 5 }),
    )));
    let (_, out) = serve(vec![
        request(1, "initialize", serde_json::json!({ "capabilities": {} })),
        notification("initialized"),
        request(5, "textDocument/hover", hover.clone()),
        request(6, "textDocument/hover", hover),
        cancel,
        notification("exit"),
    ]);
    let by_id = |id: i64| out.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no answer to {id}"));
    assert_eq!(error_code(by_id(5)), ErrorCode::RequestCanceled as i64);
    assert!(by_id(6).get("error").is_none(), "the other request is answered");
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (code, _) =
        serve(vec![request(1, "initialize", serde_json::json!({ "capabilities": {} })), notification("exit")]);
    assert_eq!(code, 1);
    let (code, _) = serve(Vec::new());
    assert_eq!(code, 1, "the input ended without shutdown");
}
