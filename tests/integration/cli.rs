//! The command-line contract: exit codes, root discovery, paths, formats, determinism.

use crate::support::{run_at, Repo};

#[test]
fn unknown_flag_is_a_usage_error() {
    let run = Repo::base().run(&["check", "--no-such-flag"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
}

#[test]
fn no_repository_is_exit_2_with_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_at(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no rules repository found") && run.stderr.contains("--root"), "{}", run.stderr);
}

#[test]
fn root_flag_overrides_discovery() {
    let repo = Repo::base();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let root = repo.path().to_string_lossy().into_owned();
    let run = run_at(elsewhere.path(), &["check", "--root", &root]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let missing = run_at(elsewhere.path(), &["check", "--root", "/no/such/dir"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn root_is_found_from_a_subfolder_and_paths_stay_root_relative() {
    let repo = Repo::base();
    repo.write("rules/deeper/more.hcl", "spawn_confg {}\n");
    let run = repo.run_in(&repo.path().join("rules/deeper"), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["diagnostics"][0]["file"], "rules/deeper/more.hcl");
}

#[test]
fn project_file_wins_over_a_rules_folder_at_the_same_level() {
    let repo = Repo::base();
    std::fs::rename(repo.path().join("rules"), repo.path().join("game_rules")).expect("rename");
    std::fs::create_dir(repo.path().join("rules")).expect("mkdir");
    repo.write("rulesctl.hcl", "paths {\n  rules = \"game_rules\"\n}\n");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn warnings_pass_unless_denied() {
    let repo = Repo::base();
    repo.write("rules/unused.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n");
    assert_eq!(repo.run(&["check"]).code, 0);
    let denied = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stdout.ends_with("checked 4 files: 0 errors, 1 warning\n"), "{}", denied.stdout);
}

#[test]
fn path_arguments_filter_the_report_not_the_check() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    repo.write("rules/loot.hcl", repo.read("rules/loot.hcl").replace("weight = 5 ", "weight = 0 "));
    let all = repo.run(&["check", "--format", "json"]).codes();
    assert_eq!(all, ["X001", "B001"]);
    let only = repo.run(&["check", "--format", "json", "rules/loot.hcl"]);
    assert_eq!(only.code, 1);
    assert_eq!(only.codes(), ["B001"]);
    let missing = repo.run(&["check", "rules/nope.hcl"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("rules/nope.hcl"), "{}", missing.stderr);
}

#[test]
fn json_report_has_the_documented_shape() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    for key in ["severity", "code", "message", "file", "line", "column", "end_line", "end_column", "help", "related"] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!((d["severity"].as_str(), d["code"].as_str()), (Some("error"), Some("X001")));
    assert_eq!((d["line"].as_u64(), d["column"].as_u64(), d["end_column"].as_u64()), (Some(5), Some(20), Some(24)));
    let related = &d["related"][0];
    assert_eq!(related["file"], "rules/ruleset.hcl");
    assert_eq!((related["line"].as_u64(), related["column"].as_u64()), (Some(11), Some(31)));
    assert_eq!(report["summary"], serde_json::json!({"errors": 1, "warnings": 0, "files": 3}));
}

#[test]
fn columns_count_characters_not_bytes() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("max_in_flight      = 32", "max_in_flight = /* ✓✓ */ 0"),
    );
    let report = repo.run(&["check", "--format", "json"]).json();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "B001");
    // 27 characters precede the 0, but 31 bytes do: the two check marks are 3 bytes each.
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(12), Some(28)));
}

#[test]
fn human_output_has_no_colour_when_piped_and_ends_with_one_summary() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    let run = repo.run(&["check"]);
    assert!(!run.stdout.contains('\x1b'), "escape codes in piped output");
    let last = run.stdout.lines().last().unwrap_or_default();
    assert_eq!(last, "checked 3 files: 1 error, 0 warnings");
    assert_eq!(run.stdout.matches("checked ").count(), 1);
    assert!(run.stdout.contains("rules/caves.hcl:5:20"), "{}", run.stdout);
    assert!(run.stdout.contains("rules/ruleset.hcl:11:31"), "related span in another file is shown:\n{}", run.stdout);
}

#[test]
fn output_does_not_depend_on_file_creation_order() {
    let names = ["a.hcl", "b.hcl", "c.hcl", "d.hcl"];
    let body = |n: &str| format!("loot_table \"t_{}\" {{\n}}\n", n.trim_end_matches(".hcl"));
    let forward = Repo::base();
    for n in names {
        forward.write(&format!("rules/x/{n}"), body(n));
    }
    let backward = Repo::base();
    for n in names.iter().rev() {
        backward.write(&format!("rules/x/{n}"), body(n));
    }
    let a = forward.run(&["check", "--format", "json"]);
    let b = backward.run(&["check", "--format", "json"]);
    assert_eq!(a.code, 1);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(forward.run(&["check"]).stdout, backward.run(&["check"]).stdout);
}

#[test]
fn hidden_files_are_skipped() {
    let repo = Repo::base();
    repo.write("rules/.#caves.hcl", "garbage {");
    repo.write("rules/.cache/x.hcl", "garbage {");
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// Runs `rulesctl check` on a pseudo-terminal (util-linux `script`), with `NO_COLOR` as given.
#[cfg(unix)]
fn check_on_a_terminal(repo: &Repo, no_color: Option<&str>) -> String {
    let command = format!("{} check", env!("CARGO_BIN_EXE_rulesctl"));
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &command, "/dev/null"]).current_dir(repo.path()).env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    let out = script.output().expect("util-linux script");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(unix)]
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    let coloured = check_on_a_terminal(&repo, None);
    assert!(coloured.contains("X001"), "{coloured}");
    assert!(coloured.contains('\x1b'), "a terminal gets colour:\n{coloured}");
    let plain = check_on_a_terminal(&repo, Some("1"));
    assert!(plain.contains("X001"), "{plain}");
    assert!(!plain.contains('\x1b'), "NO_COLOR turns colour off:\n{plain}");
}

