//! "Did you mean" among many names without comparing every pair (issue 28 part 1): with
//! thousands of unknown references and thousands of names, asking [`close_match`] of each one
//! against all names was quadratic (23 million edit distances at 4,800 of each). Above
//! [`EXHAUSTIVE`] names, an index proposes the few names that can be close and only those are
//! measured.
//!
//! A name within `d` edits of another (insertions, deletions, substitutions, transpositions)
//! shares with it a string left after deleting at most `d` characters from each, so the index
//! keeps every name with up to two characters deleted (its hash); the prefix rule of
//! [`close_match`] is answered from the names' sorted order. Two edits is where the index
//! stops: above [`EXHAUSTIVE`] names a word of twelve characters or more is matched within two
//! edits rather than a quarter of its length, and at most [`PREFIX_CANDIDATES`] names sharing
//! its start are measured. Below it, every name is measured as before.

use std::collections::HashMap;

use crate::model::decode::{close_match, closeness, suggestion};

/// Up to this many names, every one is measured against the unknown word.
pub const EXHAUSTIVE: usize = 64;
/// How many names sharing the unknown word's start the prefix rule measures.
pub const PREFIX_CANDIDATES: usize = 32;
/// How many characters the index deletes from each name.
const DELETIONS: usize = 2;

/// Names to suggest from, indexed once for many questions.
pub struct Near<'a> {
    names: Vec<&'a str>,
    index: Option<Index>,
}

struct Index {
    /// The hash of each name with up to [`DELETIONS`] characters deleted → the names' positions
    /// and how many characters were deleted from each.
    variants: HashMap<u64, Vec<(u32, u8)>, foldhash::fast::RandomState>,
    /// Positions in the names' order, for the prefix rule of [`Near::closest`].
    sorted: Vec<u32>,
    /// Each name's stem (the start [`close_match`] compares when the name is the unknown word)
    /// → the positions of the names with that stem, for [`Near::first_misspelling_of`].
    stems: HashMap<u64, Vec<u32>, foldhash::fast::RandomState>,
}

impl<'a> Near<'a> {
    /// The names in the order [`Near::first_misspelling_of`] answers in.
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> Near<'a> {
        let names: Vec<&'a str> = names.into_iter().collect();
        let index = (names.len() > EXHAUSTIVE).then(|| Index::new(&names));
        Near { names, index }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// [`crate::model::decode::suggest`] among the names: the help for an unknown one.
    pub fn suggest(&self, unknown: &str) -> String {
        suggestion(self.closest(unknown), &self.names)
    }

    /// [`close_match`] of `unknown` among the names: the closest, ties broken by the name.
    pub fn closest(&self, unknown: &str) -> Option<&'a str> {
        let Some(index) = &self.index else { return close_match(unknown, self.names.iter().copied()) };
        // Each candidate with a lower bound of its distance: sharing a string after deleting `a`
        // characters from one and `b` from the other, the two are `a + b` insertions and
        // deletions apart, and one edit does the work of at most two of those. Measured from the
        // lowest bound up, and no further than a bound above the closest found: among thousands
        // of similar names (`table_000123`, `table_000124`, ...) most are never measured.
        let mut candidates = index.sharing_a_deletion(unknown);
        let stem = stem_bytes(unknown);
        if let Some(start) = unknown.get(..stem) {
            let from = index.sorted.partition_point(|&i| self.names[i as usize] < start);
            candidates.extend(
                index.sorted[from..]
                    .iter()
                    .take_while(|&&i| self.names[i as usize].starts_with(start))
                    .take(PREFIX_CANDIDATES)
                    .map(|&i| (i, 0)),
            );
        }
        candidates.sort_unstable();
        candidates.dedup_by_key(|(i, _)| *i);
        candidates.sort_by_key(|&(_, deleted)| deleted.div_ceil(2));
        let mut best: Option<(usize, &'a str)> = None;
        for (i, deleted) in candidates {
            if best.is_some_and(|(distance, _)| usize::from(deleted.div_ceil(2)) > distance) {
                break;
            }
            let k = self.names[i as usize];
            if let Some(distance) = closeness(unknown, k) {
                best = Some(best.map_or((distance, k), |found| found.min((distance, k))));
            }
        }
        best.map(|(_, k)| k)
    }

    /// The position of the first name that is `name` misspelt (`close_match(candidate, [name])`).
    pub fn first_misspelling_of(&self, name: &str) -> Option<usize> {
        let Some(index) = &self.index else {
            return self.names.iter().position(|s| closeness(s, name).is_some());
        };
        let mut candidates = index.sharing_a_deletion(name);
        let mut start = FNV_START;
        for c in name.chars() {
            start = fnv(start, c);
            if let Some(same) = index.stems.get(&start) {
                candidates.extend(same.iter().take(PREFIX_CANDIDATES).map(|&i| (i, 0)));
            }
        }
        candidates.sort_unstable();
        candidates.dedup_by_key(|(i, _)| *i);
        candidates.into_iter().map(|(i, _)| i as usize).find(|&i| closeness(self.names[i], name).is_some())
    }
}

