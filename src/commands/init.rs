//! `rulesctl init [--chart PATH]`: scaffold a rules repository that passes `rulesctl check`,
//! never overwriting a file.

use std::path::Path;

use crate::cli::{Globals, InitArgs};
use crate::commands::Outcome;
use crate::diagnostic::Sink;
use crate::error::Error;
use crate::io::{create_dir_all, exists, write_atomic};
use crate::model::secrets;
use crate::parse::yaml;
use crate::scaffold;
use crate::source::{root, Limits, Sources, Tree, WorkTree};

/// A chart's values.yaml may be large; this is the same cap as any input file.
const MAX_VALUES_BYTES: u64 = crate::model::project::DEFAULT_MAX_FILE_BYTES;

/// # Errors
///
/// A chart that is not a folder inside the repository with a readable values.yaml, or a file
/// that cannot be written.
pub fn run(args: InitArgs, globals: &Globals) -> Result<Outcome, Error> {
    let dir = match &globals.root {
        Some(dir) => dir.clone(),
        None => root::working_dir()?,
    };
    let chart = args.chart.as_deref().map(|chart| adopt(&dir, chart)).transpose()?;
    let secrets = chart.as_ref().map(|c| c.secrets.clone()).unwrap_or_default();
    // A team adopting a chart (a database, a web app) has no game ruleset unless it asks.
    let rules = chart.is_none() || args.with_rules;
    let values = match &chart {
        Some(chart) => scaffold::thin_values(&chart.rel),
        None => scaffold::VALUES.to_string(),
    };
    let mut files: Vec<(&str, String)> =
        vec![("rulesctl.hcl", scaffold::project(chart.as_ref().map(|c| c.rel.as_str()), rules))];
    if rules {
        files.push(("rules/ruleset.hcl", scaffold::RULES.to_string()));
    }
    files.extend([
        ("values.yaml", values),
        ("environments/dev.yaml", scaffold::environment(&secrets)),
        (".gitignore", scaffold::GITIGNORE.to_string()),
    ]);
    let mut lines = String::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if exists(&path) {
            lines.push_str(&format!("kept {rel} (it exists)\n"));
            continue;
        }
        if let Some(parent) = path.parent() {
            create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        write_atomic(&path, text.as_bytes()).map_err(|e| Error::io("write", &path, e))?;
        lines.push_str(&format!("created {rel}\n"));
    }
    lines.push_str("next: rulesctl check\n");
    Ok(Outcome::text(lines, 0))
}

/// What is learnt from the chart being adopted.
struct Chart {
    /// The chart folder, relative to the repository, with `/`.
    rel: String,
    /// The secrets its values reference, sorted and unique.
    secrets: Vec<String>,
}

fn adopt(dir: &Path, chart: &Path) -> Result<Chart, Error> {
    let rel = root::relative_paths(dir, &[chart.to_path_buf()])
        .map_err(|_| {
            Error::Usage(format!(
                "--chart {}: not a folder inside {}; rulesctl reads only what the repository holds, so vendor the chart into it first (for example `helm pull <repo>/<chart> --untar --untardir charts`, or copy the folder to `chart/`) and pass that folder",
                chart.display(),
                dir.display()
            ))
        })?
        .pop()
        .unwrap_or_default();
    let tree = WorkTree::new(dir.to_path_buf());
    let values = format!("{rel}/values.yaml");
    let bytes = tree
        .read(&values, MAX_VALUES_BYTES)
        .map_err(|_| Error::Usage(format!("--chart {}: it has no readable values.yaml", chart.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut sources = Sources::default();
    let id = sources.add(values.clone(), String::new());
    // Problems in the chart's values are left to `rulesctl check`, which reports them properly.
    let doc = yaml::parse(id, &text, &Limits::DEFAULT, &mut Sink::new());
    let mut secrets: Vec<String> =
        doc.map(|d| secrets::find(&d.value, &[]).into_iter().map(|(_, name)| name).collect()).unwrap_or_default();
    // And those of its vendored dependencies (`charts/<name>/values.yaml`), which `check` reads.
    let deps = tree.list_files(&[format!("{rel}/charts")], "values.yaml").unwrap_or_default();
    for dep in deps.iter().filter(|d| d.rsplit('/').nth(2) == Some("charts")) {
        let Ok(bytes) = tree.read(dep, MAX_VALUES_BYTES) else { continue };
        let id = sources.add(dep.clone(), String::new());
        let doc = yaml::parse(id, &String::from_utf8_lossy(&bytes), &Limits::DEFAULT, &mut Sink::new());
        secrets.extend(doc.into_iter().flat_map(|d| secrets::find(&d.value, &[]).into_iter().map(|(_, name)| name)));
    }
    secrets.sort();
    secrets.dedup();
    Ok(Chart { rel, secrets })
}
