//! `limits { }` (issue 16, part 3): each limit at its value is accepted, one over is refused
//! with a diagnostic at the place that crossed it, saying what and how to raise it.

use serde_json::Value;

use crate::support::{Repo, Run};

/// `rulesctl.hcl` holding only `limits { name = value }`.
fn limit(repo: &Repo, name: &str, value: usize) {
    repo.write("rulesctl.hcl", format!("limits {{\n  {name} = {value}\n}}\n"));
}

fn check(repo: &Repo) -> (Run, Value) {
    let run = repo.run(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report = run.json();
    (run, report)
}

/// The one diagnostic of `code` as (file, line, column, message, help); fails unless there is
/// exactly one.
fn only(report: &Value, code: &str) -> (String, u64, u64, String, String) {
    let matching: Vec<&Value> =
        report["diagnostics"].as_array().into_iter().flatten().filter(|d| d["code"] == code).collect();
    assert_eq!(matching.len(), 1, "one {code} expected: {report}");
    let d = matching[0];
    let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
    (text("file"), d["line"].as_u64().unwrap_or(0), d["column"].as_u64().unwrap_or(0), text("message"), text("help"))
}

/// Asserts the run passes: nothing at all to report.
fn passes(repo: &Repo) {
    let run = repo.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn max_file_bytes_at_the_limit_is_read_and_one_byte_over_is_not() {
    let repo = Repo::base();
    let largest = ["rules/caves.hcl", "rules/loot.hcl", "rules/ruleset.hcl"]
        .iter()
        .map(|f| (repo.read(f).len(), *f))
        .max()
        .unwrap_or_default();
    limit(&repo, "max_file_bytes", largest.0);
    passes(&repo);
    limit(&repo, "max_file_bytes", largest.0 - 1);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let (file, line, column, message, help) = only(&report, "L004");
    assert_eq!((file.as_str(), line, column), (largest.1, 1, 1));
    assert_eq!(message, format!("`{}` is {} bytes, over the limit of {} bytes", largest.1, largest.0, largest.0 - 1));
    assert_eq!(help, "split it into smaller files, or raise `limits { max_file_bytes = ... }` in rulesctl.hcl");
}

/// `rulesctl.hcl` is read before its limits are known: the default applies to it, whatever it
/// says, and the help does not suggest raising what cannot apply.
#[test]
fn the_project_file_is_read_under_the_default_size_limit() {
    let repo = Repo::base();
    let padding = "# padding\n".repeat(8 * 1024 * 1024 / 10 + 1);
    repo.write("rulesctl.hcl", format!("limits {{\n  max_file_bytes = 1073741824\n}}\n{padding}"));
    let (_, report) = check(&repo);
    let (file, line, column, message, help) = only(&report, "L004");
    assert_eq!((file.as_str(), line, column), ("rulesctl.hcl", 1, 1));
    assert!(message.ends_with("over the limit of 8388608 bytes"), "{message}");
    assert!(help.contains("always read under the default limit") && !help.contains("raise"), "{help}");
}

#[test]
fn max_depth_holds_for_hcl() {
    // loot.hcl nests two levels: `loot_table "..." {` and `item "..." {`.
    let repo = Repo::base();
    limit(&repo, "max_depth", 2);
    passes(&repo);
    limit(&repo, "max_depth", 1);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let (file, line, column, message, help) = only(&report, "S002");
    assert_eq!((file.as_str(), line, column), ("rules/loot.hcl", 2, 23));
    assert_eq!(message, "nested more than 1 levels deep");
    assert_eq!(help, "flatten the structure, or raise `limits { max_depth = ... }` in rulesctl.hcl");
    // The default, 64, is also the most: at it a file is parsed (its unknown attribute is
    // found), one over is refused, and the help does not offer to raise it.
    let repo = Repo::base();
    let nested = |n: usize| format!("# deep\nlevels = {}{}\n", "[".repeat(n), "]".repeat(n));
    repo.write("rules/deep.hcl", nested(64));
    let (_, report) = check(&repo);
    assert_eq!(only(&report, "D003").0, "rules/deep.hcl");
    repo.write("rules/deep.hcl", nested(65));
    let (_, report) = check(&repo);
    let (file, line, column, message, help) = only(&report, "S002");
    assert_eq!((file.as_str(), line, column), ("rules/deep.hcl", 2, 74));
    assert_eq!((message.as_str(), help.as_str()), ("nested more than 64 levels deep", "flatten the structure"));
}

#[test]
fn max_depth_holds_for_yaml() {
    let repo = Repo::base();
    let nested = |n: usize| format!("top:\n  deep: {}1{}\n", "[".repeat(n - 2), "]".repeat(n - 2));
    // The top-level mapping, `top`'s mapping, then the lists: 64 levels.
    repo.write("values.yaml", nested(64));
    passes(&repo);
    repo.write("values.yaml", nested(65));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let (file, line, column, message, _) = only(&report, "Y004");
    assert_eq!((file.as_str(), line, column), ("values.yaml", 2, 9 + 62));
    assert_eq!(message, "nested more than 64 levels deep");
    limit(&repo, "max_depth", 5);
    repo.write("values.yaml", nested(5));
    passes(&repo);
    repo.write("values.yaml", "top:\n  a:\n    b:\n      c:\n        - d: 1\n");
    let (_, report) = check(&repo);
    let (file, line, column, message, help) = only(&report, "Y004");
    assert_eq!(
        (file.as_str(), line, column, message.as_str()),
        ("values.yaml", 5, 11, "nested more than 5 levels deep")
    );
    assert_eq!(help, "flatten the structure, or raise `limits { max_depth = ... }` in rulesctl.hcl");
}

#[test]
fn max_depth_holds_for_the_values_schema() {
    let repo = Repo::helm();
    // The fixture's schema nests 7 levels; its values and environments fewer.
    let project = repo.read("rulesctl.hcl");
    repo.write("rulesctl.hcl", format!("limits {{\n  max_depth = 7\n}}\n{project}"));
    passes(&repo);
    repo.write("rulesctl.hcl", format!("limits {{\n  max_depth = 6\n}}\n{project}"));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let (file, line, _, message, help) = only(&report, "H016");
    assert_eq!(
        (file.as_str(), message.as_str()),
        ("chart/values.schema.json", "the values schema nests more than 6 levels deep")
    );
    let schema = repo.read("chart/values.schema.json");
    let written = schema.lines().nth(usize::try_from(line).unwrap_or(1) - 1).unwrap_or_default();
    assert!(written.contains(['{', '[']), "line {line}: {written}");
    assert!(help.ends_with("or raise `limits { max_depth = ... }` in rulesctl.hcl"), "{help}");
}

#[test]
fn max_files_counts_rule_and_environment_files() {
    let repo = Repo::helm();
    let project = repo.read("rulesctl.hcl");
    // Three rule files and two environments.
    repo.write("rulesctl.hcl", format!("limits {{\n  max_files = 5\n}}\n{project}"));
    passes(&repo);
    repo.write("rulesctl.hcl", format!("limits {{\n  max_files = 4\n}}\n{project}"));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(1), "one diagnostic, nothing read: {report}");
    let (file, line, column, message, help) = only(&report, "L009");
    assert_eq!((file.as_str(), line, column), ("rules", 1, 1));
    assert_eq!(
        message,
        "5 rule and environment files (3 rule files, 2 environments), over the limit of 4: none of them was read"
    );
    assert!(help.ends_with("or raise `limits { max_files = ... }` in rulesctl.hcl"), "{help}");
    // With the rules path written in rulesctl.hcl, the diagnostic points at it.
    repo.write("rulesctl.hcl", "paths {\n  rules = \"rules\"\n}\n\nlimits {\n  max_files = 4\n}\n");
    let (_, report) = check(&repo);
    let (file, line, column, _, _) = only(&report, "L009");
    assert_eq!((file.as_str(), line, column), ("rulesctl.hcl", 2, 11));
}

/// Thousands of files over the limit are one diagnostic, listed and counted but never read.
#[test]
fn many_files_over_the_limit_are_one_quick_diagnostic() {
    let repo = Repo::base();
    for i in 0..3000 {
        repo.write(&format!("rules/generated/g{i:04}.hcl"), "this is not { valid HCL\n");
    }
    limit(&repo, "max_files", 1000);
    // Never read is what makes it quick: the summary counts only rulesctl.hcl (no clock here).
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(1), "{report}");
    assert!(only(&report, "L009").3.starts_with("3003 rule and environment files"), "{report}");
    assert_eq!(report["summary"]["files"], 1, "only rulesctl.hcl was read");
}

