//! `examples/sidecar`'s serve mode on the modules `build --emit wasm` writes: two versions of the
//! bundled example, swapped 100 times (with bad modules between) by rename and by the ConfigMap
//! symlink swap while a reader asks continuously (the example's `tests/hotswap.rs`, run on these
//! modules through `SIDECAR_SWAP_MODULES`).
//!
//! The example's own tests on its hand-written modules already run in `emit_rust/sidecar.rs`
//! (`cargo test` of the whole example), with the same target folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::emit_rust::{artifact, assert_success, example, output, ROOT};

const QUERY: &str = "get /spawn_configs/frost_peaks/base_rate";

#[test]
fn the_sidecar_hot_swaps_real_modules_under_load() {
    let repo = example();
    let build = repo.run(&["build", "--emit", "wasm"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    // The older version differs where the reader looks.
    let rules = repo.read("examples/rules/ruleset.hcl").replace("\"v2.4.1\"", "\"v2.4.0\"");
    repo.write("examples/rules/ruleset.hcl", rules);
    let region =
        repo.read("examples/rules/regions/frost_peaks.hcl").replace("base_rate      = 8", "base_rate      = 6");
    repo.write("examples/rules/regions/frost_peaks.hcl", region);
    let build = repo.run(&["build", "--emit", "wasm"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);

    let mut modules = String::new();
    for version in ["v2.4.0", "v2.4.1"] {
        let value = artifact(&repo, version)["ruleset"]["spawn_configs"]["frost_peaks"]["base_rate"].to_string();
        let path = repo.path().join(format!("dist/ruleset-{version}.wasm"));
        assert!(path.is_file(), "{} was not written", path.display());
        modules.push_str(&format!("{version} {value} {}\n", path.display()));
    }
    assert!(modules.starts_with("v2.4.0 6 ") && modules.contains("\nv2.4.1 8 "), "{modules}");

    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sidecar");
    let run = output(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
            .args(["test", "--locked", "--quiet", "--manifest-path"])
            .arg(Path::new(ROOT).join("examples/sidecar/Cargo.toml"))
            .args(["--test", "hotswap"])
            .env("CARGO_TARGET_DIR", &target)
            .env("SIDECAR_SWAP_MODULES", &modules)
            .env("SIDECAR_SWAP_QUERY", QUERY)
            .env_remove("RULESET_DIGEST"),
    );
    assert_success("the hot-swap test on real modules", &run);
}
