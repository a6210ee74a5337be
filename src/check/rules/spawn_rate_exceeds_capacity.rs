//! A region's peak spawn rate fits in its `max_concurrent`.

use crate::check::policy::allowed;
use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::parse::Num;

declare_code! {
    /// A region's peak spawn rate exceeds its `max_concurrent`.
    ///
    /// At peak a region spawns `base_rate × safety_bounds.max_spawn_rate_multiplier` per
    /// minute. If that is more than `max_concurrent`, the server either drops spawns or
    /// overshoots its capacity. The product is computed exactly from the numbers as written.
    ///
    /// Example: `base_rate = 20`, `max_spawn_rate_multiplier = 2.5`, `max_concurrent = 45`
    /// (20 × 2.5 = 50 > 45).
    ///
    /// Fix: raise `max_concurrent`, or lower `base_rate` or the multiplier.
    pub static CODE = ("X002", "spawn-rate-exceeds-capacity", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let Some(mult) = cx.ruleset.bounds().and_then(|b| b.max_spawn_rate_multiplier.as_ref()) else { return };
    for spawn in &cx.ruleset.spawns {
        let (Some(rate), Some(cap)) = (&spawn.base_rate, &spawn.max_concurrent) else { continue };
        if !product_exceeds(rate.value, &mult.value, cap.value) {
            continue;
        }
        let region = spawn.region.as_ref().map_or("this region", |r| r.value.as_str());
        // A multiplier such as 1e308 (out of range, reported on its own) overflows the float
        // product: say so rather than print `inf`.
        let (product, help) = match spawn.peak_rate(cx.ruleset.bounds()) {
            Some(peak) => (format!(" = {peak}"), help(cx, peak, cap.value, mult.value.value)),
            None => (String::new(), "lower `base_rate` or the multiplier".to_string()),
        };
        sink.push(
            Diagnostic::new(
                &CODE,
                rate.span,
                format!(
                    "peak spawn rate of {region} is {} × {}{product}, above `max_concurrent` = {}",
                    rate.value,
                    mult.value.repr(),
                    cap.value
                ),
            )
            .label("base rate")
            .related(mult.span, "multiplier")
            .related(cap.span, "capacity")
            .help(help)
            // An input already out of range is that error alone.
            .follows(rate.span)
            .follows(mult.span)
            .follows(cap.span),
        );
    }
}

/// `rate × mult > cap`, exactly: the multiplier is read from its decimal text, so `100 × 1.1`
/// is 110, not 110.00000000000001.
/// What to change, with numbers the rules accept: raise `max_concurrent` when the peak fits its
/// range (as narrowed by policies), else lower `base_rate` to what the capacity carries, else
/// the multiplier.
fn help(cx: &Context<'_>, peak: f64, cap: i64, mult: f64) -> String {
    let cap_max = allowed(cx.project, "spawn_config.max_concurrent").map_or(f64::MAX, |(_, hi)| hi);
    if peak.ceil() <= cap_max {
        return format!("raise `max_concurrent` to at least {}, or lower `base_rate`", peak.ceil());
    }
    let rate_min = allowed(cx.project, "spawn_config.base_rate").map_or(0.0, |(lo, _)| lo);
    let most = (cap as f64 / mult).floor();
    if most.is_finite() && most >= rate_min {
        format!("lower `base_rate` to at most {most}: `max_concurrent` cannot go above {cap_max}")
    } else {
        format!("lower `safety_bounds.max_spawn_rate_multiplier`: `max_concurrent` cannot go above {cap_max}")
    }
}

fn product_exceeds(rate: i64, mult: &Num, cap: i64) -> bool {
    match decimal(&mult.repr()) {
        Some((mantissa, scale)) => {
            let lhs = i128::from(rate).checked_mul(mantissa);
            let rhs = 10i128.checked_pow(scale).and_then(|p| i128::from(cap).checked_mul(p));
            match (lhs, rhs) {
                (Some(l), Some(r)) => l > r,
                _ => rate as f64 * mult.value > cap as f64,
            }
        }
        None => rate as f64 * mult.value > cap as f64,
    }
}

/// A decimal literal as `mantissa / 10^scale`.
fn decimal(repr: &str) -> Option<(i128, u32)> {
    let (number, exp) = match repr.find(['e', 'E']) {
        Some(i) => (&repr[..i], repr[i + 1..].parse::<i32>().ok()?),
        None => (repr, 0),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
    // The exponent is whatever was written (`1e-2147483648`): checked, so it cannot overflow.
    let scale = i32::try_from(frac.len()).ok()?.checked_sub(exp)?;
    if scale >= 0 {
        Some((mantissa, u32::try_from(scale).ok()?))
    } else {
        Some((mantissa.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(repr: &str) -> Num {
        Num::new(repr.parse().unwrap_or(f64::NAN), None, repr)
    }

    #[test]
    fn exact_where_floating_point_is_not() {
        assert!(std::hint::black_box(100.0_f64) * 1.1 > 110.0, "the float product overshoots");
        assert!(!product_exceeds(100, &num("1.1"), 110));
        assert!(product_exceeds(100, &num("1.1"), 109));
        assert!(!product_exceeds(20, &num("25e-1"), 50));
        assert!(product_exceeds(20, &num("2.5"), 49));
        assert!(!product_exceeds(3, &num("2"), 6));
    }

    #[test]
    fn extreme_exponents_fall_back_to_floats_without_overflow() {
        assert_eq!(decimal("1e-2147483648"), None);
        assert_eq!(decimal("1.5e-2147483648"), None);
        assert_eq!(decimal("1e2147483647"), None);
        assert!(!product_exceeds(12, &num("1e-2147483648"), 45));
        assert!(product_exceeds(12, &num("1e308"), 45));
    }
}