#[test]
fn max_yaml_nodes_counts_every_node_and_each_alias_as_what_it_copies() {
    let repo = Repo::base();
    // The top mapping (1), `a` (1) and its list (1) of three (3), `b` (1) and its list (1),
    // two aliases of four nodes each (8): 16.
    repo.write("values.yaml", "a: &a [1, 2, 3]\nb: [*a, *a]\n");
    limit(&repo, "max_yaml_nodes", 16);
    passes(&repo);
    limit(&repo, "max_yaml_nodes", 15);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let (file, line, column, message, help) = only(&report, "Y003");
    assert_eq!((file.as_str(), line, column), ("values.yaml", 2, 9));
    assert_eq!(message, "aliases expand this document beyond 15 nodes");
    assert!(help.ends_with("or raise `limits { max_yaml_nodes = ... }` in rulesctl.hcl"), "{help}");
    // An aliased mapping copies its keys too: the top (1), `m` (1), its mapping (1), `x` (1)
    // and 1 (1), `o` (1), and the alias of three (3): 9. (Not `n`: Helm reads that key as
    // `false`, a Y005 of its own.)
    repo.write("values.yaml", "m: &m {x: 1}\no: *m\n");
    limit(&repo, "max_yaml_nodes", 9);
    passes(&repo);
    limit(&repo, "max_yaml_nodes", 8);
    let (_, report) = check(&repo);
    let (file, line, column, _, _) = only(&report, "Y003");
    assert_eq!((file.as_str(), line, column), ("values.yaml", 2, 4));
    limit(&repo, "max_yaml_nodes", 15);
    // Without aliases, the node that crosses the limit.
    repo.write("values.yaml", "a: 1\nb: 2\nc: 3\nd: 4\nee: 5\nf: 6\ng: 7\nh: 8\n");
    let (_, report) = check(&repo);
    let (file, line, column, message, _) = only(&report, "Y003");
    assert_eq!((file.as_str(), line, column), ("values.yaml", 8, 1));
    assert_eq!(message, "the document has more than 15 nodes");
}

