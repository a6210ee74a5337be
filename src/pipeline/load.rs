//! Loading the project file and the rule files into the typed model.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::diagnostic::{declare_code, Diagnostic, Past, Severity, Sink};
use crate::diagnostic::{FileId, Span};
use crate::model::project::{Project, DEFAULT_MAX_FILE_BYTES};
use crate::model::ruleset::Ruleset;
use crate::pipeline::kept::{Kept, RuleFile};
use crate::pipeline::Analysis;
use crate::source::limits::raise_hint;
use crate::source::root::PROJECT_FILE;
use crate::source::rules::{self, load, EMPTY_FILE, NO_RULES, TOO_MANY_FILES};
use crate::source::{Limits, SourceFile, Sources, Tree};

declare_code! {
    /// A rule file has more diagnostics than `limits { max_diagnostics }`.
    ///
    /// A rule file keeps its first `limits { max_diagnostics = N }` diagnostics (1,000 unless
    /// set), in the order they are found, the same on every run; the rest are counted as they
    /// are found, not kept, so a file of a million mistakes costs about what a file at the limit
    /// does. This one stands at the first diagnostic left out and says how many there were, and
    /// the summary counts every one of them.
    ///
    /// Fix: fix the diagnostics shown and check again, or raise
    /// `limits { max_diagnostics = N }` in rulesctl.hcl.
    pub static PAST_LIMIT = ("L011", "too-many-diagnostics", Error);
}

/// `rulesctl.hcl`, or the defaults when there is none. A broken one still yields a project (with
/// defaults) so the rest of the repository is checked.
pub fn project(tree: &dyn Tree, sources: &mut Sources, sink: &mut Sink, files: &mut usize) -> Project {
    if !tree.exists(PROJECT_FILE) {
        return Project::default();
    }
    *files += 1;
    let (id, ok) = load(sources, sink, tree, PROJECT_FILE, DEFAULT_MAX_FILE_BYTES);
    let entries = if ok { crate::parse::hcl(id, &sources.get(id).text, &Limits::DEFAULT, sink) } else { None };
    match entries {
        Some(entries) => Project::from_entries(id, &entries, sink),
        None => Project { file: Some(id), ..Project::default() },
    }
}

/// The files an analysis reads by the dozen: rule files and environments, listed before any is
/// read, so that a repository with more than `limits { max_files }` is one diagnostic, not a
/// run that reads a million files.
pub struct Listing {
    /// The rule files, or the configured rules paths that do not exist.
    pub rules: Result<Vec<String>, Vec<String>>,
    pub environments: Vec<String>,
}

impl Listing {
    pub fn of(tree: &dyn Tree, project: &Project) -> Self {
        let paths: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
        let env_root = project.environments.value.trim_end_matches('/').to_string();
        Listing {
            rules: tree.list_files(&paths, ".hcl"),
            environments: tree.list_files(std::slice::from_ref(&env_root), ".yaml").unwrap_or_default(),
        }
    }

    /// `L009` when there are more files than `limits { max_files }`, at the rules setting in
    /// `rulesctl.hcl` or else the rules folder. Nothing listed is read then.
    pub fn too_many(&self, project: &Project, sources: &mut Sources) -> Option<Diagnostic> {
        let rules = self.rules.as_ref().map_or(0, Vec::len);
        let environments = self.environments.len();
        let max = project.limits.max_files;
        if rules + environments <= max {
            return None;
        }
        let setting = project.rules.first();
        let span = match setting.and_then(|p| p.span) {
            Some(span) => span,
            None => Span::file(sources.add(setting.map_or("rules".to_string(), |p| p.value.clone()), String::new())),
        };
        let hint = raise_hint("max_files", max as u64, Limits::CEILING.max_files as u64);
        let count = |n: usize, what: &str| if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") };
        Some(
            Diagnostic::new(
                &TOO_MANY_FILES,
                span,
                format!(
                    "{} rule and environment files ({}, {}), over the limit of {max}: none of them was read",
                    rules + environments,
                    count(rules, "rule file"),
                    count(environments, "environment"),
                ),
            )
            .label("too many files")
            .help(format!(
                "check that `paths {{ rules = ... }}` and `paths {{ environments = ... }}` name only rules and environments{hint}"
            )),
        )
    }
}

