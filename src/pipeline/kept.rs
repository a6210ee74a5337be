//! What a [`super::Workspace`] keeps of its latest analysis so that an edit of a rule file
//! updates that analysis in place instead of running it again: each rule file's place in the
//! joined ruleset and its own findings, the checks' findings grouped by what they depend on
//! ([`Scope`]), and an index of region and loot table names. An edit then costs the edited
//! file's parse, the checks of its blocks and of the names it held or holds, and the moving of
//! the joined lists' tails, not a pass over every file; the diagnostics are a full run's (a
//! test replays random edits against one).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::check::registry::Scope;
use crate::check::{self, Context};
use crate::diagnostic::{FileId, Sink, Span};
use crate::model::ruleset::{Extent, Ruleset};
use crate::source::root::PROJECT_FILE;
use crate::source::{Limits, Tree};

use super::deploy::{self, Injected};
use super::Analysis;

/// One rule file as the latest analysis read it.
pub struct RuleFile {
    pub rel: String,
    pub id: FileId,
    /// Its own diagnostics (syntax, decoding).
    pub found: Sink,
    /// What the checks of [`Scope::Block`] found in it.
    pub local: Sink,
    /// How much of each list of the joined ruleset it holds.
    pub extent: Extent,
    /// It makes the ruleset partial (not valid HCL, or an unknown block).
    pub partial: bool,
    pub names_unknown: bool,
    /// Read without a problem; a file that could not be read is read again by the next full
    /// run (its permissions can change without an edit).
    pub readable: bool,
}

/// The values and environments, read after every rule file, so that they can be read again
/// at the end of the sources when what the rules inject into them changes.
pub struct DeployPart {
    /// How many sources and counted files there were before them.
    pub sources: usize,
    pub files: usize,
    /// What reading and validating them found.
    pub found: Sink,
    pub environments: Vec<String>,
}

/// Everything kept between analyses (see the module docs).
pub struct Kept {
    /// The limits the rule files were parsed under: a parse depends on them.
    pub limits: Limits,
    /// Rule files in file order, and each one's place in it by path.
    pub rules: Vec<RuleFile>,
    pub slot_of: HashMap<String, usize>,
    /// What was found before the rule files: the project file and files left unread.
    before: Sink,
    deploy: DeployPart,
    injected: Vec<Injected>,
    /// What the checks of [`Scope::Whole`] found, and those of [`Scope::Block`] outside the rule
    /// files (the project file's numbers).
    whole: Sink,
    block_rest: Sink,
    regions: Names,
    tables: Names,
}

/// The checks of one name scope ([`Scope::Regions`] or [`Scope::LootTables`]): an index of the
/// names and what the checks found, by name.
struct Names {
    scope: Scope,
    index: HashMap<String, Uses>,
    /// How many uses name nothing declared (streams for no region, references to no table):
    /// the checks then suggest names from the whole ruleset, so they run over all of it.
    open: usize,
    found: BTreeMap<String, Sink>,
    /// Some finding could not be told its name: the checks of this scope always run over the
    /// whole ruleset.
    unkeyed: bool,
    /// The findings of the checks that need every name are out of date (kept per name while
    /// they were silenced): they are found again over the whole ruleset before they are shown.
    stale: bool,
}

/// How often one name is declared and used, and in which files (a file once per occurrence).
#[derive(Default)]
struct Uses {
    declared: usize,
    used: usize,
    files: Vec<usize>,
}

/// The names one part declares and uses, in one scope.
#[derive(Default)]
struct PartNames {
    declared: Vec<String>,
    used: Vec<String>,
}

impl Kept {
    /// What to keep of a full analysis whose rule files are `rules`: runs its checks, grouped.
    pub fn new(
        analysis: &Analysis,
        rules: Vec<RuleFile>,
        before: Sink,
        deploy: DeployPart,
        injected: Vec<Injected>,
    ) -> Self {
        let slot_of = rules.iter().enumerate().map(|(i, f)| (f.rel.clone(), i)).collect();
        let mut kept = Kept {
            limits: analysis.project.limits,
            rules,
            slot_of,
            before,
            deploy,
            injected,
            whole: Sink::new(),
            block_rest: Sink::new(),
            regions: Names::new(Scope::Regions),
            tables: Names::new(Scope::LootTables),
        };
        let starts = kept.starts();
        for (slot, file) in kept.rules.iter().enumerate() {
            let Some(&start) = starts.get(slot) else { continue };
            kept.regions.add(slot, &names(Scope::Regions, &analysis.ruleset, start, file.extent), &mut BTreeSet::new());
            kept.tables.add(
                slot,
                &names(Scope::LootTables, &analysis.ruleset, start, file.extent),
                &mut BTreeSet::new(),
            );
        }
        let cx = context(analysis);
        check::run_scope(&cx, Scope::Whole, &mut kept.whole);
        kept.all_blocks(&cx);
        kept.regions.all(&cx);
        kept.tables.all(&cx);
        kept
    }

