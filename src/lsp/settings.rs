//! The server's settings, read from the client's `rulesctl` section (`workspace/configuration`,
//! `workspace/didChangeConfiguration`, or `initializationOptions`): what is missing or of the
//! wrong type keeps its default, so no setting can stop the server.

use serde_json::Value;

/// The most diagnostics published for one file, the summary that says how many more included:
/// one huge list made every later keystroke slow in editors.
pub const MAX_DIAGNOSTICS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `rulesctl.maxDiagnosticsPerFile`: 1 to 1,000 (default 1,000).
    pub max_diagnostics: usize,
    /// `rulesctl.inlayHints.enable`: a region's peak spawn rate after its `base_rate` (default on).
    pub inlay_hints: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { max_diagnostics: MAX_DIAGNOSTICS, inlay_hints: true }
    }
}

impl Settings {
    /// The settings in `section` (the client's `rulesctl` object, or an object holding one), over
    /// `self`: nested (`{"inlayHints": {"enable": false}}`) and dotted (`"inlayHints.enable"`)
    /// keys alike.
    #[must_use]
    pub fn read(self, section: &Value) -> Settings {
        let section = section.get("rulesctl").unwrap_or(section);
        let mut out = self;
        let nested = |outer: &str, inner: &str| {
            section.get(outer).and_then(|o| o.get(inner)).or_else(|| section.get(format!("{outer}.{inner}")))
        };
        if let Some(n) = section.get("maxDiagnosticsPerFile").and_then(Value::as_u64) {
            out.max_diagnostics = usize::try_from(n).unwrap_or(MAX_DIAGNOSTICS).clamp(1, MAX_DIAGNOSTICS);
        }
        if let Some(on) = nested("inlayHints", "enable").and_then(Value::as_bool) {
            out.inlay_hints = on;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_is_there_and_keeps_the_rest() {
        let base = Settings::default();
        assert_eq!(base.read(&Value::Null), base);
        let got = base.read(&serde_json::json!({ "maxDiagnosticsPerFile": 5, "inlayHints": { "enable": false } }));
        assert_eq!(got, Settings { max_diagnostics: 5, inlay_hints: false });
        let got = base
            .read(&serde_json::json!({ "rulesctl": { "maxDiagnosticsPerFile": 99999, "inlayHints.enable": false } }));
        assert_eq!(got, Settings { max_diagnostics: MAX_DIAGNOSTICS, inlay_hints: false });
        let got = base.read(&serde_json::json!({ "maxDiagnosticsPerFile": "many", "inlayHints": 3 }));
        assert_eq!(got, base);
        assert_eq!(base.read(&serde_json::json!({ "maxDiagnosticsPerFile": 0 })).max_diagnostics, 1);
    }
}