/// Whether the project is values-only: it has a project file that sets no rules path, and there
/// is no `rules/` folder. A rules path that is written and missing stays `L007`, as does an empty
/// `rules/` folder.
pub fn values_only(project: &Project, listing: &Listing) -> bool {
    project.file.is_some() && project.rules.iter().all(|p| p.span.is_none()) && listing.rules.is_err()
}

/// `L007` at every `inject` of a values-only project: there is no ruleset to take a value from.
pub fn nothing_to_inject(project: &Project, sink: &mut Sink) {
    for injection in &project.inject {
        sink.push(
            Diagnostic::new(
                &NO_RULES,
                injection.source.span,
                format!("nothing to inject at `{}`: this project has no rule files", injection.path.value),
            )
            .label("needs a ruleset")
            .help("remove the `inject` entry from a values-only project, or add a `rules/` folder with the ruleset"),
        );
    }
}

/// Every rule file `listed` under the project's rules paths, decoded into one ruleset. With
/// `reuse` (a [`super::Workspace`]'s analysis), each file's own diagnostics come back with it
/// instead of going into `sink`, and unchanged files are taken from the previous analysis.
pub fn ruleset(
    tree: &dyn Tree,
    project: &Project,
    listed: Result<Vec<String>, Vec<String>>,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
    reuse: Option<&Reuse<'_>>,
) -> (Ruleset, Option<Vec<RuleFile>>) {
    let mut ruleset = Ruleset::default();
    match listed {
        Ok(rule_files) if rule_files.is_empty() => no_rules(sources, sink, project, None),
        Ok(rule_files) => {
            if let Some(reuse) = reuse {
                let (ruleset, kept) = cached(tree, project, &rule_files, sources, files, reuse);
                return (ruleset, Some(kept));
            }
            *files += rule_files.len();
            let limits = &project.limits;
            let mut parts = Parts::new(rule_files.len());
            if let Some(tree) = tree.sync() {
                // Read, hash and parse on every core, each file with the id it gets when joined.
                let first = sources.next_id().index();
                in_order(
                    &rule_files,
                    |i, rel| {
                        let id = FileId::new(first + i);
                        let (file, problem) = rules::read(tree, id, rel, limits.max_file_bytes);
                        let (found, outcome) = decode(id, &file, problem, limits);
                        (file, found, outcome)
                    },
                    |(file, found, outcome)| {
                        sources.push(file);
                        sink.extend(found);
                        parts.add(outcome);
                    },
                );
            } else {
                let loaded: Vec<(FileId, Option<Diagnostic>)> = rule_files
                    .iter()
                    .map(|rel| {
                        let (file, problem) = rules::read(tree, sources.next_id(), rel, limits.max_file_bytes);
                        (sources.push(file), problem)
                    })
                    .collect();
                let sources = &*sources;
                in_order(
                    &loaded,
                    |_, (id, problem)| decode(*id, sources.get(*id), problem.clone(), limits),
                    |(found, outcome)| {
                        sink.extend(found);
                        parts.add(outcome);
                    },
                );
            }
            ruleset = parts.into_ruleset();
        }
        Err(missing) => {
            for path in missing {
                no_rules(sources, sink, project, Some(&path));
            }
        }
    }
    if ruleset.files.is_empty() {
        // Without a single readable rule file, checks that need the whole ruleset stay quiet.
        ruleset.partial = true;
    }
    (ruleset, None)
}

/// What a workspace's analysis may take from its previous one.
pub struct Reuse<'a> {
    /// The previous analysis and what was kept of it, when there is one.
    pub previous: Option<(&'a Analysis, &'a Kept)>,
    /// Files changed since: read again.
    pub dirty: &'a HashSet<String>,
}

/// One rule file in a cached run: taken from the previous analysis, or read now (with what
/// kept it from being read, if anything) and to parse.
enum Slot {
    Cached(Ruleset, Sink, bool),
    Parse(FileId, Option<Diagnostic>),
}

