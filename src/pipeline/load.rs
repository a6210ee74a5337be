//! Loading the project file and the rule files into the typed model.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::diagnostic::{Diagnostic, Sink};
use crate::model::project::{Project, DEFAULT_MAX_FILE_BYTES};
use crate::model::ruleset::Ruleset;
use crate::pipeline::workspace::{Cached, RuleCache};
use crate::source::root::PROJECT_FILE;
use crate::source::rules::{load, EMPTY_FILE, NO_RULES};
use crate::source::{FileId, Sources, Span, Tree};

/// `rulesctl.hcl`, or the defaults when there is none. A broken one still yields a project (with
/// defaults) so the rest of the repository is checked.
pub fn project(tree: &dyn Tree, sources: &mut Sources, sink: &mut Sink, files: &mut usize) -> Project {
    if !tree.exists(PROJECT_FILE) {
        return Project::default();
    }
    *files += 1;
    let (id, ok) = load(sources, sink, tree, PROJECT_FILE, DEFAULT_MAX_FILE_BYTES);
    let entries = if ok { crate::parse::hcl(id, &sources.get(id).text, sink) } else { None };
    match entries {
        Some(entries) => Project::from_entries(id, &entries, sink),
        None => Project { file: Some(id), ..Project::default() },
    }
}

/// Every rule file under the project's rules paths, decoded into one ruleset.
pub fn ruleset(
    tree: &dyn Tree,
    project: &Project,
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
    cache: Option<&mut RuleCache>,
) -> Ruleset {
    let mut ruleset = Ruleset::default();
    let paths: Vec<String> = project.rules.iter().map(|p| p.value.clone()).collect();
    match tree.collect(&paths, ".hcl") {
        Ok(rule_files) if rule_files.is_empty() => no_rules(sources, sink, project, None),
        Ok(rule_files) => {
            if let Some(cache) = cache {
                return cached(tree, project, &rule_files, sources, sink, files, cache);
            }
            let mut readable = Vec::with_capacity(rule_files.len());
            for rel in rule_files {
                *files += 1;
                let (id, ok) = load(sources, sink, tree, &rel, project.max_file_bytes);
                if !ok {
                    ruleset.partial = true;
                    continue;
                }
                readable.push(id);
            }
            decode_all(sources, &readable, |part, found| {
                sink.extend(found);
                match part {
                    Some(part) => ruleset.append(part),
                    None => ruleset.partial = true,
                }
            });
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
    ruleset
}

/// One rule file in a cached run: taken from the cache, to parse, or already settled.
enum Slot {
    Cached(Option<Ruleset>, Sink),
    Parse(FileId, String),
    Done,
}

/// [`ruleset`] with a cache: a file the cache holds and nobody changed is not read or parsed
/// again; its part of the ruleset and its diagnostics are reused, moved to this run's file id.
/// What is parsed is stored for the next run. Joins in file order, as the uncached path does.
fn cached(
    tree: &dyn Tree,
    project: &Project,
    rule_files: &[String],
    sources: &mut Sources,
    sink: &mut Sink,
    files: &mut usize,
    cache: &mut RuleCache,
) -> Ruleset {
    let mut ruleset = Ruleset::default();
    let mut slots = Vec::with_capacity(rule_files.len());
    for rel in rule_files {
        *files += 1;
        if let Some(hit) = cache.fresh(rel) {
            let id = sources.add_loaded(rel.clone(), hit.text.clone(), hit.sha256.clone(), hit.normalized);
            let mut part = hit.part.clone();
            let mut found = hit.found.clone();
            if let Some(part) = &mut part {
                part.set_file(id);
            }
            found.iter_mut().for_each(|d| d.set_file(id));
            slots.push(Slot::Cached(part, found));
            continue;
        }
        let (id, ok) = load(sources, sink, tree, rel, project.max_file_bytes);
        if !ok {
            ruleset.partial = true;
            slots.push(Slot::Done);
        } else {
            slots.push(Slot::Parse(id, rel.clone()));
        }
    }
    let to_parse: Vec<FileId> =
        slots.iter().filter_map(|s| if let Slot::Parse(id, _) = s { Some(*id) } else { None }).collect();
    let mut parsed = std::collections::VecDeque::new();
    decode_all(sources, &to_parse, |part, found| parsed.push_back((part, found)));
    for slot in slots {
        let (part, found) = match slot {
            Slot::Cached(part, found) => (part, found),
            Slot::Parse(id, rel) => {
                let Some((part, found)) = parsed.pop_front() else { continue };
                let file = sources.get(id);
                cache.store(
                    rel,
                    Cached {
                        text: file.text.clone(),
                        sha256: file.sha256.clone(),
                        normalized: file.normalized,
                        part: part.clone(),
                        found: found.clone(),
                    },
                );
                (part, found)
            }
            Slot::Done => continue,
        };
        sink.extend(found);
        match part {
            Some(part) => ruleset.append(part),
            None => ruleset.partial = true,
        }
    }
    if ruleset.files.is_empty() {
        ruleset.partial = true;
    }
    ruleset
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

/// Below this many files, parsing on one thread is faster than starting others.
const PARALLEL_FROM: usize = 64;

/// Parses and decodes every file into its part of the ruleset, on as many threads as there are
/// cores, and hands each part to `join` in `ids` order, so output never depends on scheduling.
/// Workers take the next file from a shared counter and a part is joined as soon as all before
/// it are, so only a few parts and no syntax trees are held at once. `None` for a file that is
/// not valid HCL.
///
/// An empty file (or one of only blank space) is warned about and still joins, as a file with no
/// rules: a ruleset of empty files is then missing what must appear once, which is an error, not
/// a silent pass.
fn decode_all(sources: &Sources, ids: &[FileId], mut join: impl FnMut(Option<Ruleset>, Sink)) {
    let decode = |id: FileId| {
        let mut found = Sink::new();
        let file = sources.get(id);
        if file.text.trim().is_empty() {
            found.push(
                Diagnostic::new(&EMPTY_FILE, Span::file(id), format!("`{}` is empty", file.path))
                    .help("add rules to it, or delete it"),
            );
        }
        let part =
            crate::parse::hcl(id, &file.text, &mut found).map(|entries| Ruleset::of_file(id, &entries, &mut found));
        (part, found)
    };
    let threads = threads();
    if threads < 2 || ids.len() < PARALLEL_FROM {
        for id in ids {
            let (part, found) = decode(*id);
            join(part, found);
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (send, receive) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let send = send.clone();
            let (next, decode) = (&next, &decode);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = ids.get(i) else { break };
                if send.send((i, decode(*id))).is_err() {
                    break;
                }
            });
        }
        drop(send);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (i, result) in receive {
            waiting.insert(i, result);
            while let Some((part, found)) = waiting.remove(&due) {
                join(part, found);
                due += 1;
            }
        }
        // A worker that panicked (a parser bug) left its file undone: decode what is left here,
        // in order, so the panic surfaces on this thread as it would without threads.
        for id in ids.iter().skip(due) {
            let (part, found) = waiting.remove(&due).unwrap_or_else(|| decode(*id));
            join(part, found);
            due += 1;
        }
    });
}

/// How many threads parse: `RULESCTL_THREADS` when set to a positive number (tests pin it to
/// prove the output is the same on one thread and many), else one per core.
pub fn threads() -> usize {
    std::env::var("RULESCTL_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}
