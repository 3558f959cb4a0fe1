//! GC pressure from `GODEBUG=gctrace=1` lines.

use godiag_model::GcTrace;

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
    f.confirm(gctrace_evidence(
        input,
        format!(
            "gctrace: GC number {} at {:.3} s, {}% of CPU since start",
            last.number, last.at_seconds, share
        ),
        first,
        last,
    ));
    f.next_steps = next_steps(FindingKind::GcPressure);
    Some(f)
}

/// What `GODEBUG=gctrace=1` lines say about a heap leak that profiles
/// claim: the live heap after each GC grew and ends near its peak
/// (confirms), or stayed flat over at least the time the profiles span
/// (contradicts: a leak's live heap cannot stay flat while it grows).
/// Otherwise the gctrace is silent.
///
/// With no heap leak from profiles, a gctrace whose live heap keeps growing
/// is one by itself, placeless: no line of it names an allocation site.
pub fn gctrace_on_heap_leaks(
    findings: &mut Vec<Finding>,
    texts: &[TextInput<'_, '_>],
    profiles: &[crate::ProfileInput<'_>],
) {
    if !findings.iter().any(|f| f.kind == FindingKind::HeapLeak) {
        findings.extend(texts.iter().filter_map(live_heap_growth));
        return;
    }
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == FindingKind::HeapLeak && !f.secondary)
    {
        let times: Vec<i64> = profiles
            .iter()
            .filter(|p| f.evidence.iter().any(|e| e.input == p.index))
            .map(|p| p.profile.raw.time_nanos)
            .collect();
        let claimed_s = match (times.iter().min(), times.iter().max()) {
            (Some(a), Some(b)) => b.saturating_sub(*a) as f64 / 1e9,
            _ => 0.0,
        };
        // The most the profiles saw in use, MB: a gctrace whose live heap
        // never came near it is another process's (or another run's).
        let in_use_mb = profiles
            .iter()
            .filter(|p| f.evidence.iter().any(|e| e.input == p.index))
            .filter_map(|p| {
                let index = p.profile.sample_index("inuse_space")?;
                Some(p.profile.total(index).max(0) as u64 >> 20)
            })
            .max()
            .unwrap_or(0);
        for input in texts {
            let live = live_heaps(input);
            let (Some(&(first, _)), Some(&(last, _))) = (live.first(), live.last()) else {
                continue;
            };
            if live.len() < 6 {
                continue;
            }
            // The first third against the last, by their medians: a start-up
            // ramp or a final forced GC does not decide it.
            let (from, to) = first_and_last_thirds(&live);
            let span = last.at_seconds - first.at_seconds;
            let peak = live.iter().map(|l| l.1).max().unwrap_or(0);
            if in_use_mb > peak + peak / 2 + 1 {
                continue;
            }
            let grew = to >= from + (from / 4).max(1);
            let flat =
                from.abs_diff(to) <= (from.max(to) / 10).max(1) && span >= claimed_s.max(1.0);
            let summary = if grew {
                format!(
                    "gctrace: the live heap after GC grew from about {from} MB to about {to} MB over {span:.1} s ({} cycles)",
                    live.len()
                )
            } else if flat {
                format!(
                    "gctrace: the live heap after GC stayed at about {to} MB over {span:.1} s ({} cycles), which a leak's growth would not allow",
                    live.len()
                )
            } else {
                continue;
            };
            let e = gctrace_evidence(input, summary, first, last);
            if grew {
                f.confirm(e);
            } else {
                f.contradict(e, "the gctrace");
            }
        }
    }
}

/// The live heap after GC of the first third of the cycles against the
/// last third's, by their medians: a start-up ramp or a final forced GC
/// does not decide it.
fn first_and_last_thirds(live: &[(&GcTrace<'_>, u64)]) -> (u64, u64) {
    let third = live.len() / 3;
    let median = |part: &[(&GcTrace<'_>, u64)]| {
        let mut v: Vec<u64> = part.iter().map(|l| l.1).collect();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    };
    (median(&live[..third]), median(&live[live.len() - third..]))
}

/// Cycles a gctrace needs before its live heap's growth says anything.
const GROWTH_CYCLES: usize = 10;

/// A gctrace alone whose live heap after GC at least doubled from its first
/// third of cycles to its last, by 16 MB or more, and ends at half its
/// peak or above: memory the program keeps, not churn (churn shows as GC
/// frequency, its live heap flat). Low confidence, medium when it grew
/// fourfold: a cache warming up grows too.
fn live_heap_growth(input: &TextInput<'_, '_>) -> Option<Finding> {
    let live = live_heaps(input);
    if live.len() < GROWTH_CYCLES {
        return None;
    }
    let (from, to) = first_and_last_thirds(&live);
    let peak = live.iter().map(|l| l.1).max().unwrap_or(0);
    let (first, last) = (live.first()?.0, live.last()?.0);
    // Where it ends: the most of the last three cycles (a final forced GC
    // may dip), near the peak, not after a spike that came back down.
    let end = live[live.len() - 3..]
        .iter()
        .map(|l| l.1)
        .max()
        .unwrap_or(0);
    if to < from.saturating_mul(2) || to < from + 16 || end * 2 < peak {
        return None;
    }
    let span = last.at_seconds - first.at_seconds;
    let mut f = Finding::new(
        FindingKind::HeapLeak,
        format!(
            "heap leak: the live heap after GC grew from about {from} MB to about {to} MB over {span:.1} s ({} cycles); no allocation site without a heap profile",
            live.len()
        ),
        if to >= from.saturating_mul(4) {
            Confidence::Medium
        } else {
            Confidence::Low
        },
    );
    f.confirm(gctrace_evidence(
        input,
        format!(
            "gctrace: the live heap after GC grew from about {from} MB to about {to} MB (peak {peak} MB) over {} cycles",
            live.len()
        ),
        first,
        last,
    ));
    f.next_steps = next_steps(FindingKind::HeapLeak);
    Some(f)
}

/// Evidence from a gctrace: what it says, shown by its first and last
/// cycles' lines.
fn gctrace_evidence(
    input: &TextInput<'_, '_>,
    summary: String,
    first: &GcTrace<'_>,
    last: &GcTrace<'_>,
) -> Evidence {
    Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: Some(last.offset),
        lines: vec![first.raw.to_string(), last.raw.to_string()],
        goroutines: None,
    }
}

/// A gctrace's cycles that print the live heap, with it (MB).
fn live_heaps<'i, 'a>(input: &'i TextInput<'_, 'a>) -> Vec<(&'i GcTrace<'a>, u64)> {
    input
        .artifact
        .gc_traces
        .iter()
        .filter_map(|g| Some((g, g.live_mb?)))
        .collect()
}
