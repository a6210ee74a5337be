//! Git: provenance of the working tree, and a revision's files as a [`Tree`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use git2::{ObjectType, Oid, Repository, Status};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::io::ReadError;
use crate::source::sizes::Sizes;
use crate::source::store::Store;
use crate::source::Tree;

/// What provenance records about git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// HEAD's commit, `None` before the first commit.
    pub commit: Option<String>,
    /// Whether any of the given inputs differs from HEAD (modified, staged, untracked or ignored).
    pub dirty: bool,
}

/// The git state of the repository holding `root`, judged on `inputs` (root-relative paths);
/// `None` outside a git repository.
pub fn state(root: &Path, inputs: &[&str]) -> Option<GitState> {
    let repo = Repository::discover(root).ok()?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let prefix = root.strip_prefix(&workdir).ok()?;
    let commit = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id().to_string());
    // One status walk for every input: asking git about each file on its own walked the tree
    // once per file, a minute of `build` at 10,000 rule files. A folder untracked or ignored as
    // a whole is one entry (`target/`), so an input is dirty when it or a folder above it is.
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(true).recurse_untracked_dirs(false).recurse_ignored_dirs(false);
    let below = prefix.to_string_lossy().replace('\\', "/");
    if !below.is_empty() {
        options.pathspec(&below);
    }
    let statuses = repo.statuses(Some(&mut options)).ok()?;
    let changed: std::collections::HashSet<String> = statuses
        .iter()
        .filter(|s| s.status() != Status::CURRENT)
        .filter_map(|s| s.path().ok().map(|p| p.trim_end_matches('/').to_string()))
        .collect();
    drop(statuses);
    let dirty = inputs.iter().any(|rel| {
        let path = if below.is_empty() { (*rel).to_string() } else { format!("{below}/{rel}") };
        let mut at = path.as_str();
        loop {
            if changed.contains(at) {
                return true;
            }
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => return false,
            }
        }
    });
    Some(GitState { commit, dirty })
}

/// A git snapshot of the files below the rules root: a revision's tree or the index, as a map
/// from root-relative path to blob, read from git's object database (never the working tree).
pub struct Snapshot {
    /// Handles on the repository, one per thread reading at once: a libgit2 handle may move
    /// between threads but not be shared, and the rule files are read on every core.
    repos: Mutex<Vec<Repository>>,
    /// The repository's folder, to open another handle; git's common folder, for the store.
    git_dir: PathBuf,
    common: PathBuf,
    /// Root-relative path → (blob id, git file mode).
    entries: BTreeMap<String, (Oid, u32)>,
    /// Blob sizes earlier runs learned, opened at the first read.
    sizes: OnceLock<Sizes>,
}

impl Drop for Snapshot {
    /// Keeps the blob sizes this run learned, for the next (the hook's next commit).
    fn drop(&mut self) {
        if let Some(sizes) = self.sizes.get() {
            sizes.keep();
        }
    }
}

/// How many symbolic links a path may pass through before it is taken for a loop.
const MAX_LINKS: usize = 8;
const MODE_LINK: u32 = 0o120_000;
const MODE_SUBMODULE: u32 = 0o160_000;

