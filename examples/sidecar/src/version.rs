//! Which of two ruleset versions is older, so a swap to an older one is logged as a rollback.

use std::cmp::Ordering;

/// `v2.4.0` < `v2.4.1` < `v2.10.0`; a pre-release (`v2.4.1-rc.1`) comes before its release.
/// Versions that do not parse as numbers compare as text.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (numbers(a), numbers(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| prerelease(a).cmp(&prerelease(b))),
        _ => a.cmp(b),
    }
}

fn numbers(version: &str) -> Option<Vec<u64>> {
    let core = version.strip_prefix('v').unwrap_or(version);
    let core = core.split(['-', '+']).next().unwrap_or(core);
    core.split('.').map(|part| part.parse().ok()).collect()
}

/// A release sorts after any of its pre-releases.
fn prerelease(version: &str) -> (bool, &str) {
    let core = version.split('+').next().unwrap_or(version);
    match core.split_once('-') {
        Some((_, pre)) => (false, pre),
        None => (true, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn numbers_then_prereleases() {
        assert_eq!(compare("v2.4.0", "v2.4.1"), Less);
        assert_eq!(compare("v2.10.0", "v2.9.9"), Greater);
        assert_eq!(compare("v2.4.1-rc.1", "v2.4.1"), Less);
        assert_eq!(compare("v2.4.1", "v2.4.1"), Equal);
        assert_eq!(compare("nightly", "v1.0.0"), Less);
    }
}