#[test]
fn max_string_bytes_holds_for_hcl_strings_and_yaml_scalars() {
    let repo = Repo::base();
    // The longest string in the rules is "crystal_caves", 13 bytes.
    limit(&repo, "max_string_bytes", 13);
    passes(&repo);
    limit(&repo, "max_string_bytes", 12);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let found: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(found, [("L010".to_string(), 2, 20), ("L010".to_string(), 10, 24)], "{report}");
    assert_eq!(report["diagnostics"][0]["message"], "this string is 13 bytes, over the limit of 12 bytes");
    assert_eq!(
        report["diagnostics"][0]["help"],
        "shorten it, or raise `limits { max_string_bytes = ... }` in rulesctl.hcl"
    );
    // A YAML scalar, quoted or not, key or value, is measured as it reads.
    let repo = Repo::base();
    repo.write("values.yaml", "note: \"twenty bytes, exact!\"\n");
    limit(&repo, "max_string_bytes", 20);
    passes(&repo);
    limit(&repo, "max_string_bytes", 19);
    let (_, report) = check(&repo);
    let (file, line, column, message, _) = only(&report, "L010");
    assert_eq!((file.as_str(), line, column), ("values.yaml", 1, 7));
    assert_eq!(message, "this string is 20 bytes, over the limit of 19 bytes");
    // The default, 1 MiB, applies without a project file.
    let repo = Repo::base();
    repo.write("values.yaml", format!("blob: {}\n", "x".repeat(1024 * 1024)));
    passes(&repo);
    repo.write("values.yaml", format!("blob: {}\n", "x".repeat(1024 * 1024 + 1)));
    let (_, report) = check(&repo);
    assert_eq!(only(&report, "L010").3, "this string is 1048577 bytes, over the limit of 1048576 bytes");
}

