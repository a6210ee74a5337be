//! `render`: `values.yaml`, `environments/prod.yaml` and the chart's `values.schema.json`, packed
//! into one input and split at 0xFF, in a repository with valid rules and the helm fixture's
//! project file (overrides, injections, typed values). The analysis must report sensibly, and a
//! rendered environment must read back, with rulesctl's own YAML reader, as the values it came
//! from.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::diagnostic::Sink;
use rulesctl::parse::yaml;
use rulesctl::pipeline::analyze;
use rulesctl::diagnostic::FileId;
use rulesctl_fuzz::{check_report, parts, MemoryTree, BASE_RULES, HELM_CHART, HELM_PROJECT};

fuzz_target!(|data: &[u8]| {
    let [values, env, schema] = parts(data, 3)[..] else { return };
    let mut tree = MemoryTree::default().with("rulesctl.hcl", HELM_PROJECT).with("chart/Chart.yaml", HELM_CHART);
    for (rel, text) in BASE_RULES {
        tree = tree.with(rel, *text);
    }
    for (rel, bytes) in [("values.yaml", values), ("environments/prod.yaml", env), ("chart/values.schema.json", schema)]
    {
        if let Some(bytes) = bytes {
            tree = tree.with(rel, bytes);
        }
    }
    let analysis = analyze(&tree, None);
    check_report(&analysis.diagnostics, &analysis.sources, analysis.files);
    let Ok(rendered) = analysis.render("prod") else { return };
    let merged = analysis.environment("prod").ok().and_then(|e| e.merged.as_ref()).expect("a rendered environment");
    let mut sink = Sink::new();
    let back = yaml::parse(FileId::new(0), &rendered, &rulesctl::source::Limits::DEFAULT, &mut sink);
    assert!(sink.iter().all(|d| !d.is_error()), "the rendered values do not read back: {sink:?}\n{rendered}");
    let back = back.expect("the rendered values read back");
    assert!(back.value == merged.value, "the rendered values read back differently:\n{rendered}");
});
