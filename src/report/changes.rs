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
        // A section that is one scalar (a top-level value) fits on its own line.
        if let [only] = c.fields.as_slice() {
            if only.field.is_empty() {
                let value = match c.change {
                    Change::Added => show(&only.new),
                    Change::Removed => show(&only.old),
                    Change::Changed => format!("{} → {}", show(&only.old), show(&only.new)),
                };
                out.push_str(&format!("{mark} {}: {value}\n", c.section));
                continue;
            }
        }
        out.push_str(&format!("{mark} {}\n", c.section));
        // What an added or removed section holds is shown too, not only its name.
        for f in &c.fields {
            let line = match c.change {
                Change::Added => show(&f.new),
                Change::Removed => show(&f.old),
                Change::Changed => format!("{} → {}", show(&f.old), show(&f.new)),
            };
            out.push_str(&format!("    {}: {line}\n", f.field));
        }
    }
    let count = |k: Change| changes.iter().filter(|c| c.change == k).count();
    if changes.is_empty() && old.digest != new.digest && old.version != new.version {
        out.push_str(&format!("no section differs: only the version changed ({} → {})\n", old.version, new.version));
    } else if changes.is_empty() {
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