/// Base plus a rule file of `n` unknown top-level attributes: `n` errors.
fn with_errors(n: usize) -> Repo {
    let repo = Repo::base();
    let text: String = (0..n).map(|i| format!("unknown_{i:04} = 1\n")).collect();
    repo.write("rules/zz.hcl", text);
    repo
}

#[test]
fn max_diagnostics_prints_the_first_ones_and_counts_all() {
    let repo = with_errors(30);
    limit(&repo, "max_diagnostics", 30);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(30));
    assert_eq!(report["summary"].get("not_printed"), None, "{}", report["summary"]);
    limit(&repo, "max_diagnostics", 29);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1, "the exit code does not depend on what is printed");
    // The file keeps its first 29 and counts the 30th in an L011 note, which is always printed.
    assert_eq!(found(&report).len(), 30);
    assert_eq!(found(&report)[29], at("L011", "rules/zz.hcl", 30, 1));
    assert_eq!(report["summary"]["errors"], 30);
    assert_eq!(report["summary"].get("not_printed"), None, "{}", report["summary"]);
    assert_eq!(report["summary"]["not_kept"], 1);
    assert_eq!(report["summary"]["max_diagnostics"], 29);
    let human = repo.run(&["check"]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.ends_with(
            "checked 5 files: 30 errors, 0 warnings; 1 of them past the limit of 29 per file, counted but not shown (L011 says where; `limits { max_diagnostics = ... }` in rulesctl.hcl raises it)\n"
        ),
        "{}",
        human.stdout
    );
    // --all prints every diagnostic kept: the limit is on what a file keeps.
    let all = repo.run(&["check", "--all", "--format", "json"]).json();
    assert_eq!(all["diagnostics"].as_array().map(Vec::len), Some(30));
    let sarif = repo.run(&["check", "--format", "sarif"]).json();
    assert_eq!(sarif["runs"][0]["results"].as_array().map(Vec::len), Some(30));
    assert_eq!(sarif["runs"][0]["properties"]["notKept"], 1);
    // GitHub annotations group alike ones as the human report does: of the 29 D003, the
    // first three and a line counting the other 26; then the L011.
    let github = repo.run(&["check", "--format", "github"]);
    assert_eq!(github.stdout.lines().filter(|l| l.starts_with("::error")).count(), 4);
    assert!(github.stdout.contains("... and 26 more D003"), "{}", github.stdout);
    assert!(github.stdout.contains("1 of them past the limit of 29 per file"), "{}", github.stdout);
    // Printing still stops at the limit over several files: 2 files of 20 errors, limit 29.
    repo.write("rules/zz.hcl", (0..20).map(|i| format!("unknown_{i:04} = 1\n")).collect::<String>());
    repo.write("rules/zy.hcl", (0..20).map(|i| format!("unknown_{i:04} = 1\n")).collect::<String>());
    let (_, report) = check(&repo);
    assert_eq!(found(&report).len(), 29);
    assert_eq!((report["summary"]["errors"].as_u64(), report["summary"]["not_printed"].as_u64()), (Some(40), Some(11)));
}

