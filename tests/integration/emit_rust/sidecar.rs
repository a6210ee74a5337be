//! `examples/sidecar`, built and run with cargo against a freshly built module.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{artifact, assert_success, build_rust, example, output, ROOT};

/// `examples/sidecar` (its own Cargo project, no dependencies) builds against a module that
/// `build --emit rust` wrote, proves the digest at start-up, looks a region up, and refuses to
/// start with a tampered module or an unexpected digest.
#[test]
fn the_sidecar_example_embeds_proves_and_looks_up() {
    let repo = example();
    build_rust(&repo);
    let artifact = artifact(&repo, "v2.4.1");
    let digest = artifact["digest"].as_str().expect("digest").to_string();
    let module = repo.path().join("dist/ruleset-v2.4.1.rs");
    let manifest = Path::new(ROOT).join("examples/sidecar/Cargo.toml");
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sidecar");
    let cargo = |command: &str, args: &[&str], module: &Path, env: &[(&str, &str)]| {
        output(
            Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
                .args([command, "--locked", "--quiet", "--manifest-path"])
                .arg(&manifest)
                .args(args)
                .env("CARGO_TARGET_DIR", &target)
                .env("RULESET_RS", module)
                .env_remove("RULESET_DIGEST")
                .envs(env.iter().copied()),
        )
    };

    let tests = cargo("test", &[], &module, &[]);
    assert_success("the sidecar's own tests (SHA-256 known answers)", &tests);

    let run = cargo("run", &["--", "ember_wastes"], &module, &[]);
    assert_success("the sidecar", &run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let spawn = &artifact["ruleset"]["spawn_configs"]["ember_wastes"];
    assert!(stdout.starts_with(&format!("ruleset v2.4.1 proven: {digest}\n")), "{stdout}");
    let line = format!(
        "ember_wastes: base_rate {}/min (peak 50), max_concurrent {}, cooldown {} ms\n",
        spawn["base_rate"], spawn["max_concurrent"], spawn["cooldown_ms"]
    );
    assert!(stdout.contains(&line), "{stdout}");
    let leaf = artifact["merkle"]["leaves"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["section"] == "spawn_config/ember_wastes"))
        .and_then(|l| l["hash"].as_str())
        .expect("leaf");
    assert!(stdout.contains(&format!("leaf spawn_config/ember_wastes: {leaf}")), "{stdout}");

    let guide = std::fs::read_to_string(Path::new(ROOT).join("docs/src/guides/rust-sidecar.md")).expect("guide");
    assert!(
        guide.contains(&format!("```text\n{stdout}```\n")),
        "docs/src/guides/rust-sidecar.md's sidecar output is stale; it is now:\n{stdout}"
    );

    let unknown = cargo("run", &["--", "atlantis"], &module, &[]);
    assert_eq!(unknown.status.code(), Some(2), "{}", String::from_utf8_lossy(&unknown.stderr));

    let expected = cargo("run", &[], &module, &[("RULESET_DIGEST", &digest)]);
    assert_success("the sidecar with the expected digest", &expected);
    let wrong = cargo("run", &[], &module, &[("RULESET_DIGEST", "sha256:0000")]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("refusing to start"));

    // CANONICAL edited (the data left alone): the module still compiles, but cannot prove itself.
    let tampered = repo.path().join("dist/tampered.rs");
    let text = repo.read("dist/ruleset-v2.4.1.rs").replace("\"base_rate\":20", "\"base_rate\":21");
    std::fs::write(&tampered, text).expect("write");
    let refused = cargo("run", &[], &tampered, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("refusing to start: CANONICAL hashes to sha256:"), "{stderr}");
}
