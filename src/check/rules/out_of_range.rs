//! Every number lies in its attribute's built-in range.

use crate::check::Context;
use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::dialect::describe_range;

declare_code! {
    /// A number is outside its attribute's allowed range.
    ///
    /// Every numeric attribute has a built-in range (see the dialect reference). A value
    /// outside it is a typo or a change that would hurt players or servers: a `base_rate` of
    /// 10000 floods a region, a `max_len` of 0 makes a stream useless.
    ///
    /// Example: `base_rate = 1200` where the range is `0..=1000`.
    ///
    /// Fix: choose a value inside the range the message gives.
    pub static CODE = ("B001", "out-of-range", Error);
}

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    for n in cx.ruleset.numbers.iter().chain(&cx.project.numbers) {
        let Some((lo, hi)) = n.attr.range else { continue };
        if n.num.value.is_nan() || n.num.value < lo || n.num.value > hi {
            let range = describe_range(n.attr.kind, (lo, hi));
            sink.push(
                Diagnostic::new(
                    &CODE,
                    n.span,
                    format!("`{}` is {}, outside its range {range}", n.path(), n.num.repr()),
                )
                .label(format!("must be within {range}"))
                .help(format!("choose a value from {range} ({})", n.attr.doc)),
            );
        }
    }
}