/// [`ruleset`] reusing a previous analysis: a file it read that nobody changed is not read or
/// parsed again; its part of the ruleset (copied out of the previous ruleset) and its
/// diagnostics are reused, moved to this run's file id. Joins in file order, as the uncached
/// path does, and says what each file added.
fn cached(
    tree: &dyn Tree,
    project: &Project,
    rule_files: &[String],
    sources: &mut Sources,
    files: &mut usize,
    reuse: &Reuse<'_>,
) -> (Ruleset, Vec<RuleFile>) {
    // A parse depends on the limits: when `rulesctl.hcl` changed them, nothing is reused.
    let previous = reuse.previous.filter(|(_, kept)| kept.limits == project.limits);
    let starts = previous.map(|(_, kept)| kept.starts()).unwrap_or_default();
    let mut parts = Parts::new(rule_files.len());
    let mut slots = Vec::with_capacity(rule_files.len());
    for rel in rule_files {
        *files += 1;
        let hit = previous.and_then(|(analysis, kept)| {
            let slot = *kept.slot_of.get(rel)?;
            let old = kept.rules.get(slot).filter(|old| old.readable && !reuse.dirty.contains(rel))?;
            Some((analysis, old, *starts.get(slot)?))
        });
        if let Some((analysis, old, start)) = hit {
            let id = sources.push_shared(analysis.sources.shared(old.id));
            let mut part = analysis.ruleset.part(start, old.extent);
            part.partial = old.partial;
            part.names_unknown = old.names_unknown;
            let mut found = old.found.clone();
            if id != old.id {
                part.set_file(id);
                found.iter_mut().for_each(|d| d.set_file(id));
            }
            slots.push(Slot::Cached(part, found, true));
            continue;
        }
        let (file, problem) = rules::read(tree, sources.next_id(), rel, project.limits.max_file_bytes);
        slots.push(Slot::Parse(sources.push(file), problem));
    }
    let to_parse: Vec<(FileId, Option<Diagnostic>)> = slots
        .iter_mut()
        .filter_map(|s| if let Slot::Parse(id, problem) = s { Some((*id, problem.take())) } else { None })
        .collect();
    let mut parsed = std::collections::VecDeque::new();
    {
        let sources = &*sources;
        in_order(
            &to_parse,
            |_, (id, problem)| (problem.is_none(), decode(*id, sources.get(*id), problem.clone(), &project.limits)),
            |done| parsed.push_back(done),
        );
    }
    let mut kept = Vec::with_capacity(rule_files.len());
    let first = sources.next_id().index() - rule_files.len();
    for (i, (slot, rel)) in slots.into_iter().zip(rule_files).enumerate() {
        let (part, found, readable) = match slot {
            Slot::Cached(part, found, readable) => (part, found, readable),
            Slot::Parse(..) => {
                let Some((readable, (found, outcome))) = parsed.pop_front() else { continue };
                (outcome.into_part(), found, readable)
            }
        };
        kept.push(RuleFile {
            rel: rel.clone(),
            id: FileId::new(first + i),
            found,
            local: Sink::new(),
            extent: part.extent(),
            partial: part.partial,
            names_unknown: part.names_unknown,
            readable,
        });
        parts.add(Outcome::Part(part));
    }
    let mut ruleset = parts.into_ruleset();
    if ruleset.files.is_empty() {
        ruleset.partial = true;
    }
    (ruleset, kept)
}

/// Reads rule file `rel` again for an edit, under id `id`: its text and, unless it could not be
/// read, its part and its own diagnostics (`None`: unreadable, which a full run reports).
pub fn reread(tree: &dyn Tree, project: &Project, id: FileId, rel: &str) -> Option<(SourceFile, Ruleset, Sink)> {
    let (file, problem) = rules::read(tree, id, rel, project.limits.max_file_bytes);
    if problem.is_some() {
        return None;
    }
    let (found, outcome) = decode(id, &file, None, &project.limits);
    Some((file, outcome.into_part(), found))
}