#[test]
fn max_diagnostics_defaults_to_a_thousand() {
    let repo = with_errors(1001);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report).len(), 1001);
    assert_eq!(found(&report)[1000], at("L011", "rules/zz.hcl", 1001, 1));
    assert_eq!((report["summary"]["errors"].as_u64(), report["summary"]["not_kept"].as_u64()), (Some(1001), Some(1)));
}

/// A limit outside its range is an error at the value, and the default holds meanwhile.
#[test]
fn a_limit_out_of_range_is_reported_and_the_default_kept() {
    let repo = Repo::base();
    for (name, value) in [("max_depth", 65), ("max_files", 0), ("max_string_bytes", 2_000_000_000)] {
        limit(&repo, name, value);
        let (run, report) = check(&repo);
        assert_eq!(run.code, 1);
        let (file, line, column, _, _) = only(&report, "B001");
        assert_eq!((file.as_str(), line, column), ("rulesctl.hcl", 2, name.len() as u64 + 6), "{name}");
    }
}

/// `fmt` reads rule files under the same size limit as `check`.
#[test]
fn fmt_reads_under_the_configured_size_limit() {
    let repo = Repo::base();
    let size = repo.read("rules/caves.hcl").len();
    limit(&repo, "max_file_bytes", size);
    let run = repo.run(&["fmt", "--check", "rules/caves.hcl"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    limit(&repo, "max_file_bytes", size - 1);
    let run = repo.run(&["fmt", "--check", "rules/caves.hcl", "--format", "json"]);
    assert_eq!(only(&run.json(), "L004").0, "rules/caves.hcl");
}

/// A staged file far over `max_file_bytes` is refused by its size in git's object header,
/// before it is inflated: 128 MiB of zeros staged under the rules costs the check no more than
/// a few MiB of memory (reading it first, as before, took 128 MiB more).
#[test]
fn a_staged_blob_over_the_size_limit_is_refused_before_it_is_read() {
    let repo = Repo::committed();
    std::fs::write(repo.path().join("rules/huge.hcl"), vec![b' '; 128 << 20]).expect("write");
    crate::support::git(repo.path(), &["add", "rules/huge.hcl"]);
    std::fs::remove_file(repo.path().join("rules/huge.hcl")).expect("remove");
    let script = "import resource, subprocess, sys\n\
                  out = subprocess.run([sys.argv[1], 'check', '--staged', '--format', 'json'], cwd=sys.argv[2], capture_output=True, text=True)\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
                  print(out.stdout)";
    let out = crate::support::python(&["-c", script, env!("CARGO_BIN_EXE_rulesctl"), &repo.path().to_string_lossy()]);
    let (peak, report) = out.split_once('\n').expect("two parts");
    let peak_kib: u64 = peak.trim().parse().expect("a number");
    let report: Value = serde_json::from_str(report).expect("json");
    let (file, line, column, message, _) = only(&report, "L004");
    assert_eq!((file.as_str(), line, column), ("rules/huge.hcl", 1, 1));
    assert!(message.contains("134217728 bytes"), "{message}");
    assert!(peak_kib < 64 << 10, "peak RSS {peak_kib} KiB: the blob was read whole");
}

// Ten times each limit (issue 28 part 5): a hostile input far over a limit is refused as the
// one just over it is, with the same diagnostic at the same place, and nothing past the limit
// is worked on (the file is not read, the parser never sees the nesting, the document is not
// built past its last allowed node). The cost side is measured by `bench/growth.sh limits`.

/// (code, file, line, column) of every diagnostic, in report order.
fn found(report: &Value) -> Vec<(String, String, u64, u64)> {
    let text = |d: &Value, key: &str| d[key].as_str().unwrap_or_default().to_string();
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (text(d, "code"), text(d, "file"), d["line"].as_u64().unwrap_or(0), d["column"].as_u64().unwrap_or(0)))
        .collect()
}

fn at(code: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (code.to_string(), file.to_string(), line, column)
}

#[test]
fn max_file_bytes_refuses_a_file_ten_times_over_in_the_tree_and_in_git() {
    let repo = Repo::committed();
    limit(&repo, "max_file_bytes", 1000);
    repo.write("rules/huge.hcl", format!("# {}\n", "x".repeat(9_997)));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report), [at("L004", "rules/huge.hcl", 1, 1)]);
    assert_eq!(only(&report, "L004").3, "`rules/huge.hcl` is 10000 bytes, over the limit of 1000 bytes");
    // From git's index the size is the blob's header: the blob is refused before it is inflated.
    crate::support::git(repo.path(), &["add", "."]);
    let staged = repo.run(&["check", "--staged", "--format", "json"]).json();
    assert_eq!(found(&staged), [at("L004", "rules/huge.hcl", 1, 1)]);
    assert_eq!(only(&staged, "L004").3, "`rules/huge.hcl` is 10000 bytes, over the limit of 1000 bytes");
}

