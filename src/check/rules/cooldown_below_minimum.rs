//! Every region's `cooldown_ms` respects `safety_bounds.min_cooldown_override`.

use crate::check::policy::allowed;
use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};

declare_code! {
    /// A spawn region's `cooldown_ms` is below `safety_bounds.min_cooldown_override`.
    ///
    /// The minimum cooldown is the floor that keeps a region from re-spawning faster than
    /// servers and players can absorb. A shorter cooldown is how duplicated loot happens.
    ///
    /// Example: `cooldown_ms = 3000` with `min_cooldown_override = 5000`.
    ///
    /// Fix: raise `cooldown_ms` to at least the minimum, or lower the minimum in review.
    pub static CODE = ("X001", "cooldown-below-minimum", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(min) = cx.ruleset.bounds().and_then(|b| b.min_cooldown_override.as_ref()) else { return };
    for spawn in &cx.ruleset.spawns {
        let Some(cooldown) = &spawn.cooldown_ms else { continue };
        if cooldown.value < min.value {
            let region = spawn.region.as_ref().map_or("this region", |r| r.value.as_str());
            sink.push(
                Diagnostic::new(
                    &CODE,
                    cooldown.span,
                    format!(
                        "`cooldown_ms` of {region} is {} ms, below the minimum of {} ms",
                        cooldown.value, min.value
                    ),
                )
                .label(format!("at least {} ms", min.value))
                .related(min.span, "minimum set here")
                .help(help(cx, min.value))
                .follows(cooldown.span)
                .follows(min.span),
            );
        }
    }
}

/// Raise the cooldown to the minimum, when a policy lets `cooldown_ms` go that high; else the
/// minimum is what must come down.
fn help(cx: &Context<'_>, min: i64) -> String {
    let most = allowed(cx.project, "spawn_config.cooldown_ms").map_or(f64::MAX, |(_, hi)| hi);
    if min as f64 <= most {
        format!("raise `cooldown_ms` to {min} or more")
    } else {
        format!("lower `safety_bounds.min_cooldown_override` to at most {most}: a policy caps `cooldown_ms` there")
    }
}
