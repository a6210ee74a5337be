//! `rulesctl explain [CODE]`: what a code means and how to fix it.

use crate::diagnostic::codes;

/// The explanation of one code, or the list of all codes when `code` is `None`.
///
/// # Errors
///
/// A message naming the closest code when `code` is unknown.
pub fn explain(code: Option<&str>) -> Result<String, String> {
    let Some(query) = code else {
        let mut out = String::new();
        for code in codes::all() {
            out.push_str(&format!(
                "{:<5} {:<30} {:<8} {}\n",
                code.id,
                code.name,
                code.severity.as_str(),
                code.summary()
            ));
        }
        return Ok(out);
    };
    match codes::find(query) {
        Some(code) => Ok(format!("{} {} ({})\n\n{}", code.id, code.name, code.severity.as_str(), code.explanation())),
        None => {
            let all = codes::all();
            let hint = crate::model::decode::suggest(query, all.iter().map(|c| c.name));
            Err(format!("unknown diagnostic code `{query}`: {hint} Run `rulesctl explain` to list every code."))
        }
    }
}

/// The README's table of codes, generated from the same doc comments as `explain`.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | name | severity | what it means |\n| --- | --- | --- | --- |\n");
    for code in codes::all() {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            code.id,
            code.name,
            code.severity.as_str(),
            code.summary()
        ));
    }
    out
}