#[test]
fn max_depth_refuses_ten_times_the_depth_at_the_first_bracket_over() {
    let repo = Repo::base();
    repo.write("rules/deep.hcl", format!("# deep\nlevels = {}{}\n", "[".repeat(640), "]".repeat(640)));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report), [at("S002", "rules/deep.hcl", 2, 9 + 65)]);
    let repo = Repo::base();
    repo.write("values.yaml", format!("top:\n  deep: {}1{}\n", "[".repeat(638), "]".repeat(638)));
    let (_, report) = check(&repo);
    assert_eq!(found(&report), [at("Y004", "values.yaml", 2, 9 + 62)]);
}

#[test]
fn max_files_refuses_ten_times_the_files_without_reading_one() {
    let repo = Repo::base();
    for i in 0..100 {
        repo.write(&format!("rules/many/m{i:03}.hcl"), "not { valid\n");
    }
    limit(&repo, "max_files", 10);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report), [at("L009", "rules", 1, 1)]);
    assert!(only(&report, "L009").3.starts_with("103 rule and environment files"), "{report}");
    assert_eq!(report["summary"]["files"], 1, "only rulesctl.hcl was read");
}

#[test]
fn max_yaml_nodes_refuses_ten_times_the_nodes_at_the_first_node_over() {
    let repo = Repo::base();
    // 1 (the top mapping) + 75 keys and their values: 151 nodes; node 16 is line 8's key.
    repo.write("values.yaml", (0..75).map(|i| format!("k{i:02}: {i}\n")).collect::<String>());
    limit(&repo, "max_yaml_nodes", 15);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report), [at("Y003", "values.yaml", 8, 1)]);
    assert_eq!(only(&report, "Y003").3, "the document has more than 15 nodes");
}

/// A rule-file string ten times over is found by the tokenizer before the file is parsed: `L010`
/// at its opening quote, even when the file would not parse, and hcl-edit never reads it.
#[test]
fn a_rule_string_ten_times_over_is_refused_before_the_file_is_parsed() {
    let repo = Repo::base();
    limit(&repo, "max_string_bytes", 100);
    repo.write("rules/zz.hcl", format!("note = \"{}\\n\"\nbroken = {{\n", "x".repeat(999)));
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(found(&report), [at("L010", "rules/zz.hcl", 1, 8)]);
    assert_eq!(only(&report, "L010").3, "this string is 1000 bytes, over the limit of 100 bytes");
    // Within ten times the limit and in a file that parses, the parser's own measure says the same.
    repo.write("rules/zz.hcl", format!("note = \"{}\\n\"\n", "x".repeat(999)));
    let (_, report) = check(&repo);
    assert_eq!(only(&report, "L010").3, "this string is 1000 bytes, over the limit of 100 bytes");
}

