//! `rulesctl lsp`, driven end to end by a real LSP client: tests/lsp/test_lsp.py runs pytest-lsp
//! (on pygls) against the binary this build made. The editor setups under editors/ are checked
//! for what can be checked without an editor.

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn a_real_lsp_client_drives_the_server() {
    let setup = Command::new("bash").arg(Path::new(ROOT).join("tests/python-env.sh")).output().expect("bash");
    assert!(setup.status.success(), "tests/python-env.sh failed: {}", String::from_utf8_lossy(&setup.stderr));
    let python = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    let out = Command::new(&python)
        .args(["-m", "pytest", "tests/lsp", "-q", "-s", "-p", "no:cacheprovider"])
        .current_dir(ROOT)
        .env("RULESCTL", env!("CARGO_BIN_EXE_rulesctl"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = format!("{stdout}\n--- stderr ---\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "pytest tests/lsp failed:\n{report}");
    assert!(
        stdout.contains(" passed") && !stdout.contains("skipped"),
        "pytest ran no test, or skipped some:\n{report}"
    );
    if let Some(latency) = stdout.lines().find(|l| l.contains("keystroke -> diagnostics")) {
        eprintln!("{latency}");
    }
}

#[test]
fn the_vscode_extension_names_its_entry_and_the_server() {
    let dir = Path::new(ROOT).join("editors/vscode");
    let text = std::fs::read_to_string(dir.join("package.json")).expect("editors/vscode/package.json");
    let package: serde_json::Value = serde_json::from_str(&text).expect("package.json is JSON");
    let main = package["main"].as_str().expect("a main entry");
    let entry = std::fs::read_to_string(dir.join(main)).unwrap_or_else(|e| panic!("{main}: {e}"));
    assert!(entry.contains("vscode-languageclient"), "the entry starts a language client");
    assert!(entry.contains("'lsp'") || entry.contains("\"lsp\""), "the entry runs `rulesctl lsp`");
    assert!(package["dependencies"]["vscode-languageclient"].is_string());
    assert!(package["contributes"]["configuration"]["properties"]["rulesctl.path"].is_object());
    assert!(package["engines"]["vscode"].is_string());
}
