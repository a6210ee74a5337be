//! Rendering a ruleset diff: human lines or one JSON object.

use serde_json::{json, Value};

use crate::artifact::compare::{Change, SectionChange, Side};

pub fn human(old: &Side, new: &Side, changes: &[SectionChange]) -> String {
    let mut out =
        format!("{} {} ({}) → {} {} ({})\n", old.label, old.version, old.digest, new.label, new.version, new.digest);
    let show = |v: &Option<Value>| v.as_ref().map_or_else(|| "(none)".to_string(), Value::to_string);
    for c in changes {
        let mark = match c.change {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        };
        out.push_str(&format!("{mark} {}\n", c.section));
        if c.change == Change::Changed {
            for f in &c.fields {
                out.push_str(&format!("    {}: {} → {}\n", f.field, show(&f.old), show(&f.new)));
            }
        }
    }
    let count = |k: Change| changes.iter().filter(|c| c.change == k).count();
    if changes.is_empty() {
        out.push_str("no section differs\n");
    } else {
        out.push_str(&format!(
            "{} changed, {} added, {} removed\n",
            count(Change::Changed),
            count(Change::Added),
            count(Change::Removed)
        ));
    }
    out
}

pub fn json(old: &Side, new: &Side, changes: &[SectionChange]) -> String {
    let side = |s: &Side| json!({ "source": s.label, "version": s.version, "digest": s.digest });
    let sections: Vec<Value> = changes
        .iter()
        .map(|c| {
            let change = match c.change {
                Change::Added => "added",
                Change::Removed => "removed",
                Change::Changed => "changed",
            };
            let fields: Vec<Value> =
                c.fields.iter().map(|f| json!({ "field": f.field, "old": f.old, "new": f.new })).collect();
            json!({ "section": c.section, "change": change, "fields": fields })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({ "old": side(old), "new": side(new), "sections": sections }))
        .unwrap_or_default();
    text.push('\n');
    text
}