    /// Where each rule file's part starts in the joined ruleset.
    pub fn starts(&self) -> Vec<Extent> {
        let mut at = Extent::default();
        self.rules
            .iter()
            .map(|f| {
                let start = at;
                at += f.extent;
                start
            })
            .collect()
    }

    /// The analysis's diagnostics from what is kept, in the order a full run finds them up to
    /// the checks (whose order the report order makes irrelevant).
    pub fn diagnostics(&self, analysis: &Analysis) -> Sink {
        let mut sink = self.before.clone();
        sink.extend(self.rules.iter().flat_map(|f| f.found.iter().cloned()));
        sink.extend(self.deploy.found.iter().cloned());
        sink.extend(self.whole.iter().cloned());
        sink.extend(self.block_rest.iter().cloned());
        sink.extend(self.rules.iter().flat_map(|f| f.local.iter().cloned()));
        // Kept while a broken file silences them, shown again once it parses.
        let cx = context(analysis);
        for names in [&self.regions, &self.tables] {
            sink.extend(names.found.values().flatten().filter(|d| check::reported(&cx, d.code)).cloned());
        }
        super::finish(sink, &analysis.deploy, &analysis.sources)
    }

    /// Brings `analysis` up to date after the rule files `dirty` changed (their text, not
    /// whether they exist), reading them from `tree`. Returns `false`, having changed nothing,
    /// when that is not what changed (a file that is no rule file of this analysis, or one
    /// that cannot be read): the caller then runs the analysis again.
    pub fn update(&mut self, analysis: &mut Analysis, tree: &dyn Tree, dirty: &[String]) -> bool {
        let mut slots: Vec<usize> = Vec::with_capacity(dirty.len());
        for rel in dirty {
            match self.slot_of.get(rel) {
                Some(&slot) if tree.exists(rel) && rel != PROJECT_FILE => slots.push(slot),
                _ => return false,
            }
        }
        slots.sort_unstable();
        slots.dedup();
        let mut read = Vec::with_capacity(slots.len());
        for &slot in &slots {
            let Some(file) = self.rules.get(slot) else { return false };
            match super::load::reread(tree, &analysis.project, file.id, &file.rel) {
                Some(done) => read.push((slot, done)),
                None => return false,
            }
        }
        let open = (self.regions.open, self.tables.open);
        let starts = self.starts();
        let (mut region_keys, mut table_keys) = (BTreeSet::new(), BTreeSet::new());
        let mut bounds_moved = false;
        // From the last file to the first, so the starts of those before stay right.
        for (slot, (text, part, found)) in read.into_iter().rev() {
            let Some(&start) = starts.get(slot) else { continue };
            let Some(file) = self.rules.get_mut(slot) else { continue };
            let ruleset = &mut analysis.ruleset;
            self.regions.remove(slot, &names(Scope::Regions, ruleset, start, file.extent), &mut region_keys);
            self.tables.remove(slot, &names(Scope::LootTables, ruleset, start, file.extent), &mut table_keys);
            let extent = part.extent();
            bounds_moved |= file.extent.safety_bounds > 0 || extent.safety_bounds > 0;
            self.regions.add(slot, &names(Scope::Regions, &part, Extent::default(), extent), &mut region_keys);
            self.tables.add(slot, &names(Scope::LootTables, &part, Extent::default(), extent), &mut table_keys);
            (file.partial, file.names_unknown) = (part.partial, part.names_unknown);
            ruleset.replace_part(start, file.extent, part);
            file.extent = extent;
            file.found = found;
            file.readable = true;
            analysis.sources.replace(file.id, text);
        }
        let ruleset = &mut analysis.ruleset;
        ruleset.partial = ruleset.files.is_empty() || self.rules.iter().any(|f| f.partial);
        ruleset.names_unknown = self.rules.iter().any(|f| f.names_unknown);
        analysis.compiled = std::cell::OnceCell::new();
        self.reinject(analysis, tree);

        let cx = context(analysis);
        self.whole.clear();
        check::run_scope(&cx, Scope::Whole, &mut self.whole);
        if bounds_moved {
            self.all_blocks(&cx);
        } else {
            let starts = self.starts();
            for &slot in &slots {
                let (Some(file), Some(&start)) = (self.rules.get_mut(slot), starts.get(slot)) else { continue };
                file.local = blocks_of(&cx, start, file);
            }
        }
        let quiet = cx.ruleset.partial || cx.ruleset.names_unknown;
        let starts = self.starts();
        for (names, keys, was_open) in
            [(&mut self.regions, region_keys, open.0), (&mut self.tables, table_keys, open.1)]
        {
            // Suggestions and consequences look at every name, but only for a use that names
            // nothing declared. While a broken file silences the checks that need them, that
            // waits until it parses again (a keystroke that breaks and one that mends cost
            // the edited names alone).
            let everywhere = names.unkeyed || was_open > 0 || names.open > 0;
            names.stale |= quiet && everywhere;
            if !quiet && (everywhere || names.stale) {
                names.all(&cx);
            } else {
                for key in keys {
                    names.one(&cx, &self.rules, &starts, key);
                }
            }
        }
        analysis.diagnostics = self.diagnostics(analysis);
        true
    }

