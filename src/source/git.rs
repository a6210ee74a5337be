//! Git: provenance of the working tree, and a revision's files as a [`Tree`].

use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Status};

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
    let dirty = inputs.iter().any(|rel| {
        let path = prefix.join(rel);
        !matches!(repo.status_file(&path), Ok(status) if status == Status::CURRENT)
    });
    Some(GitState { commit, dirty })
}

/// One revision's files below the rules root, read from git's object database.
pub struct GitTree {
    repo: Repository,
    tree: Oid,
    /// The rules root relative to the repository's top, as `/` path ("" at the top).
    prefix: String,
}

/// How many symbolic links a path may pass through before it is taken for a loop.
const MAX_LINKS: usize = 8;

impl GitTree {
    /// Opens revision `rev` (anything `git rev-parse` takes) of the repository holding `root`.
    ///
    /// # Errors
    ///
    /// A message saying why: no repository, or an unknown revision.
    pub fn open(root: &Path, rev: &str) -> Result<Self, String> {
        let repo =
            Repository::discover(root).map_err(|_| format!("{} is not inside a git repository", root.display()))?;
        let tree = repo
            .revparse_single(rev)
            .and_then(|object| object.peel_to_tree())
            .map_err(|e| format!("unknown revision `{rev}`: {}", e.message()))?
            .id();
        let prefix = prefix_of(&repo, root)?;
        Ok(GitTree { repo, tree, prefix })
    }

    /// Wraps an already built tree (the index, written as a tree).
    pub fn from_tree(repo: Repository, tree: Oid, root: &Path) -> Result<Self, String> {
        let prefix = prefix_of(&repo, root)?;
        Ok(GitTree { repo, tree, prefix })
    }

    fn full(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    /// Follows symbolic links inside the tree; `None` when a link leaves the rules root.
    fn resolve(&self, rel: &str) -> Result<Option<(git2::TreeEntry<'static>, String)>, ReadError> {
        let tree = self.repo.find_tree(self.tree).map_err(io)?;
        let mut path = rel.to_string();
        for _ in 0..MAX_LINKS {
            let Ok(entry) = tree.get_path(Path::new(&self.full(&path))) else { return Ok(None) };
            if entry.filemode() != 0o120_000 {
                return Ok(Some((entry.to_owned(), path)));
            }
            let blob = self.repo.find_blob(entry.id()).map_err(io)?;
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            let base = Path::new(&path).parent().map(Path::to_path_buf).unwrap_or_default();
            path = normalize(&base.join(target)).ok_or(ReadError::OutsideRoot)?;
        }
        Err(ReadError::Io(std::io::Error::other("too many levels of symbolic links")))
    }
}

fn prefix_of(repo: &Repository, root: &Path) -> Result<String, String> {
    let workdir = repo.workdir().ok_or("a bare repository has no working tree")?;
    let (Ok(workdir), Ok(root)) = (workdir.canonicalize(), root.canonicalize()) else {
        return Err(format!("cannot resolve {}", root.display()));
    };
    let rel = root.strip_prefix(&workdir).map_err(|_| format!("{} is outside the git repository", root.display()))?;
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

impl Tree for GitTree {
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let Some((entry, _)) = self.resolve(rel)? else { return Err(ReadError::Missing) };
        match entry.kind() {
            Some(ObjectType::Blob) => {
                let blob = self.repo.find_blob(entry.id()).map_err(io)?;
                let size = blob.size() as u64;
                if size > limit {
                    return Err(ReadError::TooLarge { size, limit });
                }
                Ok(blob.content().to_vec())
            }
            Some(ObjectType::Tree) => Err(ReadError::NotAFile("a directory")),
            _ => Err(ReadError::NotAFile("a submodule")),
        }
    }

    fn collect(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for rel in paths {
            let rel = rel.trim_end_matches('/');
            match self.resolve(rel) {
                Ok(Some((entry, _))) if entry.kind() == Some(ObjectType::Tree) => {
                    if let Ok(tree) = self.repo.find_tree(entry.id()) {
                        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                            let name = e.name().unwrap_or_default();
                            if name.starts_with('.') {
                                return git2::TreeWalkResult::Skip;
                            }
                            if name.ends_with(suffix) {
                                let base = if rel.is_empty() || rel == "." { String::new() } else { format!("{rel}/") };
                                found.push(format!("{base}{dir}{name}"));
                                return git2::TreeWalkResult::Skip;
                            }
                            git2::TreeWalkResult::Ok
                        });
                    }
                }
                Ok(Some(_)) | Err(_) => found.push(rel.to_string()),
                Ok(None) => missing.push(rel.to_string()),
            }
        }
        found.sort();
        found.dedup();
        if missing.is_empty() {
            Ok(found)
        } else {
            Err(missing)
        }
    }

    fn exists(&self, rel: &str) -> bool {
        matches!(self.resolve(rel), Ok(Some(_)))
    }
}

/// The root of the git repository holding `root`, if any.
pub fn workdir(root: &Path) -> Option<PathBuf> {
    Repository::discover(root).ok()?.workdir().map(Path::to_path_buf)
}
