//! Values paths declared in `rulesctl.hcl` with a type and bounds (`value "a.b" { ... }`), and
//! the ruleset fields that values may be injected from or compared with. This is how a team says
//! what its own chart's values mean, with no chart's key names in rulesctl.

use serde_json::Value;

use crate::diagnostic::Span;
use crate::model::quantity::{duration_ms, endpoint, quantity, InvalidEndpoint};
use crate::model::ruleset::Ruleset;

/// The ruleset fields a values path may be injected from or compared with: the singular ones.
/// `render.inject` also takes `digest`, the artifact's digest.
pub const RULESET_FIELDS: [&str; 7] = [
    "ruleset_version",
    "event_timers.world_boss_interval",
    "event_timers.weather_cycle",
    "event_timers.maintenance_window",
    "safety_bounds.max_spawn_rate_multiplier",
    "safety_bounds.min_cooldown_override",
    "safety_bounds.duplicate_event_window_ms",
];

/// The type of a declared value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `500ms`, `10s`, `5m`, `1h`, `1m30s`; measured in milliseconds.
    Duration,
    /// `host:port`; not ordered, so it takes no bounds.
    Endpoint,
    /// A Kubernetes quantity (`250m`, `1Gi`); measured exactly.
    Quantity,
}

/// What a value measures as its declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// An ordered amount: milliseconds for durations, nano-units for quantities.
    Amount(i128),
    /// Valid, with no order (an endpoint).
    Valid,
    /// Not a value of the type; for endpoints, why.
    Invalid(Option<InvalidEndpoint>),
}

impl ValueType {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "duration" => Some(ValueType::Duration),
            "endpoint" => Some(ValueType::Endpoint),
            "quantity" => Some(ValueType::Quantity),
            _ => None,
        }
    }

    /// How a value of the type is written, for help texts.
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Duration => "a duration such as \"500ms\", \"30s\", \"5m\" or \"1m30s\"",
            ValueType::Endpoint => "a `host:port` endpoint with a port from 1 to 65535",
            ValueType::Quantity => "a Kubernetes quantity such as \"250m\", \"0.5\", \"128Mi\" or \"1Gi\"",
        }
    }

    /// Measures a values-tree value (a string; a number for quantities).
    pub fn measure(self, value: &Value) -> Measure {
        let text = match (self, value) {
            (_, Value::String(s)) => s.clone(),
            (ValueType::Quantity, Value::Number(n)) => n.to_string(),
            _ => return Measure::Invalid(None),
        };
        self.measure_text(&text)
    }

    /// Measures a value written as text (a bound in rulesctl.hcl, or a values string).
    pub fn measure_text(self, text: &str) -> Measure {
        match self {
            ValueType::Duration => {
                duration_ms(text).map_or(Measure::Invalid(None), |ms| Measure::Amount(i128::from(ms)))
            }
            ValueType::Quantity => quantity(text).map_or(Measure::Invalid(None), Measure::Amount),
            ValueType::Endpoint => match endpoint(text) {
                Ok(()) => Measure::Valid,
                Err(why) => Measure::Invalid(Some(why)),
            },
        }
    }

    /// A ruleset field's value as this type measures it: durations read a `*_ms` field as
    /// milliseconds and any other whole number as seconds; quantities read numbers as amounts.
    pub fn measure_field(self, field: &str, value: &Value) -> Measure {
        match (self, value) {
            (ValueType::Duration, Value::Number(n)) => {
                let Some(n) = n.as_i64() else { return Measure::Invalid(None) };
                let ms = if field.ends_with("_ms") { i128::from(n) } else { i128::from(n) * 1000 };
                Measure::Amount(ms)
            }
            (ValueType::Quantity, Value::Number(n)) => self.measure_text(&n.to_string()),
            (_, Value::String(s)) => self.measure_text(s),
            _ => Measure::Invalid(None),
        }
    }
}

impl Ruleset {
    /// A singular ruleset field by name (one of [`RULESET_FIELDS`]), as data, with where it is
    /// written; `None` when it is missing, repeated or not one of them.
    pub fn field(&self, name: &str) -> Option<(Value, Span)> {
        let int = |f: &Option<crate::model::Spanned<i64>>| f.as_ref().map(|s| (Value::from(s.value), s.span));
        let text =
            |f: &Option<crate::model::Spanned<String>>| f.as_ref().map(|s| (Value::from(s.value.clone()), s.span));
        let timers = || match self.event_timers.as_slice() {
            [one] => Some(one),
            _ => None,
        };
        match name {
            "ruleset_version" => match self.versions.as_slice() {
                [one] => Some((Value::from(one.value.clone()), one.span)),
                _ => None,
            },
            "event_timers.world_boss_interval" => int(&timers()?.world_boss_interval),
            "event_timers.weather_cycle" => int(&timers()?.weather_cycle),
            "event_timers.maintenance_window" => text(&timers()?.maintenance_window),
            "safety_bounds.max_spawn_rate_multiplier" => {
                let n = self.bounds()?.max_spawn_rate_multiplier.as_ref()?;
                let value = match n.value.int {
                    Some(i) => Value::from(i),
                    None => serde_json::Number::from_f64(n.value.value).map(Value::Number)?,
                };
                Some((value, n.span))
            }
            "safety_bounds.min_cooldown_override" => int(&self.bounds()?.min_cooldown_override),
            "safety_bounds.duplicate_event_window_ms" => int(&self.bounds()?.duplicate_event_window_ms),
            _ => None,
        }
    }
}
