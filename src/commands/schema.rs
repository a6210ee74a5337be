//! `rulesctl schema [--out DIR]`: write the JSON Schemas, atomically and canonically.

use crate::artifact::canonical;
use crate::cli::{Globals, SchemaArgs};
use crate::commands::Outcome;
use crate::emit::schema;
use crate::error::Error;
use crate::io::{create_dir_all, write_if_changed};
use crate::source::root;

/// Writes every schema; unchanged files are not touched.
///
/// # Errors
///
/// No repository (without `--out`), or a file that cannot be written.
pub fn run(args: SchemaArgs, globals: &Globals) -> Result<Outcome, Error> {
    let (dir, shown) = match args.out {
        Some(dir) => (dir.clone(), dir.display().to_string()),
        None => (root::find(globals.root.as_deref())?.join("schema"), "schema".to_string()),
    };
    create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let mut lines = String::new();
    for (name, value) in schema::all() {
        let (text, _) = canonical::pretty(&value);
        let path = dir.join(name);
        let written = write_if_changed(&path, text.as_bytes()).map_err(|e| Error::io("write", &path, e))?;
        let verb = if written { "wrote" } else { "unchanged" };
        lines.push_str(&format!("{verb} {}/{name}\n", shown.trim_end_matches('/')));
    }
    Ok(Outcome::text(lines, 0))
}
