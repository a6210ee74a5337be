//! Quick fixes: every "did you mean `X`?" a diagnostic suggests, applied in place, and
//! preferred only when it is unambiguous.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::model::ruleset::Ruleset;

/// The replacement a diagnostic suggests: the byte range to replace in `text` (the primary
/// place, inside its quotes when it is a quoted string) and what to write there.
pub fn suggestion(d: &Diagnostic, text: &str) -> Option<(Range<usize>, String)> {
    let help = d.help.as_deref()?;
    let (_, rest) = help.split_once("did you mean `")?;
    let (name, _) = rest.split_once('`')?;
    let range = d.primary.span.range();
    let written = text.get(range.clone())?;
    if written.is_empty() || written == name {
        return None;
    }
    let quoted = written.len() >= 2
        && ((written.starts_with('"') && written.ends_with('"'))
            || (written.starts_with('\'') && written.ends_with('\'')));
    if quoted {
        Some((range.start + 1..range.end - 1, name.to_string()))
    } else {
        Some((range, name.to_string()))
    }
}

/// Whether the fix that writes `name` where `written` stands is the one the user meant, so an
/// editor may apply it on its own (`isPreferred`): the only known name close to what was
/// written (every other is further), and close by a slip (two edits at most) that keeps every digit, since `tier_9` →
/// `tier_3` retargets rather than corrects. `known` holds the names the fix chose among.
pub fn preferred(written: &str, name: &str, known: &[&str]) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let distance = |k: &str| strsim::damerau_levenshtein(&written.to_lowercase(), &k.to_lowercase());
    let slip = distance(name);
    let alone = known.iter().filter(|k| **k != name).all(|k| distance(k) > slip);
    slip <= 2 && alone && digits(written) == digits(name)
}

/// The names a diagnostic's suggestion was chosen among, where the ruleset knows them.
pub fn candidates<'a>(d: &Diagnostic, ruleset: &'a Ruleset) -> Vec<&'a str> {
    match d.code.id {
        "X004" => ruleset.loot_tables.iter().map(|t| t.name.value.as_str()).collect(),
        "X011" => ruleset.spawns.iter().filter_map(|s| s.region.as_ref()).map(|r| r.value.as_str()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::preferred;

    #[test]
    fn only_an_unambiguous_slip_is_preferred() {
        let tables = ["tier_1_drops", "tier_2_drops", "tier_3_drops"];
        assert!(preferred("tier_3_drop", "tier_3_drops", &tables));
        assert!(!preferred("tier_9_drops", "tier_3_drops", &tables), "another tier");
        assert!(!preferred("tier_drops", "tier_1_drops", &tables), "three are as close");
        assert!(preferred("cooldwn_ms", "cooldown_ms", &[]));
        assert!(!preferred("bonus", "bonus_crate_large", &[]), "far");
    }
}