impl Snapshot {
    /// Revision `rev` (anything `git rev-parse` takes) of the repository holding `root`.
    ///
    /// # Errors
    ///
    /// A message saying why: no repository, or an unknown revision.
    pub fn revision(root: &Path, rev: &str) -> Result<Self, Error> {
        let repo = open(root)?;
        let tree = repo
            .revparse_single(rev)
            .and_then(|object| object.peel_to_tree())
            .map_err(|e| Error::Git(format!("unknown revision `{rev}`: {}", e.message())))?;
        let prefix = prefix_of(&repo, root)?;
        let mut entries = BTreeMap::new();
        let walked = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() != Some(ObjectType::Tree) {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                if let Some(rel) = relative(&prefix, &path) {
                    entries.insert(rel, (entry.id(), u32::try_from(entry.filemode()).unwrap_or(0)));
                }
            }
            git2::TreeWalkResult::Ok
        });
        walked.map_err(|e| Error::Git(format!("cannot read revision `{rev}`: {}", e.message())))?;
        drop(tree);
        Ok(Snapshot::of(repo, entries))
    }

    /// What is staged in the index: what `git commit` would record.
    ///
    /// # Errors
    ///
    /// A message saying why: no repository, an unreadable index, or unmerged entries.
    pub fn index(root: &Path) -> Result<Self, Error> {
        let repo = open(root)?;
        let index = repo.index().map_err(|e| Error::Git(format!("cannot read the git index: {}", e.message())))?;
        if index.has_conflicts() {
            let paths: Vec<String> = index
                .conflicts()
                .map(|conflicts| {
                    conflicts
                        .flatten()
                        .filter_map(|c| c.our.or(c.their).or(c.ancestor))
                        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
                        .collect()
                })
                .unwrap_or_default();
            return Err(Error::Git(format!(
                "the index has unmerged entries ({}): resolve the conflicts and `git add` the files first",
                paths.join(", ")
            )));
        }
        let prefix = prefix_of(&repo, root)?;
        let entries = index
            .iter()
            .filter_map(|e| Some((relative(&prefix, &String::from_utf8_lossy(&e.path))?, (e.id, e.mode))))
            .collect();
        drop(index);
        Ok(Snapshot::of(repo, entries))
    }

    fn of(repo: Repository, entries: BTreeMap<String, (Oid, u32)>) -> Self {
        let (git_dir, common) = (repo.path().to_path_buf(), repo.commondir().to_path_buf());
        Snapshot { repos: Mutex::new(vec![repo]), git_dir, common, entries, sizes: OnceLock::new() }
    }

    /// Runs `use_it` with a handle no other thread is using (opening one when all are).
    fn handle<R>(&self, use_it: impl FnOnce(&Repository) -> R) -> Result<R, ReadError> {
        let taken = self.repos.lock().ok().and_then(|mut repos| repos.pop());
        let repo = match taken {
            Some(repo) => repo,
            None => Repository::open(&self.git_dir).map_err(io)?,
        };
        let out = use_it(&repo);
        if let Ok(mut repos) = self.repos.lock() {
            repos.push(repo);
        }
        Ok(out)
    }

    /// Reads the blob `id`.
    fn blob<R>(&self, id: Oid, read: impl FnOnce(&git2::Blob<'_>) -> R) -> Result<R, ReadError> {
        self.handle(|repo| repo.find_blob(id).map(|blob| read(&blob)).map_err(io))?
    }

    /// Follows symbolic links inside the snapshot; `None` when nothing is there.
    fn resolve(&self, rel: &str) -> Result<Option<(String, Oid, u32)>, ReadError> {
        let mut path = rel.to_string();
        for _ in 0..MAX_LINKS {
            let Some(&(id, mode)) = self.entries.get(&path) else {
                return Ok(None);
            };
            if mode != MODE_LINK {
                return Ok(Some((path, id, mode)));
            }
            let target = self.blob(id, |blob| String::from_utf8_lossy(blob.content()).into_owned())?;
            let base = Path::new(&path).parent().map(Path::to_path_buf).unwrap_or_default();
            path = normalize(&base.join(target)).ok_or(ReadError::OutsideRoot)?;
        }
        Err(ReadError::Io(std::io::Error::other("too many levels of symbolic links")))
    }

    /// Every entry at or below `paths`, as (path, blob id and mode), sorted and unique; `None`
    /// when one is a symbolic link, whose blob is the link's target, not what a read finds there
    /// (a file outside `paths` that may differ between two trees with the same entries).
    fn entries_under(&self, paths: &[String]) -> Option<String> {
        // Scope paths may overlap (a folder and a file in it): each entry counts once, in path
        // order, which the map already keeps.
        let mut found: Vec<(&String, &(Oid, u32))> = Vec::new();
        for rel in paths {
            let rel = rel.trim_end_matches('/');
            let prefix = if rel.is_empty() || rel == "." { String::new() } else { format!("{rel}/") };
            let exact = self.entries.get_key_value(rel).into_iter();
            let below = self.entries.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix));
            found.extend(exact.chain(below));
        }
        found.sort_unstable_by(|a, b| a.0.cmp(b.0));
        found.dedup_by(|a, b| a.0 == b.0);
        let mut hash = Sha256::new();
        for (path, (id, mode)) in found {
            if *mode == MODE_LINK {
                return None;
            }
            // Lengths first, so no two lists hash the same bytes.
            hash.update((path.len() as u64).to_le_bytes());
            hash.update(path.as_bytes());
            hash.update((id.as_bytes().len() as u64).to_le_bytes());
            hash.update(id.as_bytes());
            hash.update(mode.to_le_bytes());
        }
        Some(crate::hash::to_hex(&hash.finalize()))
    }

    fn is_dir(&self, rel: &str) -> bool {
        let prefix = if rel.is_empty() || rel == "." { String::new() } else { format!("{rel}/") };
        self.entries.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
    }
}