/// The human report of a string ten times over shows the start of its line, not all of it: a
/// snippet copies the lines it shows, each cut 512 bytes after the last place in it.
#[test]
fn a_string_ten_times_over_prints_a_short_snippet() {
    let repo = Repo::base();
    limit(&repo, "max_string_bytes", 10_000);
    repo.write("values.yaml", format!("top: 1\nblob: {}\nlast: 2\n", "x".repeat(100_000)));
    let (_, report) = check(&repo);
    assert_eq!(found(&report), [at("L010", "values.yaml", 2, 7)]);
    let human = repo.run(&["check"]);
    assert!(human.stdout.contains("[values.yaml:2:7]"), "{}", human.stdout);
    assert!(human.stdout.contains("blob: xxxx"), "{}", human.stdout);
    assert!(human.stdout.contains("x..."), "{}", human.stdout);
    assert!(
        human.stdout.len() < 4_000,
        "{} bytes: {}",
        human.stdout.len(),
        human.stdout.chars().take(4_000).collect::<String>()
    );
}

#[test]
fn max_string_bytes_refuses_strings_ten_times_over_in_hcl_and_yaml() {
    let repo = Repo::base();
    let long = "c".repeat(200);
    repo.write("rules/caves.hcl", repo.read("rules/caves.hcl").replace("crystal_caves", &long));
    repo.write("values.yaml", format!("top: 1\nnote: \"{long}\"\n"));
    limit(&repo, "max_string_bytes", 20);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(
        found(&report),
        [at("L010", "rules/caves.hcl", 2, 20), at("L010", "rules/caves.hcl", 10, 24), at("L010", "values.yaml", 2, 7)]
    );
    assert_eq!(report["diagnostics"][0]["message"], "this string is 200 bytes, over the limit of 20 bytes");
}

/// A YAML string ten times over, in every style, in a key and in an environment file: the
/// parser reads the limit of it, not all of it, and the diagnostic is the one a string just
/// over gets: `L010` at its start, with its whole length once read (escapes, folding).
#[test]
fn a_yaml_string_ten_times_over_is_refused_at_its_start_in_every_style() {
    let repo = Repo::base();
    limit(&repo, "max_string_bytes", 1000);
    let long = "x".repeat(10_000);
    let half = "x".repeat(5_000);
    for (text, line, column, bytes) in [
        (format!("top: 1\nplain: {long}\n"), 2, 8, 10_000),
        (format!("top: 1\nsingle: '{long} it''s'\n"), 2, 9, 10_005),
        (format!("top: 1\ndouble: \"\\u00e9{long}\\n\"\n"), 2, 9, 10_003),
        (format!("top: 1\nliteral: |\n  {half}\n  {half}\n"), 3, 3, 10_002),
        (format!("top: 1\nfolded: >\n  {half}\n  {half}\n"), 3, 3, 10_002),
        (format!("top: 1\nlines: {half}\n  {half}\n"), 2, 8, 10_001),
        (format!("top: 1\nlist: [1, {long}]\n"), 2, 11, 10_000),
        (format!("top: 1\nkey: {{{long}: 1}}\n"), 2, 7, 10_000),
    ] {
        repo.write("values.yaml", &text);
        let (run, report) = check(&repo);
        assert_eq!(run.code, 1);
        assert_eq!(found(&report), [at("L010", "values.yaml", line, column)], "{}", &text[..30]);
        assert_eq!(only(&report, "L010").3, format!("this string is {bytes} bytes, over the limit of 1000 bytes"));
    }
    repo.write("values.yaml", "top: 1\n");
    repo.write("environments/dev.yaml", format!("top: 2\nnote: \"{long}\"\n"));
    let (_, report) = check(&repo);
    assert_eq!(found(&report), [at("L010", "environments/dev.yaml", 2, 7)]);
}