    /// Reads the values and environments again when what the rules inject into them changed.
    fn reinject(&mut self, analysis: &mut Analysis, tree: &dyn Tree) {
        let injected = {
            let a = &*analysis;
            let digest = a.project.inject.iter().any(|i| i.source.value == "digest");
            super::injections(&a.project, &a.ruleset, if digest { a.compiled() } else { None })
        };
        if injected == self.injected {
            return;
        }
        analysis.sources.truncate(self.deploy.sources);
        analysis.files = self.deploy.files;
        let mut found = Sink::new();
        analysis.deploy = deploy::load(
            tree,
            &analysis.project,
            &self.deploy.environments,
            &deploy::Merging { injected: &injected, after: deploy::After::Kept },
            &mut analysis.sources,
            &mut found,
            &mut analysis.files,
        );
        self.deploy.found = found;
        self.injected = injected;
    }

    /// Runs the checks of [`Scope::Block`] over the whole ruleset, each finding kept with the
    /// rule file it is in.
    fn all_blocks(&mut self, cx: &Context<'_>) {
        let mut found = Sink::new();
        check::run_scope(cx, Scope::Block, &mut found);
        let slot_of: HashMap<FileId, usize> = self.rules.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        self.block_rest.clear();
        for file in &mut self.rules {
            file.local.clear();
        }
        for d in found {
            match slot_of.get(&d.primary.span.file).and_then(|&slot| self.rules.get_mut(slot)) {
                Some(file) => file.local.push(d),
                None => self.block_rest.push(d),
            }
        }
    }
}

/// What the checks of [`Scope::Block`] find in one file's part, which starts at `start`: run on
/// that part alone, with the ruleset's `safety_bounds` they read.
fn blocks_of(cx: &Context<'_>, start: Extent, file: &RuleFile) -> Sink {
    let mut part = cx.ruleset.part(start, file.extent);
    part.safety_bounds.clone_from(&cx.ruleset.safety_bounds);
    let one = Context { ruleset: &part, project: cx.project, deploy: cx.deploy, base: None };
    let mut found = Sink::new();
    check::run_scope(&one, Scope::Block, &mut found);
    // The project file's own numbers are checked with the project, not with each file.
    found.retain(|d| d.primary.span.file == file.id);
    found
}

fn context(analysis: &Analysis) -> Context<'_> {
    Context { ruleset: &analysis.ruleset, project: &analysis.project, deploy: &analysis.deploy, base: None }
}

/// The names a part (at `start`, spanning `extent`, in `ruleset`) declares and uses in `scope`.
fn names(scope: Scope, ruleset: &Ruleset, start: Extent, extent: Extent) -> PartNames {
    let spawns = ruleset.spawns.get(start.spawns..start.spawns + extent.spawns).unwrap_or_default();
    let own = |v: &String| v.clone();
    match scope {
        Scope::Regions => {
            let streams = ruleset.streams.get(start.streams..start.streams + extent.streams).unwrap_or_default();
            PartNames {
                declared: spawns.iter().filter_map(|s| s.region.as_ref()).map(|r| own(&r.value)).collect(),
                used: streams.iter().filter_map(|s| s.region.as_ref()).map(|r| own(&r.value)).collect(),
            }
        }
        _ => {
            let tables =
                ruleset.loot_tables.get(start.loot_tables..start.loot_tables + extent.loot_tables).unwrap_or_default();
            PartNames {
                declared: tables.iter().map(|t| own(&t.name.value)).collect(),
                used: spawns.iter().filter_map(|s| s.loot_table.as_ref()).map(|r| own(&r.value)).collect(),
            }
        }
    }
}

impl Names {
    fn new(scope: Scope) -> Self {
        Names { scope, index: HashMap::new(), open: 0, found: BTreeMap::new(), unkeyed: false, stale: false }
    }