/// The index's identity of `paths` (see [`Tree::identity`]) when the working tree holds exactly
/// the index there: nothing modified, untracked or ignored under them (git's status, which
/// compares file stats and hashes only what changed). `None` when anything differs, or outside
/// a git repository.
pub fn clean_identity(root: &Path, paths: &[String]) -> Option<String> {
    let index = Snapshot::index(root).ok()?;
    let clean = index.handle(|repo| is_clean(repo, root, paths)).ok()??;
    if clean {
        index.entries_under(paths)
    } else {
        None
    }
}

/// Whether git's status sees nothing modified, untracked or ignored under `paths` of `root`.
fn is_clean(repo: &Repository, root: &Path, paths: &[String]) -> Option<bool> {
    let prefix = prefix_of(repo, root).ok()?;
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(true).recurse_ignored_dirs(true);
    for rel in paths {
        let rel = rel.trim_end_matches('/');
        let spec = match (prefix.is_empty(), rel.is_empty() || rel == ".") {
            (true, true) => ".".to_string(),
            (true, false) => rel.to_string(),
            (false, true) => prefix.clone(),
            (false, false) => format!("{prefix}/{rel}"),
        };
        options.pathspec(spec);
    }
    let statuses = repo.statuses(Some(&mut options)).ok()?;
    let clean = statuses.iter().all(|s| s.status() == Status::CURRENT);
    Some(clean)
}

/// Git's common folder (`.git`, shared by every linked worktree) of the repository holding
/// `root`; `None` outside a repository.
pub fn common_dir(root: &Path) -> Option<PathBuf> {
    Repository::discover(root).ok().map(|repo| repo.commondir().to_path_buf())
}

/// Whether `HEAD` of the repository holding `root` names a branch with no commit yet: before a
/// repository's first commit, or on a new orphan branch.
///
/// # Errors
///
/// When `root` is not in a git repository.
pub fn head_is_unborn(root: &Path) -> Result<bool, Error> {
    let repo = open(root)?;
    let unborn = matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch);
    Ok(unborn)
}

/// Whether the index differs from HEAD below the folder `root` (everything staged counts when
/// HEAD has no commit yet): whether a commit would change that project's files.
///
/// # Errors
///
/// Not a git repository; an unreadable index or HEAD.
pub fn has_staged_changes(root: &Path) -> Result<bool, Error> {
    let repo = open(root)?;
    let prefix = prefix_of(&repo, root)?;
    let head = match repo.head() {
        Ok(head) => Some(head.peel_to_tree().map_err(|e| Error::Git(format!("cannot read HEAD: {}", e.message())))?),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(Error::Git(format!("cannot read HEAD: {}", e.message()))),
    };
    let index = repo.index().map_err(|e| Error::Git(format!("cannot read the git index: {}", e.message())))?;
    let mut options = git2::DiffOptions::new();
    if !prefix.is_empty() {
        options.pathspec(format!("{prefix}/"));
    }
    let diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut options))
        .map_err(|e| Error::Git(format!("cannot compare the index with HEAD: {}", e.message())))?;
    Ok(diff.deltas().len() > 0)
}

fn open(root: &Path) -> Result<Repository, Error> {
    // libgit2 hashes every object it reads again to compare with its id; git itself does not
    // (`git fsck` does). Reading 10,000 rule files from the index or a revision spent a tenth
    // of `check --staged --base HEAD` on it.
    git2::opts::strict_hash_verification(false);
    Repository::discover(root).map_err(|_| Error::Git(format!("{} is not inside a git repository", root.display())))
}

/// `path` (relative to the repository's top) relative to the rules root, when it is below it.
fn relative(prefix: &str, path: &str) -> Option<String> {
    if prefix.is_empty() {
        Some(path.to_string())
    } else {
        path.strip_prefix(prefix)?.strip_prefix('/').map(str::to_string)
    }
}

