//! `rulesctl verify ruleset-<version>.wasm`: a module verifies against itself; any edit, a
//! truncated file or a file that is not WebAssembly is a diagnostic naming what differs, never a
//! panic.

use super::{build_wasm, MODULE};
use crate::emit_rust::bytes;
use crate::support::{Repo, Run};

/// Writes `module` as `MODULE` and verifies it; the run and its codes.
fn verify(repo: &Repo, module: &[u8]) -> (Run, Vec<String>) {
    repo.write(MODULE, module);
    let run = repo.run(&["verify", MODULE, "--format", "json"]);
    let codes = run.codes();
    (run, codes)
}

fn messages(run: &Run) -> String {
    run.json()["diagnostics"].as_array().expect("diagnostics").iter().map(|d| format!("{}\n", d["message"])).collect()
}

/// The file range of the `index`-th data segment's bytes, or of the `index`-th function body.
fn data_segment(module: &[u8], index: usize) -> std::ops::Range<usize> {
    let mut seen = 0;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::DataSection(reader) = payload.expect("payload") {
            for data in reader {
                let data = data.expect("data");
                if seen == index {
                    let start = data.data.as_ptr() as usize - module.as_ptr() as usize;
                    return start..start + data.data.len();
                }
                seen += 1;
            }
        }
    }
    panic!("no data segment {index}");
}

#[test]
fn a_module_verifies_and_every_edit_is_named() {
    let repo = Repo::base();
    build_wasm(&repo, "wasm");
    let module = bytes(&repo, MODULE);
    let run = repo.run(&["verify", MODULE]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("verified dist/ruleset-v1.0.0.wasm: 5 sections, digest sha256:"), "{}", run.stdout);

    // A node's value (the `nodes` data segment).
    let mut edited = module.clone();
    let nodes = data_segment(&module, 6);
    edited[nodes.start + 20] ^= 1;
    let (run, codes) = verify(&repo, &edited);
    assert_eq!((run.code, codes), (1, vec!["V005".to_string()]), "{}", run.stdout);
    assert!(messages(&run).contains("data segment `nodes` does not match the canonical ruleset"), "{}", run.stdout);

    // The recorded digest.
    let digest = run.json()["diagnostics"][0].clone();
    assert_eq!(digest["file"], MODULE);
    // A byte offset in the file (not in a lossy string of it, whose offsets drift past the
    // first byte that is not UTF-8).
    let hex = module.windows(7).position(|w| w == b"sha256:").expect("a digest in the data");
    let mut edited = module.clone();
    edited[hex + 7] = if edited[hex + 7] == b'0' { b'1' } else { b'0' };
    let (run, codes) = verify(&repo, &edited);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(codes.contains(&"V001".to_string()) || codes.contains(&"V002".to_string()), "{codes:?} {}", run.stdout);

    // A canonical value: the digest no longer covers the bytes.
    let canonical = data_segment(&module, 2);
    let text = String::from_utf8(module[canonical.clone()].to_vec()).expect("UTF-8");
    let at = canonical.start + text.find("\"cooldown_ms\":8000").expect("cooldown") + 15;
    let mut edited = module.clone();
    edited[at] = b'9';
    let (run, codes) = verify(&repo, &edited);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(codes.contains(&"V001".to_string()), "{codes:?} {}", run.stdout);

    // The code of a function: `rulesctl_abi` returning 2.
    let abi = module.windows(4).position(|w| w == [0x00, 0x41, 0x01, 0x0b]).expect("i32.const 1; end");
    let mut edited = module.clone();
    edited[abi + 2] = 0x02;
    let (run, codes) = verify(&repo, &edited);
    assert_eq!((run.code, codes), (1, vec!["V005".to_string()]), "{}", run.stdout);
    assert!(messages(&run).contains("the code of `rulesctl_abi` does not match"), "{}", run.stdout);

    // Bytes appended: an unknown section or a truncated one, never a pass.
    let mut edited = module.clone();
    edited.extend_from_slice(b"\x00\x03abc");
    let (run, _) = verify(&repo, &edited);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn truncated_empty_and_foreign_files_are_diagnostics_not_panics() {
    let repo = Repo::base();
    build_wasm(&repo, "wasm");
    let module = bytes(&repo, MODULE);
    for cut in [0, 3, 8, 9, 20, module.len() / 2, module.len() - 1] {
        let (run, codes) = verify(&repo, &module[..cut]);
        assert_eq!((run.code, codes), (1, vec!["V005".to_string()]), "cut at {cut}: {}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let (run, _) = verify(&repo, &module[..module.len() / 2]);
    assert!(messages(&run).contains("truncated or corrupt"), "{}", run.stdout);
    let (run, _) = verify(&repo, b"{\"not\": \"wasm\"}\n");
    assert!(messages(&run).contains("the file is not a WebAssembly module"), "{}", run.stdout);
    // The human report points into a hex dump of the file.
    repo.write(MODULE, &module[..40]);
    let human = repo.run(&["verify", MODULE]);
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("error[V005]") && human.stdout.contains("00000000  00 61 73 6d"), "{}", human.stdout);
}
