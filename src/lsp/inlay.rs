//! Inlay hints where a derived number helps: after a region's `base_rate`, its peak spawn rate
//! (`base_rate × safety_bounds.max_spawn_rate_multiplier`, as X002 computes it) against its
//! `max_concurrent`.

use lsp_types::{InlayHint, InlayHintKind, InlayHintLabel, InlayHintParams, InlayHintTooltip};

use crate::lsp::convert::LineIndex;
use crate::lsp::state::State;

/// `textDocument/inlayHint`: the hints in the requested range; none when the setting
/// `rulesctl.inlayHints.enable` is off.
pub fn hints(state: &State, params: &InlayHintParams) -> Option<Vec<InlayHint>> {
    if !state.settings.inlay_hints {
        return Some(Vec::new());
    }
    let view = state.view(&params.text_document.uri)?;
    let (analysis, file) = (view.analysis?, view.file?);
    let source = analysis.sources.get(file);
    // Spans are offsets into the analysed text; the buffer may have moved on since only if the
    // analysis is stale, which a flush before each request rules out.
    if source.text != *view.text {
        return Some(Vec::new());
    }
    let index = LineIndex::new(&view.text);
    let (from, to) = (index.offset(params.range.start), index.offset(params.range.end));
    let bounds = analysis.ruleset.bounds();
    let mut out = Vec::new();
    for spawn in analysis.ruleset.spawns.iter().filter(|s| s.block.file == file) {
        let (Some(rate), Some(peak)) = (&spawn.base_rate, spawn.peak_rate(bounds)) else { continue };
        let at = rate.span.end as usize;
        if at < from || at > to {
            continue;
        }
        let cap = spawn.max_concurrent.as_ref().map(|c| c.value);
        let verdict = match cap {
            #[allow(clippy::cast_precision_loss)] // max_concurrent is at most 10,000 once in range
            Some(cap) if peak > cap as f64 => format!(", above max_concurrent = {cap}"),
            Some(cap) => format!(" of max_concurrent = {cap}"),
            None => String::new(),
        };
        let mult = bounds.and_then(|b| b.max_spawn_rate_multiplier.as_ref()).map(|m| m.value.repr().into_owned());
        out.push(InlayHint {
            position: index.position(at),
            label: InlayHintLabel::String(format!("peak {peak}/min")),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(format!(
                "peak spawn rate: base_rate {} × max_spawn_rate_multiplier {} = {peak} per minute{verdict}",
                rate.value,
                mult.unwrap_or_default()
            ))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    Some(out)
}