/// Reports a missing or empty rules folder at its setting in `rulesctl.hcl`, or at the folder.
fn no_rules(sources: &mut Sources, sink: &mut Sink, project: &Project, missing: Option<&str>) {
    let configured = project.rules.iter().find(|p| missing.is_none_or(|m| p.value.trim_end_matches('/') == m));
    let span = match configured.and_then(|p| p.span) {
        Some(span) => span,
        None => {
            let folder = missing
                .map_or_else(|| project.rules.first().map_or("rules".to_string(), |p| p.value.clone()), str::to_string);
            Span::file(sources.add(folder, String::new()))
        }
    };
    let message = match missing {
        Some(path) => format!("the rules path `{path}` does not exist"),
        None => "no rule files (*.hcl) were found".to_string(),
    };
    sink.push(Diagnostic::new(&NO_RULES, span, message).help(
        "create a `rules/` folder with at least one *.hcl file, or set `paths { rules = \"...\" }` in rulesctl.hcl",
    ));
}

/// What one rule file adds to the ruleset.
enum Outcome {
    Part(Ruleset),
    /// Unreadable or not valid HCL: what it holds is unknown, so the ruleset is partial.
    Unknown,
}

impl Outcome {
    /// The part, or for a file whose blocks are unknown an empty part that makes the ruleset
    /// partial: joined, the two are the same.
    fn into_part(self) -> Ruleset {
        match self {
            Outcome::Part(part) => part,
            Outcome::Unknown => Ruleset { partial: true, ..Ruleset::default() },
        }
    }
}

/// The ruleset being joined from the files' outcomes, in file order.
struct Parts {
    ruleset: Ruleset,
    /// How many files there are, and how many have been joined: the room the lists need is
    /// estimated from the files seen (see [`Ruleset::reserve_like_rest`]).
    files: usize,
    seen: usize,
}

/// After how many files the room needed is estimated again.
const ESTIMATES: [usize; 2] = [16, 256];

impl Parts {
    fn new(files: usize) -> Self {
        Parts { ruleset: Ruleset::default(), files, seen: 0 }
    }

    fn add(&mut self, outcome: Outcome) {
        self.seen += 1;
        match outcome {
            Outcome::Part(part) if self.seen == 1 => {
                // The first part becomes the ruleset, not a copy of it: with one large file, a
                // copy held the whole typed ruleset twice at the peak.
                let first = std::mem::replace(&mut self.ruleset, part);
                self.ruleset.reserve_like_rest(1, self.files);
                self.ruleset.append(first);
            }
            Outcome::Part(part) => self.ruleset.append(part),
            Outcome::Unknown => self.ruleset.partial = true,
        }
        if ESTIMATES.contains(&self.seen) {
            self.ruleset.reserve_like_rest(self.seen, self.files);
        }
    }

    fn into_ruleset(self) -> Ruleset {
        self.ruleset
    }
}

/// Parses and decodes one rule file read as `file`, unless `problem` kept it from being read.
/// The file's own diagnostics come back with its part. An empty file (or one of only blank
/// space) is warned about and still joins, as a file with no rules: a ruleset of empty files is
/// then missing what must appear once, which is an error, not a silent pass.
fn decode(id: FileId, file: &SourceFile, problem: Option<Diagnostic>, limits: &Limits) -> (Sink, Outcome) {
    let mut found = Sink::new();
    if let Some(problem) = problem {
        found.push(problem);
        return (found, Outcome::Unknown);
    }
    if file.text.trim().is_empty() {
        found.push(
            Diagnostic::new(&EMPTY_FILE, Span::file(id), format!("`{}` is empty", file.path))
                .help("add rules to it, or delete it"),
        );
    }
    // Decoded a piece at a time as the file is parsed, so no syntax tree and no literal tree
    // of the whole file is ever held: only the typed part grows. Past the limit, each piece's
    // diagnostics are counted and dropped as it is decoded, so they are never all held either.
    let max = limits.max_diagnostics.max(1);
    let add = |(part, past): &mut (Ruleset, Dropped), entries: Vec<crate::parse::Entry>, sink: &mut Sink| {
        part.add_entries(id, &entries, max, sink);
        past.take(sink, max);
    };
    let init = || (Ruleset::default(), Dropped::default());
    let outcome = match crate::parse::hcl_fold(id, &file.text, limits, &mut found, init, add) {
        Some((mut part, past)) => {
            part.end_file(id);
            found.extend(past.note(max));
            Outcome::Part(part)
        }
        None => Outcome::Unknown,
    };
    (found, outcome)
}

