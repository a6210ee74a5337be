//! `rulesctl man [--out DIR]`: the top page on stdout, or one page per subcommand written into
//! DIR (`rulesctl.1`, `rulesctl-check.1`, `rulesctl-hooks-install.1`, ...), each with its own
//! options, as `git help check` users expect.

use std::path::Path;

use crate::cli::ManArgs;
use crate::commands::Outcome;
use crate::error::Error;

/// # Errors
///
/// A page that cannot be rendered, or a folder or file that cannot be written.
pub fn run(args: ManArgs) -> Result<Outcome, Error> {
    let top = crate::cli::command();
    let Some(dir) = args.out else {
        return Ok(Outcome::text(render(&top)?, 0));
    };
    let mut pages = vec![("rulesctl.1".to_string(), render(&top)?)];
    pages_of(&top, "rulesctl", &mut pages)?;
    crate::io::create_dir_all(&dir).map_err(|e| Error::Input(format!("cannot create `{}`: {e}", dir.display())))?;
    let mut lines = Vec::new();
    for (name, page) in &pages {
        let path = dir.join(name);
        crate::io::write_atomic(&path, page.as_bytes())
            .map_err(|e| Error::Input(format!("cannot write `{}`: {e}", path.display())))?;
        lines.push(format!("wrote {}", shown(&dir, name)));
    }
    lines.push(String::new());
    Ok(Outcome::text(lines.join("\n"), 0))
}

/// Pages for every subcommand below `cmd`, named `<prefix>-<name>.1`, depth first.
fn pages_of(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, String)>) -> Result<(), Error> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).bin_name(name.replace('-', " ")).display_name(name.clone());
        out.push((format!("{name}.1"), render(&page)?));
        pages_of(sub, &name, out)?;
    }
    Ok(())
}

fn render(cmd: &clap::Command) -> Result<String, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn shown(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}
