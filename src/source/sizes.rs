//! The sizes of blobs git has told an earlier run, kept in the [`Store`]: a blob id names its
//! bytes forever, so its size never goes stale.
//!
//! Why: a rule file read from git is refused before it is inflated when its object header says
//! it is over the size limit (a blob is inflated whole). For a packed blob stored as a delta,
//! libgit2 finds that header by walking the whole delta chain, under a lock every reading thread
//! shares: at 10,000 staged files the header cost more than the read itself, in every hook run.
//! With the sizes kept, only blobs new since the last run (the files just changed) are asked.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use git2::Oid;

use crate::source::store::Store;

const KIND: &str = "sizes";
/// One entry for the repository: the sizes of the blobs the last runs read.
const KEY: &str = "blobs";
const FORMAT: &[u8] = b"rulesctl-sizes/1\n";
/// Once sizes are kept, a run writes them again only when it learned this many: a write costs a
/// sync to disk, which is more than asking git for a few headers (the files of one commit).
const WRITE_FROM: usize = 64;
/// At most this many sizes are kept (29 bytes each, so under 3 MiB): the blobs of the last run
/// first, then others.
const CAP: usize = crate::source::Limits::DEFAULT.max_files;

pub struct Sizes {
    store: Store,
    /// What the store held when the snapshot opened.
    known: HashMap<Oid, u64>,
    /// What this run asked git for.
    learned: Mutex<Vec<(Oid, u64)>>,
}

impl Sizes {
    /// The sizes kept in the repository whose git common folder is `common`; none when there
    /// is no entry or it cannot be read (the store only saves time).
    pub fn open(common: &Path) -> Self {
        let store = Store::new(common, KIND);
        let known = store.get(KEY).and_then(|bytes| parse(&bytes)).unwrap_or_default();
        Sizes { store, known, learned: Mutex::new(Vec::new()) }
    }

    /// The size of blob `id`, kept or asked of `header` (and then kept).
    ///
    /// # Errors
    ///
    /// `header`'s.
    pub fn size<E>(&self, id: Oid, header: impl FnOnce() -> Result<u64, E>) -> Result<u64, E> {
        if let Some(&size) = self.known.get(&id) {
            return Ok(size);
        }
        let size = header()?;
        if let Ok(mut learned) = self.learned.lock() {
            learned.push((id, size));
        }
        Ok(size)
    }

    /// Writes the sizes back when this run learned any, or, when some were kept already, at
    /// least [`WRITE_FROM`]. Past [`CAP`] sizes, only this run's are written: the next run asks
    /// git again for the others it needs.
    pub fn keep(&self) {
        let Ok(learned) = self.learned.lock() else { return };
        if learned.is_empty() || (!self.known.is_empty() && learned.len() < WRITE_FROM) {
            return;
        }
        let mut kept: Vec<(Oid, u64)> = learned.clone();
        if self.known.len() + kept.len() <= CAP {
            kept.extend(self.known.iter().map(|(id, size)| (*id, *size)));
        }
        kept.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        kept.dedup_by(|a, b| a.0 == b.0);
        self.store.replace(KEY, &encode(&kept));
    }
}

/// `FORMAT`, then per blob: the id's length (one byte), the id, the size (u64 LE).
fn encode(sizes: &[(Oid, u64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FORMAT.len() + sizes.len() * 29);
    out.extend_from_slice(FORMAT);
    for (id, size) in sizes {
        let bytes = id.as_bytes();
        out.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(bytes);
        out.extend_from_slice(&size.to_le_bytes());
    }
    out
}

/// `None` for anything [`encode`] did not write, whole.
fn parse(bytes: &[u8]) -> Option<HashMap<Oid, u64>> {
    let mut rest = bytes.strip_prefix(FORMAT)?;
    let mut sizes = HashMap::with_capacity(rest.len() / 29);
    while let Some((&len, after)) = rest.split_first() {
        let len = usize::from(len);
        let id = Oid::from_bytes(after.get(..len)?).ok()?;
        let size = u64::from_le_bytes(after.get(len..len + 8)?.try_into().ok()?);
        sizes.insert(id, size);
        rest = after.get(len + 8..)?;
    }
    Some(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_nothing_else_does() {
        let sizes: Vec<(Oid, u64)> =
            [(Oid::hash_object(git2::ObjectType::Blob, b"a"), 1), (Oid::hash_object(git2::ObjectType::Blob, b""), 0)]
                .into_iter()
                .filter_map(|(id, size)| Some((id.ok()?, size)))
                .collect();
        assert_eq!(sizes.len(), 2);
        let bytes = encode(&sizes);
        assert_eq!(parse(&bytes), Some(sizes.into_iter().collect()));
        for cut in FORMAT.len() + 1..bytes.len() {
            if cut != FORMAT.len() + 29 {
                assert_eq!(parse(&bytes[..cut]), None, "cut at {cut}");
            }
        }
        assert_eq!(parse(b"rulesctl-sizes/2\n"), None);
    }
}
