//! Git: provenance of the working tree, and a revision's files as a [`Tree`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Status};

use crate::error::Error;
use crate::io::ReadError;
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
    repo: Repository,
    /// Root-relative path → (blob id, git file mode).
    entries: BTreeMap<String, (Oid, u32)>,
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
        Ok(Snapshot { repo, entries })
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
        Ok(Snapshot { repo, entries })
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
            let blob = self.repo.find_blob(id).map_err(io)?;
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            let base = Path::new(&path).parent().map(Path::to_path_buf).unwrap_or_default();
            path = normalize(&base.join(target)).ok_or(ReadError::OutsideRoot)?;
        }
        Err(ReadError::Io(std::io::Error::other("too many levels of symbolic links")))
    }

    /// Every entry at or below `paths`, as (path, blob id and mode), sorted and unique.
    fn entries_under(&self, paths: &[String]) -> Vec<(String, String)> {
        let mut found = BTreeMap::new();
        for rel in paths {
            let rel = rel.trim_end_matches('/');
            let prefix = if rel.is_empty() || rel == "." { String::new() } else { format!("{rel}/") };
            let exact = self.entries.get_key_value(rel).into_iter();
            let below = self.entries.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix));
            for (path, (id, mode)) in exact.chain(below) {
                found.insert(path.clone(), format!("{id} {mode:o}"));
            }
        }
        found.into_iter().collect()
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
pub fn clean_identity(root: &Path, paths: &[String]) -> Option<Vec<(String, String)>> {
    let index = Snapshot::index(root).ok()?;
    let prefix = prefix_of(&index.repo, root).ok()?;
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
    let statuses = index.repo.statuses(Some(&mut options)).ok()?;
    let clean = statuses.iter().all(|s| s.status() == Status::CURRENT);
    drop(statuses);
    clean.then(|| index.entries_under(paths))
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
    fn identity(&self, paths: &[String]) -> Option<Vec<(String, String)>> {
        Some(self.entries_under(paths))
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.resolve(rel)? {
            Some((_, _, MODE_SUBMODULE)) => Err(ReadError::NotAFile("a submodule")),
            Some((_, id, _)) => {
                // The size from the object's header first: `find_blob` inflates the whole blob,
                // so a blob ten times the limit would be in memory before it was refused.
                let (size, _) = self.repo.odb().and_then(|odb| odb.read_header(id)).map_err(io)?;
                let size = size as u64;
                if size > limit {
                    return Err(ReadError::TooLarge { size, limit });
                }
                let blob = self.repo.find_blob(id).map_err(io)?;
                Ok(blob.content().to_vec())
            }
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
