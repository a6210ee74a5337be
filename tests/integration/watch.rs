//! `rulesctl check --watch`: edits under a running watch are re-checked and reported; it keeps
//! up with files that appear, disappear and are renamed, ignores editor temporary files and
//! `dist/`, and exits cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::support::Repo;

/// How long any one report may take to appear.
const WAIT: Duration = Duration::from_secs(10);

/// A running `rulesctl check --watch`, its stdout read line by line on a thread.
struct Watch {
    child: Child,
    lines: Receiver<String>,
    /// Every line printed so far.
    seen: Vec<String>,
    /// Where the next report starts in `seen`.
    next: usize,
}

impl Watch {
    fn start(root: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
            .args(["check", "--watch", "--root"])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rulesctl check --watch");
        let stdout = child.stdout.take().expect("stdout");
        let (to, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if to.send(line).is_err() {
                    return;
                }
            }
        });
        Watch { child, lines, seen: Vec::new(), next: 0 }
    }

    /// Waits for the next report (it ends with the summary line) that `wanted` accepts, skipping
    /// earlier ones; panics with everything printed when none comes in time.
    fn report(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            while let Some(end) = self.seen[self.next..].iter().position(|l| l.starts_with("checked ")) {
                let end = self.next + end;
                let report = self.seen[self.next..=end].join("\n");
                self.next = end + 1;
                if wanted(&report) {
                    return report;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no report {what} within {WAIT:?}; the output was:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Sends Ctrl-C (SIGINT) and returns the exit status and what was left on stderr.
    fn interrupt(mut self) -> (Option<i32>, String, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("check --watch did not exit on Ctrl-C; output:\n{}", self.seen.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
        }
        self.seen.extend(self.lines.try_iter());
        (status.code(), stderr, std::mem::take(&mut self.seen))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn region(name: &str, cooldown: u32) -> String {
    format!(
        "spawn_config {{\n  region         = \"{name}\"\n  base_rate      = 12\n  max_concurrent = 45\n  cooldown_ms    = {cooldown}\n  loot_table     = \"tier_3_drops\"\n}}\n\nevent_stream {{\n  region             = \"{name}\"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}}\n"
    )
}

#[test]
fn watch_follows_edits_new_deleted_and_renamed_files_and_stops_on_ctrl_c() {
    let repo = Repo::base();
    let path = |rel: &str| repo.path().join(rel);
    let mut watch = Watch::start(repo.path());
    let first = watch.report("at the start", |r| r.contains("checked 3 files: 0 errors"));
    assert!(!first.contains("re-checked"), "the first report has no header:\n{first}");

    // An edit that breaks a rule, then one that fixes it.
    let caves = repo.read("rules/caves.hcl");
    repo.write("rules/caves.hcl", caves.replace("cooldown_ms    = 8000", "cooldown_ms    = 10"));
    let broken = watch.report("with X001", |r| r.contains("X001"));
    assert!(broken.contains("--- re-checked after changes to rules/caves.hcl ---"), "{broken}");
    assert!(broken.contains("checked 3 files: 1 error, 0 warnings"), "{broken}");
    repo.write("rules/caves.hcl", &caves);
    watch.report("fixed", |r| r.contains("checked 3 files: 0 errors"));

    // Editor temporary files and dist/ are not inputs: they never trigger a check.
    repo.write("rules/.caves.hcl.swp", "swap");
    repo.write("rules/caves.hcl~", "backup");
    repo.write("rules/4913", "");
    repo.write("dist/ruleset-v1.0.0.json", "{}");

    // A file that appears.
    repo.write("rules/mines.hcl", region("deep_mines", 8000));
    let added = watch.report("with the new file", |r| r.contains("checked 4 files: 0 errors"));
    assert!(added.contains("rules/mines.hcl"), "{added}");

    // A file renamed into a new folder, then the folder renamed, then an edit inside it.
    std::fs::create_dir_all(path("rules/deep")).expect("mkdir");
    std::fs::rename(path("rules/mines.hcl"), path("rules/deep/mines.hcl")).expect("rename file");
    watch.report("after the move", |r| r.contains("rules/deep") && r.contains("checked 4 files: 0 errors"));
    std::fs::rename(path("rules/deep"), path("rules/deeper")).expect("rename folder");
    watch.report("after the folder rename", |r| r.contains("rules/deeper") && r.contains("checked 4 files: 0 errors"));
    repo.write("rules/deeper/mines.hcl", region("deep_mines", 20));
    let inside = watch.report("with the error in the renamed folder", |r| r.contains("X001"));
    assert!(inside.contains("rules/deeper/mines.hcl"), "{inside}");

    // A file that disappears, taking a loot table the others need; then comes back.
    std::fs::remove_file(path("rules/deeper/mines.hcl")).expect("remove");
    watch.report("after the delete", |r| r.contains("checked 3 files: 0 errors"));
    let loot = repo.read("rules/loot.hcl");
    std::fs::remove_file(path("rules/loot.hcl")).expect("remove");
    watch.report("without the loot table", |r| r.contains("X004"));
    repo.write("rules/loot.hcl", &loot);
    watch.report("with it back", |r| r.contains("checked 3 files: 0 errors"));

    let (code, stderr, seen) = watch.interrupt();
    let output = seen.join("\n");
    assert_eq!(code, Some(0), "Ctrl-C ends a watch with status 0; output:\n{output}\nstderr:\n{stderr}");
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
    for line in seen.iter().filter(|l| l.starts_with("--- re-checked")) {
        for ignored in [".swp", "~", "4913", "dist/"] {
            assert!(!line.contains(ignored), "{ignored} triggered a check: {line}");
        }
    }
}

/// The README promises a report after 200 ms of quiet: 21 saves 50 ms apart are one burst, so
/// they give one report (two at most, should the burst outlast the longest batch of 2 s), and
/// that report shows the last save.
#[test]
fn a_burst_of_saves_is_one_report() {
    let repo = Repo::base();
    let mut watch = Watch::start(repo.path());
    watch.report("at the start", |r| r.contains("checked 3 files: 0 errors"));
    let caves = repo.read("rules/caves.hcl");
    for i in 0..21 {
        let cooldown = if i == 20 { 10 } else { 8000 + i };
        repo.write("rules/caves.hcl", caves.replace("cooldown_ms    = 8000", &format!("cooldown_ms    = {cooldown}")));
        std::thread::sleep(Duration::from_millis(50));
    }
    watch.report("after the last save", |r| r.contains("X001"));
    // Anything still to come would arrive within the quiet time and a little more.
    std::thread::sleep(Duration::from_millis(1000));
    let (_, _, seen) = watch.interrupt();
    let reports = seen.iter().filter(|l| l.starts_with("--- re-checked")).count();
    assert!((1..=2).contains(&reports), "{reports} reports for one burst of saves:\n{}", seen.join("\n"));
}
