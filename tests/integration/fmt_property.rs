//! Properties of `rulesctl fmt`, on random valid rulesets written with random layout and on every
//! fixture repository: fmt succeeds, a second run changes nothing, every comment survives, and
//! neither the digest nor what `check` reports moves.
//!
//! The rulesets come from a seeded xorshift generator, so a failure names its seed and replays.
//! `FMT_PROPERTY_CASES=N` runs more cases (default 48).

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Repo, FIXTURES};

/// xorshift64*: small, seeded, good enough to pick layouts.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes HCL with random but valid layout. Every comment carries a unique marker
/// (`noise-N`), so a lost comment is found by name.
struct Writer {
    rng: Rng,
    comments: usize,
}

impl Writer {
    fn marker(&mut self) -> String {
        self.comments += 1;
        format!("noise-{}", self.comments)
    }

    /// Where HCL allows spaces and `/* */` comments but no newline outside them.
    fn inline(&mut self) -> String {
        match self.rng.range(0, 9) {
            0..=2 => String::new(),
            3..=5 => " ".to_string(),
            6 => "   \t".to_string(),
            7 => format!(" /* {} */ ", self.marker()),
            8 => format!("/*\n   * {}\n   */", self.marker()),
            _ => "  ".to_string(),
        }
    }

    /// The end of a line: spaces, maybe a comment, the newline.
    fn line_end(&mut self) -> String {
        let comment = match self.rng.range(0, 9) {
            0 => format!(" # {}", self.marker()),
            1 => format!("// {}", self.marker()),
            2 => format!(" /* {} */", self.marker()),
            _ => String::new(),
        };
        format!("{comment}{}\n", self.rng.pick(&["", "", " ", "\t  "]))
    }