    fn add(&mut self, slot: usize, part: &PartNames, touched: &mut BTreeSet<String>) {
        for (list, declared) in [(&part.declared, true), (&part.used, false)] {
            for name in list {
                self.change(name, touched, |uses| {
                    if declared {
                        uses.declared += 1;
                    } else {
                        uses.used += 1;
                    }
                    uses.files.push(slot);
                });
            }
        }
    }

    fn remove(&mut self, slot: usize, part: &PartNames, touched: &mut BTreeSet<String>) {
        for (list, declared) in [(&part.declared, true), (&part.used, false)] {
            for name in list {
                self.change(name, touched, |uses| {
                    if declared {
                        uses.declared = uses.declared.saturating_sub(1);
                    } else {
                        uses.used = uses.used.saturating_sub(1);
                    }
                    if let Some(at) = uses.files.iter().position(|&f| f == slot) {
                        uses.files.swap_remove(at);
                    }
                });
            }
        }
    }

    /// Changes one name's uses, keeping the count of open uses.
    fn change(&mut self, name: &str, touched: &mut BTreeSet<String>, edit: impl FnOnce(&mut Uses)) {
        if !touched.contains(name) {
            touched.insert(name.to_string());
        }
        let uses = match self.index.get_mut(name) {
            Some(uses) => uses,
            None => self.index.entry(name.to_string()).or_default(),
        };
        let open = |u: &Uses| if u.declared == 0 { u.used } else { 0 };
        self.open -= open(uses);
        edit(uses);
        self.open += open(uses);
        if uses.declared == 0 && uses.used == 0 {
            self.index.remove(name);
        }
    }

    /// Runs this scope's checks over the whole ruleset, each finding kept under its name.
    fn all(&mut self, cx: &Context<'_>) {
        let mut found = Sink::new();
        check::run_scope(cx, self.scope, &mut found);
        let rs = cx.ruleset;
        let places: HashMap<Span, &str> = match self.scope {
            Scope::Regions => rs
                .spawns
                .iter()
                .filter_map(|s| s.region.as_ref())
                .chain(rs.streams.iter().filter_map(|s| s.region.as_ref()))
                .map(|r| (r.span, r.value.as_str()))
                .collect(),
            _ => rs
                .loot_tables
                .iter()
                .map(|t| &t.name)
                .chain(rs.spawns.iter().filter_map(|s| s.loot_table.as_ref()))
                .map(|r| (r.span, r.value.as_str()))
                .collect(),
        };
        self.found.clear();
        self.unkeyed = false;
        self.stale = false;
        for d in found {
            match places.get(&d.primary.span) {
                Some(name) => self.found.entry((*name).to_string()).or_default().push(d),
                None => {
                    self.unkeyed = true;
                    self.found.entry(String::new()).or_default().push(d);
                }
            }
        }
    }

    /// Runs this scope's checks again for one name, over the blocks that declare or use it.
    fn one(&mut self, cx: &Context<'_>, rules: &[RuleFile], starts: &[Extent], name: String) {
        let mut files: Vec<usize> = self.index.get(&name).map(|u| u.files.clone()).unwrap_or_default();
        files.sort_unstable();
        files.dedup();
        let rs = cx.ruleset;
        let mut sub = Ruleset { partial: rs.partial, names_unknown: rs.names_unknown, ..Ruleset::default() };
        for slot in files {
            let (Some(file), Some(start)) = (rules.get(slot), starts.get(slot)) else { continue };
            let spawns = rs.spawns.get(start.spawns..start.spawns + file.extent.spawns).unwrap_or_default();
            match self.scope {
                Scope::Regions => {
                    let named = |r: &Option<crate::model::Spanned<String>>| r.as_ref().is_some_and(|r| r.value == name);
                    let streams =
                        rs.streams.get(start.streams..start.streams + file.extent.streams).unwrap_or_default();
                    sub.spawns.extend(spawns.iter().filter(|s| named(&s.region)).cloned());
                    sub.streams.extend(streams.iter().filter(|s| named(&s.region)).cloned());
                }
                _ => {
                    let tables = rs
                        .loot_tables
                        .get(start.loot_tables..start.loot_tables + file.extent.loot_tables)
                        .unwrap_or_default();
                    sub.loot_tables.extend(tables.iter().filter(|t| t.name.value == name).cloned());
                    let refers = |s: &&crate::model::ruleset::SpawnConfig| {
                        s.loot_table.as_ref().is_some_and(|r| r.value == name)
                    };
                    sub.spawns.extend(spawns.iter().filter(refers).cloned());
                }
            }
        }
        let one = Context { ruleset: &sub, project: cx.project, deploy: cx.deploy, base: None };
        let mut found = Sink::new();
        check::run_scope(&one, self.scope, &mut found);
        if found.is_empty() {
            self.found.remove(&name);
        } else {
            self.found.insert(name, found);
        }
    }
}
