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
    for (name, page) in subcommands(cmd, prefix) {
        out.push((format!("{name}.1"), render(&page)?));
    }
    Ok(())
}

/// Every subcommand below `cmd` (hidden ones and `help` aside), depth first, each named
/// `<prefix>-<name>` and set up to print its usage as `rulesctl hooks install`.
fn subcommands(cmd: &clap::Command, prefix: &str) -> Vec<(String, clap::Command)> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).bin_name(name.replace('-', " ")).display_name(name.clone());
        out.push((name.clone(), page));
        out.extend(subcommands(sub, &name));
    }
    out
}

/// The book's command-line reference (`docs/src/reference/cli.md`): every command's `--help`, as
/// the man pages walk them, at 80 columns. `tests/integration/docs.rs` fails when the checked-in
/// page differs.
pub fn markdown_reference() -> String {
    let top = crate::cli::command();
    let mut out = String::from(
        "# Command-line help\n\n<!-- Generated from the clap definitions (src/cli) by \
         rulesctl::commands::man::markdown_reference; do not edit. Regenerate with \
         `RULESCTL_BLESS=1 cargo test --test integration docs::`. -->\n\n\
         Every command's `--help`, exactly as the binary prints it. \
         [Commands](commands.md) says more about each.\n",
    );
    let mut commands = vec![("rulesctl".to_string(), top.clone().bin_name("rulesctl"))];
    commands.extend(subcommands(&top, "rulesctl"));
    for (name, cmd) in commands {
        let help = cmd.term_width(80).render_long_help().to_string();
        let title = name.replace('-', " ");
        out.push_str(&format!("\n## `{title}`\n\n```text\n{}\n```\n", help.trim_end()));
    }
    out
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