#[test]
fn rules_path_may_list_files_and_folders() {
    let repo = Repo::base();
    std::fs::create_dir(repo.path().join("more")).expect("mkdir");
    std::fs::rename(repo.path().join("rules/loot.hcl"), repo.path().join("more/loot.hcl")).expect("move");
    std::fs::rename(repo.path().join("rules/caves.hcl"), repo.path().join("caves.hcl")).expect("move");
    repo.write("rulesctl.hcl", "paths {\n  rules = [\"rules\", \"caves.hcl\", \"more\"]\n}\n");
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("checked 4 files"), "{}", run.stdout);
}

#[test]
fn a_path_filter_narrows_the_report_never_the_verdict() {
    let repo = crate::support::Repo::base();
    repo.write("rules/caves.hcl", repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 10"));
    let run = repo.run(&["check", "rules/loot.hcl"]);
    assert_eq!(run.code, 1, "an error in another file still fails: {}", run.stdout);
    assert_eq!(run.stdout, "checked 3 files: 0 errors, 0 warnings; 1 more diagnostic in other files not shown\n");
    let json = repo.run(&["check", "rules/loot.hcl", "--format", "json"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["summary"]["hidden"], 1);
    assert_eq!(repo.run(&["check", "rules/caves.hcl"]).code, 1);
}

#[test]
fn many_alike_diagnostics_are_grouped_unless_all() {
    let repo = crate::support::Repo::helm();
    let extra: String = (0..20).map(|i| format!("  extra{i}: 1\n")).collect();
    repo.write("values.yaml", repo.read("values.yaml").replace("deployment:\n", &format!("deployment:\n{extra}")));
    let human = repo.run(&["check"]);
    assert_eq!(human.code, 1);
    assert_eq!(human.stdout.matches("error[H001]").count(), 3, "{}", human.stdout);
    assert!(
        human.stdout.contains("... and 17 more H001 in values.yaml like the ones above: unknown key `…` in `deployment` (--all shows every one)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.ends_with("checked 8 files: 20 errors, 0 warnings\n"), "the summary counts every one");
    let all = repo.run(&["check", "--all"]);
    assert_eq!(all.stdout.matches("error[H001]").count(), 20);
    assert_eq!(repo.run(&["check", "--format", "json"]).codes().len(), 20, "machine formats hold every diagnostic");
    let github = repo.run(&["check", "--format", "github"]).stdout;
    assert_eq!(github.lines().filter(|l| l.starts_with("::error")).count(), 3, "{github}");
}

#[test]
fn quiet_prints_only_the_diagnostics() {
    let repo = crate::support::Repo::base();
    let clean = repo.run(&["check", "--quiet"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    let build = repo.run(&["build", "-q"]);
    assert_eq!((build.code, build.stdout.as_str()), (0, ""), "no list of written files either");
    repo.write("rules/caves.hcl", repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 10"));
    let bad = repo.run(&["check", "--quiet"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stdout.contains("error[X001]") && !bad.stdout.contains("checked "), "{}", bad.stdout);
}

#[test]
fn color_is_chosen_by_flag_then_no_color_then_terminal() {
    let repo = crate::support::Repo::base();
    repo.write("rules/caves.hcl", repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 10"));
    // The test harness sets NO_COLOR and is no terminal: auto and never mean no colour.
    let always = repo.run(&["check", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["), "--color always wins over NO_COLOR: {}", always.stdout);
    for args in [&["check"][..], &["check", "--color", "never"], &["check", "--color", "auto"]] {
        let run = repo.run(args);
        assert!(!run.stdout.contains('\u{1b}'), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn with_format_json_every_failure_is_a_json_object() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--format", "json", "--no-such-flag"],
        &["render", "--format=json"],
        &["verify", "missing.json", "--format", "json"],
    ] {
        let run = run_at(elsewhere.path(), args);
        assert_eq!(run.code, 2, "{args:?}");
        let report: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.stdout));
        assert_eq!(report["diagnostics"], serde_json::json!([]), "{args:?}");
        assert!(report["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{args:?}: {report}");
        assert!(report["error"]["kind"].is_string());
    }
    let usage = run_at(elsewhere.path(), &["check", "--format", "json", "--no-such-flag"]).json();
    assert_eq!(usage["error"]["kind"], "usage");
}

#[test]
fn help_shows_examples_and_only_each_commands_own_flags() {
    let check = run_at(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &["check", "--help"]);
    assert!(check.stdout.contains("Examples:") && check.stdout.contains("--format") && check.stdout.contains("--root"));
    assert!(check.stdout.contains("--quiet") && check.stdout.contains("--color"));
    let explain = run_at(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &["explain", "--help"]);
    assert!(explain.stdout.contains("Examples:"), "{}", explain.stdout);
    for flag in ["--format", "--root", "--quiet", "--color"] {
        assert!(!explain.stdout.contains(flag), "explain --help shows {flag}: {}", explain.stdout);
    }
    let completions = run_at(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &["completions", "--help"]);
    assert!(!completions.stdout.contains("--format") && !completions.stdout.contains("--root"));
    let schema = run_at(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &["schema", "--help"]);
    assert!(schema.stdout.contains("--root") && !schema.stdout.contains("--format"));
}