impl Index {
    fn new(names: &[&str]) -> Index {
        let mut variants: HashMap<u64, Vec<(u32, u8)>, foldhash::fast::RandomState> = HashMap::default();
        let mut stems: HashMap<u64, Vec<u32>, foldhash::fast::RandomState> = HashMap::default();
        let mut chars = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            chars.clear();
            chars.extend(name.chars());
            each_deletion(&chars, DELETIONS, |hash, deleted| {
                let ids = variants.entry(hash).or_default();
                match ids.last_mut() {
                    Some((last, fewest)) if *last == i => *fewest = (*fewest).min(deleted),
                    _ => ids.push((i, deleted)),
                }
            });
            let stem = name.get(..stem_bytes(name)).unwrap_or(name);
            stems.entry(stem.chars().fold(FNV_START, fnv)).or_default().push(i);
        }
        let mut sorted: Vec<u32> = (0..u32::try_from(names.len()).unwrap_or(u32::MAX)).collect();
        sorted.sort_unstable_by(|&a, &b| names[a as usize].cmp(names[b as usize]));
        Index { variants, sorted, stems }
    }

    /// The positions of the names that share a deletion variant with `word` (its budget's worth
    /// of deletions, at most [`DELETIONS`]), each with the characters deleted from both, fewest
    /// first for each name (sorted by position).
    fn sharing_a_deletion(&self, word: &str) -> Vec<(u32, u8)> {
        let chars: Vec<char> = word.chars().collect();
        let mut found = Vec::new();
        each_deletion(&chars, budget(chars.len()).min(DELETIONS), |hash, deleted| {
            if let Some(ids) = self.variants.get(&hash) {
                found.extend(ids.iter().map(|&(i, theirs)| (i, theirs + deleted)));
            }
        });
        found
    }
}

/// The edit budget of [`close_match`] for a word of `len` characters.
pub fn budget(len: usize) -> usize {
    match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => len / 4,
    }
}

/// How many bytes of `word` its stem is: the start [`close_match`] takes for a prefix match.
fn stem_bytes(word: &str) -> usize {
    let stem = (word.chars().count() * 3).div_ceil(4).max(5);
    word.char_indices().nth(stem).map_or(word.len(), |(at, _)| at)
}

/// FNV-1a over characters, ASCII case folded (a name in another case is the closest match):
/// hashes that can be grown one character at a time. A collision only proposes a name that is
/// then measured.
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(hash: u64, c: char) -> u64 {
    (hash ^ u64::from(u32::from(c.to_ascii_lowercase()))).wrapping_mul(0x0100_0000_01b3)
}

/// Calls `each` with the hash of `chars` with every choice of up to `deletions` characters left
/// out (the same string may come twice).
fn each_deletion(chars: &[char], deletions: usize, mut each: impl FnMut(u64, u8)) {
    let hash = |skip: [usize; 2]| {
        chars
            .iter()
            .enumerate()
            .filter(|(at, _)| *at != skip[0] && *at != skip[1])
            .fold(FNV_START, |h, (_, c)| fnv(h, *c))
    };
    let none = usize::MAX;
    each(hash([none, none]), 0);
    if deletions >= 1 {
        for i in 0..chars.len() {
            each(hash([i, none]), 1);
            if deletions >= 2 {
                for j in i + 1..chars.len() {
                    each(hash([i, j]), 2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("table_{i:05}")).collect()
    }

    /// Above the exhaustive bound the index answers what measuring every name answers, for
    /// slips of one and two edits, prefixes, and words close to nothing.
    #[test]
    fn the_index_agrees_with_measuring_every_name() {
        let owned = names(500);
        let near = Near::new(owned.iter().map(String::as_str));
        assert!(near.index.is_some());
        let words = [
            "tabel_00042",
            "table_0042",
            "table_000420",
            "tble_00499",
            "table_00",
            "tab",
            "region_1",
            "TABLE_00007",
            "xable_0031x",
        ];
        for word in words {
            assert_eq!(near.closest(word), close_match(word, owned.iter().map(String::as_str)), "{word}");
        }
        assert_eq!(near.closest("tabel_00042"), Some("table_00042"));
        for name in ["table_00042", "table_00499", "region_1"] {
            let expected = owned.iter().position(|s| close_match(s, std::iter::once(name)).is_some());
            assert_eq!(near.first_misspelling_of(name), expected, "{name}");
        }
    }
}
