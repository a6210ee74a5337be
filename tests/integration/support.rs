//! A temporary rules repository and a way to run the binary in it.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A rules repository in a temporary folder, removed when dropped.
pub struct Repo {
    dir: tempfile::TempDir,
}

/// What one run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses stdout as the `--format json` report.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The codes of every diagnostic in a JSON report.
    pub fn codes(&self) -> Vec<String> {
        self.json()["diagnostics"]
            .as_array()
            .map(|d| d.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default()
    }
}

impl Repo {
    pub fn empty() -> Self {
        Repo { dir: tempfile::tempdir().expect("temporary folder") }
    }

    /// The valid base fixture: every check passes on it.
    pub fn base() -> Self {
        let repo = Repo::empty();
        copy_tree(&Path::new(FIXTURES).join("base"), repo.path());
        repo
    }

    /// The base fixture plus values.yaml and two environments (dev, prod).
    pub fn helm() -> Self {
        let repo = Repo::base();
        copy_tree(&Path::new(FIXTURES).join("helm"), repo.path());
        repo
    }

    /// The base fixture in a new git repository, committed.
    pub fn committed() -> Self {
        let repo = Repo::base();
        git(repo.path(), &["init", "-q"]);
        git(repo.path(), &["add", "."]);
        git(repo.path(), &["commit", "-qm", "base"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders), replacing any file of the same name.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folders");
        std::fs::write(&path, contents).expect("write file");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).expect("read file")
    }

    /// Overlays a fixture folder on this repository.
    pub fn overlay(&self, fixture: &Path) -> &Self {
        copy_tree(fixture, self.path());
        self
    }

    /// Runs `rulesctl ARGS` in the repository root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.path(), args)
    }

    /// Runs `rulesctl ARGS` with `cwd` as working directory, colour off as `NO_COLOR` demands.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        run_at(cwd, args)
    }
}

pub fn run_at(cwd: &Path, args: &[&str]) -> Run {
    run_env(cwd, args, &[])
}

/// Runs `rulesctl ARGS` in `cwd` with extra environment variables.
pub fn run_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().copied())
        .output()
        .expect("run rulesctl");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `rulesctl ARGS` in `cwd` with `input` on standard input (written from another thread,
/// so a large input cannot block on a full pipe).
pub fn run_stdin(cwd: &Path, args: &[&str], input: &[u8]) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rulesctl");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for rulesctl");
    writer.join().expect("writer");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs git in `dir` with a fixed identity, asserting success; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("create folder");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Pins the human and JSON reports of `rulesctl ARGS` under `name` (snapshots `name.human` and
/// `name.json`); returns both runs.
pub fn pin(name: &str, repo: &Repo, args: &[&str]) -> (Run, Run) {
    let human = repo.run(args);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = repo.run(&json_args);
    assert_eq!(human.code, json.code, "{name}: human and json exit codes differ");
    crate::snapshot!(format!("{name}.human"), format!("exit: {}\n{}", human.code, human.stdout));
    crate::snapshot!(format!("{name}.json"), format!("exit: {}\n{}", json.code, json.stdout));
    (human, json)
}

/// Asserts a snapshot under `tests/snapshots/`.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}

/// Runs Python from the test environment `.ci/run` prepares (tests/python-env.sh), creating it
/// first when missing so `cargo test` works on a fresh machine too. Returns stdout.
pub fn python(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = Command::new("bash").arg(root.join("tests/python-env.sh")).output().expect("bash tests/python-env.sh");
    assert!(setup.status.success(), "tests/python-env.sh failed: {}", String::from_utf8_lossy(&setup.stderr));
    let python = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    let out = Command::new(&python).args(args).output().expect("run python");
    assert!(out.status.success(), "python {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts `rulesctl ARGS` in `repo` with `dist/` removed and kills it after a pseudo-random
/// moment (up to 6 ms, from `seed`, which it advances), so a test can look for a torn file.
#[cfg(unix)]
pub fn kill_at_random(repo: &Repo, args: &[&str], seed: &mut u64) {
    let _ = std::fs::remove_dir_all(repo.path().join("dist"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
        .args(args)
        .current_dir(repo.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    std::thread::sleep(std::time::Duration::from_micros(*seed % 6000));
    let _ = child.kill();
    let _ = child.wait();
}