/// The diagnostics of one file past `limits { max_diagnostics }`: counted, and where the first
/// of them was.
#[derive(Default)]
struct Dropped {
    past: Past,
    first: Option<Span>,
}

impl Dropped {
    /// Counts and drops every diagnostic of `sink` after its first `max`.
    fn take(&mut self, sink: &mut Sink, max: usize) {
        if sink.len() <= max {
            return;
        }
        for d in sink.drain(max..) {
            self.first.get_or_insert(d.primary.span);
            match d.severity {
                Severity::Error => self.past.errors += 1,
                Severity::Warning => self.past.warnings += 1,
            }
        }
    }

    /// `L011` at the first dropped diagnostic, when any was: an error when any dropped one was.
    fn note(self, max: usize) -> Option<Diagnostic> {
        let first = self.first?;
        let n = self.past.total();
        let more = if n == 1 { "1 more diagnostic".to_string() } else { format!("{n} more diagnostics") };
        let hint = raise_hint("max_diagnostics", max as u64, Limits::CEILING.max_diagnostics as u64);
        let mut note = Diagnostic::new(
            &PAST_LIMIT,
            first,
            format!(
                "{more} in this file past the limit of {max} ({} errors, {} warnings): counted, not shown",
                self.past.errors, self.past.warnings
            ),
        )
        .label("the first one not shown")
        .help(format!("fix the diagnostics shown and check again{hint}"));
        if self.past.errors == 0 {
            note.severity = Severity::Warning;
        }
        note.past_limit = self.past;
        Some(note)
    }
}

/// Below this many files, one thread is faster than starting others.
const PARALLEL_FROM: usize = 64;

/// Runs `work` on every item, on as many threads as there are cores, and hands each result to
/// `join` in item order, so output never depends on scheduling. Workers take the next chunk of
/// items from a shared counter (one message and one wake-up per chunk, not per file) and a
/// chunk is joined as soon as all before it are, so only a few results (and no syntax trees)
/// are held at once.
fn in_order<T: Sync, R: Send>(items: &[T], work: impl Fn(usize, &T) -> R + Sync, mut join: impl FnMut(R)) {
    // Few items are not worth threads, nor asking how many cores there are (the cgroup files).
    let threads = if items.len() < PARALLEL_FROM { 1 } else { crate::threads::count() };
    if threads < 2 {
        for (i, item) in items.iter().enumerate() {
            join(work(i, item));
        }
        return;
    }
    let chunk = (items.len() / threads.saturating_mul(16)).clamp(1, 32);
    let chunks = items.len().div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let (send, receive) = mpsc::channel();
    std::thread::scope(|scope| {
        // No more workers than chunks; a worker the system refuses to start is no failure, as
        // the chunks nobody took are done on this thread below.
        for _ in 0..threads.min(chunks) {
            let send = send.clone();
            let (next, work) = (&next, &work);
            let _ = std::thread::Builder::new().spawn_scoped(scope, move || loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    break;
                }
                let start = c * chunk;
                let done: Vec<R> =
                    items.iter().enumerate().skip(start).take(chunk).map(|(i, item)| work(i, item)).collect();
                if send.send((c, done)).is_err() {
                    break;
                }
            });
        }
        drop(send);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (c, done) in receive {
            waiting.insert(c, done);
            while let Some(done) = waiting.remove(&due) {
                done.into_iter().for_each(&mut join);
                due += 1;
            }
        }
        // A worker that panicked (a parser bug) left its chunk undone: do what is left here, in
        // order, so the panic surfaces on this thread as it would without threads.
        for c in due..chunks {
            match waiting.remove(&c) {
                Some(done) => done.into_iter().for_each(&mut join),
                None => {
                    for (i, item) in items.iter().enumerate().skip(c * chunk).take(chunk) {
                        join(work(i, item));
                    }
                }
            }
        }
    });
}