fn prefix_of(repo: &Repository, root: &Path) -> Result<String, Error> {
    let workdir = repo.workdir().ok_or_else(|| Error::Git("a bare repository has no working tree".into()))?;
    let (Ok(workdir), Ok(root)) = (workdir.canonicalize(), root.canonicalize()) else {
        return Err(Error::Git(format!("cannot resolve {}", root.display())));
    };
    let rel = root
        .strip_prefix(&workdir)
        .map_err(|_| Error::Git(format!("{} is outside the git repository", root.display())))?;
    Ok(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
}

/// Resolves `.` and `..` in a relative path; `None` when it climbs above its start.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

fn io(err: git2::Error) -> ReadError {
    ReadError::Io(std::io::Error::other(err.message().to_string()))
}

impl Tree for Snapshot {
    fn identity(&self, paths: &[String]) -> Option<String> {
        self.entries_under(paths)
    }

    fn store(&self, kind: &str) -> Option<Store> {
        Some(Store::new(&self.common, kind))
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.resolve(rel)? {
            Some((_, _, MODE_SUBMODULE)) => Err(ReadError::NotAFile("a submodule")),
            // The size first (kept from an earlier run, or from the object's header): a blob is
            // inflated whole when read, so a hostile one past the limit must be refused before.
            Some((_, id, _)) => self.handle(|repo| {
                let sizes = self.sizes.get_or_init(|| Sizes::open(&self.common));
                let header = || repo.odb().and_then(|odb| odb.read_header(id)).map(|(size, _)| size as u64);
                let size = sizes.size(id, header).map_err(io)?;
                if size > limit {
                    return Err(ReadError::TooLarge { size, limit });
                }
                let blob = repo.find_blob(id).map_err(io)?;
                // What was read decides, should a kept size be wrong.
                let size = blob.content().len() as u64;
                if size > limit {
                    return Err(ReadError::TooLarge { size, limit });
                }
                Ok(blob.content().to_vec())
            })?,
            None if self.is_dir(rel) => Err(ReadError::NotAFile("a directory")),
            None => Err(ReadError::Missing),
        }
    }

    fn list_files(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for rel in paths {
            let rel = rel.trim_end_matches('/');
            if self.entries.contains_key(rel) {
                found.push(rel.to_string());
            } else if self.is_dir(rel) {
                let prefix = if rel.is_empty() || rel == "." { String::new() } else { format!("{rel}/") };
                for key in self.entries.range(prefix.clone()..).map(|(k, _)| k).take_while(|k| k.starts_with(&prefix)) {
                    let below = &key[prefix.len()..];
                    let hidden = below.split('/').any(|part| part.starts_with('.'));
                    // A folder named like a rule file is listed as itself, and reported when read.
                    let named_dir = below.split('/').position(|part| part.ends_with(suffix));
                    match named_dir {
                        Some(i) if !hidden => {
                            found.push(format!(
                                "{prefix}{}",
                                below.split('/').take(i + 1).collect::<Vec<_>>().join("/")
                            ));
                        }
                        _ => {}
                    }
                }
            } else {
                missing.push(rel.to_string());
            }
        }
        crate::source::tree::listing(found, missing)
    }

    fn exists(&self, rel: &str) -> bool {
        self.entries.contains_key(rel) || self.is_dir(rel)
    }

    fn sync(&self) -> Option<&(dyn Tree + Sync)> {
        Some(self)
    }
}

/// The root of the git repository holding `root`, if any.
pub fn workdir(root: &Path) -> Option<PathBuf> {
    Repository::discover(root).ok()?.workdir().map(Path::to_path_buf)
}

/// Where git looks for hooks for the repository holding a folder.
pub struct HooksDir {
    pub dir: PathBuf,
    /// Whether `core.hooksPath` chose it (else git's default, `hooks/` in the common folder).
    pub configured: bool,
    /// The top of the working tree, when there is one.
    pub workdir: Option<PathBuf>,
}

/// The hooks folder git itself would use for the repository holding `root`: `core.hooksPath`
/// (absolute, or relative to the top of the working tree), else `hooks/` in the common git
/// folder, which linked worktrees share.
///
/// # Errors
///
/// When `root` is not in a git repository.
pub fn hooks_dir(root: &Path) -> Result<HooksDir, Error> {
    let repo = open(root)?;
    let configured = repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    let workdir = repo.workdir().map(Path::to_path_buf);
    let dir = match &configured {
        Some(path) if path.is_absolute() => path.clone(),
        Some(path) => workdir.clone().unwrap_or_else(|| repo.path().to_path_buf()).join(path),
        None => repo.commondir().join("hooks"),
    };
    Ok(HooksDir { dir, configured: configured.is_some(), workdir })
}
