//! Inputs large enough that a loop over what came before would show (issue 28 part 1): what
//! they report is checked name for name, the same as a small input gives. `bench/growth.sh`
//! measures the cost; these tests check only the output.

use serde_json::Value;

use crate::support::Repo;

/// (code, help) of every diagnostic of a JSON report, sorted.
fn helps(report: &Value, code: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == code)
        .map(|d| d["help"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn spawn(region: &str, table: &str) -> String {
    format!(
        "spawn_config {{\n  region = \"{region}\"\n  base_rate = 5\n  max_concurrent = 15\n  cooldown_ms = 6000\n  loot_table = \"{table}\"\n}}\n"
    )
}

fn stream(region: &str) -> String {
    format!(
        "event_stream {{\n  region = \"{region}\"\n  max_len = 10\n  max_in_flight = 1\n  backoff_multiplier = 2.0\n  max_backoff_ms = 10\n}}\n"
    )
}

/// More names than are measured one by one (the index answers above 64): every misspelt loot
/// table still gets its own table as the suggestion, and each table it misspells is not also
/// reported unused.
#[test]
fn many_misspelt_loot_tables_each_get_their_own_suggestion() {
    for n in [10, 300] {
        let repo = Repo::base();
        let mut text = String::new();
        for i in 0..n {
            let region = format!("region_{i:03}");
            text += &spawn(&region, &format!("tabel_{i:03}"));
            text += &stream(&region);
            text += &format!("loot_table \"table_{i:03}\" {{\n  item \"coin\" {{ weight = 1 }}\n}}\n");
        }
        // One reference close to nothing, one shorter than any name: no guess.
        text += &spawn("far_away", "zzzzzzzzzzzzzzzz");
        text += &stream("far_away");
        repo.write("rules/many.hcl", text);
        let report = repo.run(&["check", "--all", "--format", "json"]).json();
        let mut expected: Vec<String> = (0..n).map(|i| format!("did you mean `table_{i:03}`?")).collect();
        expected.push(if n == 10 {
            // Eleven names (with the base fixture's): few enough to list.
            let mut names: Vec<String> = (0..n).map(|i| format!("table_{i:03}")).collect();
            names.push("tier_3_drops".to_string());
            format!("expected one of: {}", names.join(", "))
        } else {
            "check the spelling against the reference".to_string()
        });
        assert_eq!(helps(&report, "X004"), expected, "{n} tables");
        assert_eq!(helps(&report, "X005"), Vec::<String>::new(), "{n}: each unused table follows its misspelling");
    }
}

/// Streams for misspelt regions among many regions: each names its own region, and the
/// region is not also reported without a stream.
#[test]
fn many_misspelt_stream_regions_each_get_their_own_suggestion() {
    for n in [10, 300] {
        let repo = Repo::base();
        let mut text = "loot_table \"shared\" {\n  item \"coin\" { weight = 1 }\n}\n".to_string();
        for i in 0..n {
            text += &spawn(&format!("region_{i:03}"), "shared");
            text += &stream(&format!("regoin_{i:03}"));
        }
        repo.write("rules/many.hcl", text);
        let report = repo.run(&["check", "--all", "--format", "json"]).json();
        let expected: Vec<String> = (0..n).map(|i| format!("did you mean `region_{i:03}`?")).collect();
        assert_eq!(helps(&report, "X011"), expected, "{n} regions");
        assert_eq!(helps(&report, "X010"), Vec::<String>::new(), "{n}: each region follows its stream's misspelling");
    }
}
