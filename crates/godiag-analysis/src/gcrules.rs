//! GC pressure from `GODEBUG=gctrace=1` lines.

use crate::finding::{Confidence, Evidence, Finding, FindingKind};
use crate::input::TextInput;
use crate::steps::next_steps;

/// `GODEBUG=gctrace=1` lines: GC's CPU share and how often it runs.
pub(crate) fn gctrace_pressure(input: &TextInput<'_, '_>) -> Option<Finding> {
    let traces = &input.artifact.gc_traces;
    let (first, last) = (traces.first()?, traces.last()?);
    if traces.len() < 5 {
        return None;
    }
    let span = last.at_seconds - first.at_seconds;
    let rate = if span > 0.0 {
        (traces.len() - 1) as f64 / span
    } else {
        0.0
    };
    let share = last.gc_cpu_percent;
    if share < 20 && !(rate >= 20.0 && share >= 5) {
        return None;
    }
    let mut f = Finding::new(
        FindingKind::GcPressure,
        format!("GC pressure: {} collections in {span:.1} s ({rate:.0} per second), GC at {share}% of CPU", traces.len()),
        if share >= 25 { Confidence::High } else { Confidence::Medium },
    );
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "gctrace: GC number {} at {:.3} s, {}% of CPU since start",
            last.number, last.at_seconds, share
        ),
        input: input.index,
        offset: Some(last.offset),
        lines: vec![first.raw.to_string(), last.raw.to_string()],
        goroutines: None,
    });
    f.next_steps = next_steps(FindingKind::GcPressure);
    Some(f)
}