    fn indent(&mut self) -> &'static str {
        self.rng.pick(&["", "  ", "  ", "    ", "\t", " "])
    }

    /// Lines between items: blank lines, whitespace-only lines and comment lines.
    fn between(&mut self) -> String {
        let mut out = String::new();
        for _ in 0..self.rng.range(0, 3) {
            let line = match self.rng.range(0, 7) {
                0 => format!("# {}", self.marker()),
                1 => format!("// {}", self.marker()),
                2 => format!("/* {} */", self.marker()),
                3 => format!("/*\n     * {}\n  *   kept as written   \n */", self.marker()),
                4 => "   ".to_string(),
                _ => String::new(),
            };
            out.push_str(self.indent());
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// A string literal whose characters are sometimes written as `\u` escapes.
    fn string(&mut self, value: &str) -> String {
        let mut out = String::from("\"");
        for c in value.chars() {
            match self.rng.range(0, 9) {
                0 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                1 => out.push_str(&format!("\\U{:08X}", u32::from(c))),
                _ => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn attribute(&mut self, key: &str, value: &str) -> String {
        let (indent, a, b, end) = (self.indent(), self.inline(), self.inline(), self.line_end());
        format!("{indent}{key}{a}={b}{value}{end}")
    }

    /// A block; one with a single attribute is sometimes written on one line.
    fn block(&mut self, header: &[String], attributes: &[(&str, String)]) -> String {
        let mut out = String::from(self.indent());
        for part in header {
            out.push_str(part);
            out.push_str(&self.inline());
        }
        if let [(key, value)] = attributes {
            if self.rng.chance(50) {
                let (a, b, c, d) = (self.inline(), self.inline(), self.inline(), self.inline());
                let end = self.line_end();
                return format!("{out}{{{a}{key}{b}={c}{value}{d}}}{end}");
            }
        }
        out.push('{');
        out.push_str(&self.line_end());
        for (key, value) in attributes {
            out.push_str(&self.between());
            out.push_str(&self.attribute(key, value));
        }
        out.push_str(&self.between());
        out.push_str(self.indent());
        out.push('}');
        out.push_str(&self.line_end());
        out
    }
}

/// A valid ruleset (every check passes) in one to three files, each with random layout.
fn ruleset(seed: u64) -> (BTreeMap<String, String>, Vec<String>) {
    let mut w = Writer { rng: Rng::new(seed), comments: 0 };
    let multiplier = *[1.0, 1.5, 2.0, 2.5].get(w.rng.range(0, 3) as usize).unwrap_or(&1.0);
    let min_cooldown = w.rng.range(1000, 9000);
    let tables = w.rng.range(1, 3);
    let regions = w.rng.range(tables, 4);
    let mut items: Vec<String> = Vec::new();
    let version = format!("v{}.{}.{}", w.rng.range(0, 9), w.rng.range(0, 20), w.rng.range(0, 99));
    let version = w.string(&version);
    items.push(w.attribute("ruleset_version", &version));
    for t in 0..tables {
        let name = w.string(&format!("tier_{t}_drops"));
        let mut body = String::new();
        for i in 0..w.rng.range(1, 3) {
            let label = w.string(&format!("item_{i}"));
            let weight = w.rng.range(1, 10_000).to_string();
            body.push_str(&w.between());
            body.push_str(&w.block(&["item".to_string(), label], &[("weight", weight)]));
        }
        let (a, b, c, close) = (w.inline(), w.inline(), w.line_end(), w.line_end());
        items.push(format!("loot_table{a}{name}{b}{{{c}{body}{}}}{close}", w.between()));
    }
    for r in 0..regions {
        let region = format!("region_{r}_{}", w.rng.range(0, 999));
        let base_rate = w.rng.range(0, 400);
        // max_concurrent >= base_rate * multiplier, rounded up.
        let least = ((base_rate as f64) * multiplier).ceil() as u64;
        let spawn = [
            ("region", w.string(&region)),
            ("base_rate", base_rate.to_string()),
            ("max_concurrent", w.rng.range(least.max(1), 10_000).to_string()),
            ("cooldown_ms", w.rng.range(min_cooldown, 86_400_000).to_string()),
            ("loot_table", w.string(&format!("tier_{}_drops", r % tables))),
        ];
        items.push(w.block(&["spawn_config".to_string()], &spawn));
        let stream = [
            ("region", w.string(&region)),
            ("max_len", w.rng.range(1, 1_000_000).to_string()),
            ("max_in_flight", w.rng.range(1, 1024).to_string()),
            ("backoff_multiplier", format!("{}.{}", w.rng.range(1, 9), w.rng.range(0, 9))),
            ("max_backoff_ms", w.rng.range(1, 600_000).to_string()),
        ];
        items.push(w.block(&["event_stream".to_string()], &stream));
    }
    let window = format!("{:02}:{:02} UTC", w.rng.range(0, 23), w.rng.range(0, 59));
    let timers = [
        ("world_boss_interval", w.rng.range(60, 86_400).to_string()),
        ("weather_cycle", w.rng.range(60, 86_400).to_string()),
        ("maintenance_window", w.string(&window)),
    ];
    items.push(w.block(&["event_timers".to_string()], &timers));
    let bounds = [
        ("max_spawn_rate_multiplier", format!("{multiplier:.1}")),
        ("min_cooldown_override", min_cooldown.to_string()),
        ("duplicate_event_window_ms", w.rng.range(1, min_cooldown - 1).to_string()),
    ];
    items.push(w.block(&["safety_bounds".to_string()], &bounds));
    // Shuffle the items over one to three files.
    let count = w.rng.range(1, 3);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    while !items.is_empty() {
        let item = items.remove((w.rng.next() % items.len() as u64) as usize);
        let name = format!("rules/part_{}.hcl", w.rng.range(1, count));
        let gap = w.between();
        let file = files.entry(name).or_default();
        file.push_str(&gap);
        file.push_str(&item);
    }
    for text in files.values_mut() {
        if w.rng.chance(20) {
            *text = text.replace('\n', "\r\n");
        }
        if w.rng.chance(10) {
            text.insert(0, '\u{feff}');
        }
        if w.rng.chance(20) {
            let trimmed = text.trim_end_matches(['\r', '\n']).len();
            text.truncate(trimmed);
        }
    }
    let markers = (1..=w.comments).map(|n| format!("noise-{n}")).collect();
    (files, markers)
}

fn digest(repo: &Repo) -> Result<String, String> {
    let _ = std::fs::remove_dir_all(repo.path().join("dist"));
    let run = repo.run(&["build", "--format", "json"]);
    if run.code != 0 {
        return Err(run.stdout);
    }
    Ok(run.json()["digest"].as_str().unwrap_or_default().to_string())
}

/// What `check` says, without positions (which formatting moves): code, file and message.
fn findings(repo: &Repo) -> (i32, Vec<String>) {
    let run = repo.run(&["check", "--format", "json"]);
    let found = run.json()["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter().map(|d| format!("{} {} {}", d["code"].as_str().unwrap_or(""), d["file"], d["message"])).collect()
        })
        .unwrap_or_default();
    (run.code, found)
}

fn all_files(repo: &Repo, names: &[&String]) -> String {
    names.iter().map(|n| repo.read(n)).collect::<Vec<_>>().join("\n")
}

#[test]
fn random_rulesets_in_random_layouts_format_once_and_for_all() {
    let cases: u64 = std::env::var("FMT_PROPERTY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    for seed in 1..=cases {
        let (files, markers) = ruleset(seed);
        let repo = Repo::empty();
        for (name, text) in &files {
            repo.write(name, text);
        }
        let names: Vec<&String> = files.keys().collect();
        let shown = || all_files(&repo, &names);
        let before = digest(&repo)
            .unwrap_or_else(|out| panic!("seed {seed}: the generated ruleset is invalid:\n{out}\n{}", shown()));
        let run = repo.run(&["fmt"]);
        assert_eq!(run.code, 0, "seed {seed}: fmt failed:\n{}\n{}", run.stdout, shown());
        let once = shown();
        let again = repo.run(&["fmt", "--check"]);
        assert_eq!(again.code, 0, "seed {seed}: not idempotent:\n{}\n{once}", again.stdout);
        for marker in &markers {
            assert!(
                once.contains(&format!("{marker} ")) || once.contains(&format!("{marker}\n")),
                "seed {seed}: lost {marker}:\n{once}"
            );
        }
        assert!(!once.contains('\r') && !once.contains('\u{feff}'), "seed {seed}: CRLF or BOM left");
        assert!(
            once.lines().all(|l| l == l.trim_end() || l.contains("kept as written")),
            "seed {seed}: trailing spaces:\n{once}"
        );
        assert_eq!(digest(&repo).as_deref(), Ok(before.as_str()), "seed {seed}: the digest moved:\n{once}");
    }
}

/// The generator itself: its rulesets are valid, varied, and noisy where it matters.
#[test]
fn the_generator_writes_what_fmt_must_handle() {
    let texts: Vec<String> =
        (1..=48).map(|seed| ruleset(seed).0.into_values().collect::<Vec<_>>().join("\n")).collect();
    let any = |needle: &str| texts.iter().any(|t| t.contains(needle));
    for needle in
        ["\\u00", "\\U000", "\r\n", "\u{feff}", "/*\n   * noise", "# noise", "// noise", "item\"", "\"{", "\t"]
    {
        assert!(any(needle), "no generated ruleset holds {needle:?}");
    }
    assert!(texts.iter().any(|t| t.contains(" { weight") || t.contains("{weight")), "one-line blocks");
}

/// Every fixture repository (the base, the Helm setup and each code's fixture laid over its
/// base): fmt leaves what `check` reports unchanged but for positions, a second run changes
/// nothing, and a ruleset that builds keeps its digest.
#[test]
fn every_fixture_repository_keeps_its_findings_and_digest_through_fmt() {
    let mut repos: Vec<(String, Repo)> = vec![("base".into(), Repo::base()), ("helm".into(), Repo::helm())];
    let mut dirs: Vec<_> = std::fs::read_dir(Path::new(FIXTURES).join("codes")).expect("codes").flatten().collect();
    dirs.sort_by_key(std::fs::DirEntry::file_name);
    for dir in dirs {
        let name = dir.file_name().to_string_lossy().into_owned();
        let repo = if name.starts_with(['H', 'Y']) { Repo::helm() } else { Repo::base() };
        repo.overlay(&dir.path());
        repos.push((name, repo));
    }
    assert!(repos.len() > 40);
    for (name, repo) in repos {
        let before = findings(&repo);
        let built = digest(&repo).ok();
        let run = repo.run(&["fmt", "--format", "json"]);
        let refused: Vec<String> =
            run.codes().into_iter().filter(|c| !c.starts_with('L') && c != "S001" && c != "S002").collect();
        assert!(refused.is_empty(), "{name}: fmt reported {refused:?}:\n{}", run.stdout);
        let again = repo.run(&["fmt", "--check", "--format", "json"]);
        assert_eq!(again.json()["changed"], serde_json::json!([]), "{name}: not idempotent");
        assert_eq!(findings(&repo), before, "{name}: fmt changed what check says");
        if let Some(digest_before) = built {
            assert_eq!(digest(&repo).ok(), Some(digest_before), "{name}: the digest moved");
        }
    }
}