/// A comment is not a string, however long, even after a string read past the limit as
/// written but within it as read (indentation is not content); a file longer than the limit
/// whose strings are all within it (one at the limit exactly) reads as ever.
#[test]
fn a_long_yaml_comment_and_strings_within_the_limit_pass() {
    let repo = Repo::base();
    limit(&repo, "max_string_bytes", 1000);
    let comment = format!("# {}", "x".repeat(10_000));
    let values: String = (0..20).map(|i| format!("k{i}: {}\n", "y".repeat(999))).collect();
    let block = format!("block: |- {comment}\n  {}\n", "z".repeat(1000));
    repo.write("values.yaml", format!("{comment}\ntop: 1 {comment}\n{values}{block}{comment}\n"));
    passes(&repo);
    let indented = format!("{}x\n", " ".repeat(3000));
    repo.write("values.yaml", format!("indented: |\n{}{block}", indented.repeat(3)));
    passes(&repo);
}

/// Ten times the limit in one file: the file keeps the first ten, counts the other 90 without
/// building them (no did-you-mean is measured), and says so at the first one it left out.
#[test]
fn max_diagnostics_keeps_the_limit_of_ten_times_as_many_and_counts_the_rest() {
    let repo = with_errors(100);
    limit(&repo, "max_diagnostics", 10);
    let (run, report) = check(&repo);
    assert_eq!(run.code, 1);
    let printed = found(&report);
    assert_eq!(printed.len(), 11);
    assert_eq!(printed[0], at("D003", "rules/zz.hcl", 1, 1));
    assert_eq!(printed[9], at("D003", "rules/zz.hcl", 10, 1));
    assert_eq!(printed[10], at("L011", "rules/zz.hcl", 11, 1));
    let (_, _, _, message, help) = only(&report, "L011");
    assert_eq!(
        message,
        "90 more diagnostics in this file past the limit of 10 (90 errors, 0 warnings): counted, not shown"
    );
    assert_eq!(
        help,
        "fix the diagnostics shown and check again, or raise `limits { max_diagnostics = ... }` in rulesctl.hcl"
    );
    assert_eq!(report["diagnostics"][10]["severity"], "error");
    assert_eq!((report["summary"]["errors"].as_u64(), report["summary"]["not_kept"].as_u64()), (Some(100), Some(90)));
    assert_eq!(report["summary"].get("not_printed"), None, "{}", report["summary"]);
    let human = repo.run(&["check"]);
    assert!(
        human
            .stdout
            .contains("100 errors, 0 warnings; 90 of them past the limit of 10 per file, counted but not shown"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("error[L011]"), "{}", human.stdout);
    // Exactly at the limit: nothing is left out, so there is no note.
    let repo = with_errors(10);
    limit(&repo, "max_diagnostics", 10);
    let (_, report) = check(&repo);
    assert_eq!(found(&report).len(), 10);
    assert_eq!(report["summary"].get("not_kept"), None, "{}", report["summary"]);
}

/// Which diagnostics a file keeps depends on the file alone: many files over the limit, read on
/// one thread or several, give the same report.
#[test]
fn max_diagnostics_keeps_the_same_ones_on_any_number_of_threads() {
    let repo = Repo::base();
    limit(&repo, "max_diagnostics", 5);
    for f in 0..80 {
        let text: String = (0..12).map(|i| format!("unknown_{f:02}_{i:02} = 1\n")).collect();
        repo.write(&format!("rules/zz_{f:02}.hcl"), text);
    }
    let one =
        crate::support::run_env(repo.path(), &["check", "--all", "--format", "json"], &[("RULESCTL_THREADS", "1")]);
    let four =
        crate::support::run_env(repo.path(), &["check", "--all", "--format", "json"], &[("RULESCTL_THREADS", "4")]);
    assert_eq!(one.stdout, four.stdout);
    let report = one.json();
    assert_eq!(report["summary"]["errors"], 80 * 12);
    assert_eq!(report["summary"]["not_kept"], 80 * 7);
    let notes: Vec<_> = found(&report).into_iter().filter(|d| d.0 == "L011").collect();
    assert_eq!(notes.len(), 80);
    assert_eq!(notes[0], at("L011", "rules/zz_00.hcl", 6, 1));
}
