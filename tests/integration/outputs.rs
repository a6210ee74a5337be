//! CI outputs: SARIF validated against its schema, GitHub annotations, completions, man page.

use std::path::Path;

use crate::support::{run_at, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn broken() -> Repo {
    let repo = Repo::base();
    repo.write(
        "rules/caves.hcl",
        repo.read("rules/caves.hcl").replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"),
    );
    repo.write("rules/more.hcl", "loot_table \"spare\" {\n  item \"rock\" { weight = 1 }\n}\n");
    repo
}

/// `tests/sarif-2.1.0-rtm.5.json` is the SARIF 2.1.0 schema as Microsoft's `@microsoft/jest-sarif`
/// (MIT) ships it, from SchemaStore, with one upstream typo corrected so it compiles: both
/// `language` patterns `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` (a stray `]`) read
/// `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`, as in the final OASIS schema.
#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let run = broken().run(&["check", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let schema_text =
        std::fs::read_to_string(Path::new(ROOT).join("tests/sarif-2.1.0-rtm.5.json")).expect("vendored schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run_ = &log["runs"][0];
    let rules = run_["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), rulesctl::codes::all().len(), "a rule entry per diagnostic code");
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty())));
    let result = &run_["results"][0];
    assert_eq!(result["ruleId"], "X001");
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap_or(0) as usize]["id"], "X001");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "rules/caves.hcl", "relative to the repository root");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 5, "startColumn": 20, "endLine": 5, "endColumn": 24})
    );
    assert_eq!(result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "rules/ruleset.hcl");
    assert_eq!(run_["results"][1]["level"], "warning");
}

#[test]
fn github_annotations_land_on_the_right_lines() {
    let run = broken().run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=rules/caves.hcl,line=5,col=20,endLine=5,endColumn=24,title=X001 cooldown-below-minimum::`cooldown_ms` of crystal_caves is 3000 ms, below the minimum of 5000 ms%0Ahelp: raise `cooldown_ms` to 5000 or more"
    );
    assert!(lines[1].starts_with("::warning file=rules/more.hcl,line=1,col=12,"), "{}", lines[1]);
    assert_eq!(lines.last().copied(), Some("checked 4 files: 1 error, 1 warning"));
}

#[test]
fn github_annotations_escape_percent_newlines_and_property_separators() {
    let repo = Repo::base();
    repo.write("rules/a,b:c.hcl", "spawn_confg {}\n");
    let run = repo.run(&["check", "--format", "github"]);
    let line = run.stdout.lines().find(|l| l.contains("D002")).unwrap_or_default().to_string();
    assert!(line.starts_with("::error file=rules/a%2Cb%3Ac.hcl,line=1,col=1,"), "{line}");
    assert!(!line.contains('\n') && line.contains("%0Ahelp: did you mean"), "{line}");
    assert!(rulesctl::codes::find("D002").is_some());
}

/// The registration script of every shell asks rulesctl back through its own variable, and bash
/// (the one shell here) completes with it for real: subcommands, the repository's environments
/// after `--env`, codes after `explain`. Nushell gets a static script of every subcommand.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = run_at(Path::new(ROOT), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("RULESCTL_COMPLETE") && run.stdout.contains(shell), "{shell}: {}", run.stdout);
    }
    let nushell = run_at(Path::new(ROOT), &["completions", "nushell"]);
    for word in ["check", "build", "verify", "argocd generate", "--format"] {
        assert!(nushell.stdout.contains(word), "nushell completions lack {word}: {}", nushell.stdout);
    }
    assert_eq!(run_at(Path::new(ROOT), &["completions", "tcsh"]).code, 2);

    let repo = crate::support::Repo::helm();
    let bin = Path::new(env!("CARGO_BIN_EXE_rulesctl")).parent().expect("bin dir").display().to_string();
    let complete_in = |dir: &Path, words: &str, current: &str| -> Vec<String> {
        let script = format!(
            "source <(rulesctl completions bash)\nCOMP_WORDS=({words} \"{current}\"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_TYPE=9\n_clap_complete_rulesctl rulesctl \"{current}\" x\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &script])
            .current_dir(dir)
            .env("PATH", format!("{bin}:/usr/bin:/bin"))
            .output()
            .expect("bash");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
    };
    let complete = |words: &str, current: &str| complete_in(repo.path(), words, current);
    assert_eq!(complete("rulesctl render --env", ""), ["dev", "prod"]);
    assert_eq!(complete("rulesctl diff --env dev --env", "pr"), ["prod"]);
    assert_eq!(complete("rulesctl", "exp"), ["explain"]);
    let codes = complete("rulesctl explain", "X00");
    assert!(codes.len() >= 9 && codes.iter().all(|c| c.starts_with("X00")), "{codes:?}");
    assert!(complete("rulesctl check", "--den").contains(&"--deny-warnings".to_string()));

    // `--project <TAB>` lists the project folders below, as --project takes them.
    let monorepo = tempfile::tempdir().expect("tempdir");
    for project in ["games/alpha", "games/beta", "tools/gamma"] {
        std::fs::create_dir_all(monorepo.path().join(project)).expect("mkdir");
        std::fs::write(monorepo.path().join(project).join("rulesctl.hcl"), "").expect("write");
    }
    assert_eq!(
        complete_in(monorepo.path(), "rulesctl check --project", ""),
        ["games/alpha", "games/beta", "tools/gamma"]
    );
    assert_eq!(complete_in(monorepo.path(), "rulesctl argocd generate --project", "games/b"), ["games/beta"]);
    assert_eq!(complete_in(&monorepo.path().join("games"), "rulesctl render --project", ""), ["alpha", "beta"]);
}

/// `rulesctl man --out DIR` writes a page per subcommand, each with its own options.
#[test]
fn man_pages_one_per_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    let run = run_at(Path::new(ROOT), &["man", "--out", &out.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (page, option) in
        [("rulesctl-check.1", "deny\\-warnings"), ("rulesctl-hooks-install.1", "chain"), ("rulesctl-build.1", "emit")]
    {
        let text = std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(option), "{page} lacks {option}");
        assert!(run.stdout.contains(page), "{}", run.stdout);
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("rulesctl") && n.ends_with(".1")), "{names:?}");
    assert!(names.len() >= 18, "{names:?}");
}

/// Every `--help` fits 80 columns where rulesctl writes the lines itself (the examples), so no
/// terminal wraps them mid-command.
#[test]
fn help_examples_fit_80_columns() {
    let mut commands = vec![vec![]];
    for sub in rulesctl::cli::command().get_subcommands() {
        commands.push(vec![sub.get_name().to_string()]);
        for inner in sub.get_subcommands() {
            commands.push(vec![sub.get_name().to_string(), inner.get_name().to_string()]);
        }
    }
    for words in commands {
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let run = run_at(Path::new(ROOT), &args);
        let examples = run.stdout.split("Examples:").nth(1).unwrap_or_default();
        for line in examples.lines() {
            assert!(
                line.chars().count() <= 80,
                "`rulesctl {}` help: {} columns: {line}",
                words.join(" "),
                line.chars().count()
            );
        }
    }
}

#[test]
fn man_page() {
    let run = run_at(Path::new(ROOT), &["man"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with(".ie") && run.stdout.contains(".TH rulesctl 1"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    assert!(run.stdout.contains("completions"));
}
