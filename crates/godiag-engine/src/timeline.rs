//! The evidence placed in time, in words.

use godiag_model::InputKind;

use crate::input::PreparedInput;
use crate::report::InputReport;
use crate::time::parse_rfc3339;

/// The evidence placed in time, in words: each bundle's capture (how long
/// a program ran before it failed, how far apart snapshots were), the last
/// GC cycle printed before a crash, and dumps' capture times.
pub(crate) fn timeline(prepared: &[PreparedInput], inputs: &[InputReport<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for bundle in prepared.iter().filter_map(|l| l.bundle.as_deref()) {
        if seen.contains(&bundle.path.as_str()) {
            continue;
        }
        seen.push(&bundle.path);
        let b = &bundle.manifest;
        let span = match (
            b.started_at.as_deref().and_then(parse_rfc3339),
            b.ended_at.as_deref().and_then(parse_rfc3339),
        ) {
            (Some(s), Some(e)) if e >= s => Some(e - s),
            _ => None,
        };
        let at = b.started_at.as_deref().unwrap_or("an unknown time");
        match b.created_by.as_str() {
            "run" => out.push(format!(
                "`godiag run` started {} at {at}; it ended {} with {}",
                b.what(),
                span.map_or("later".to_string(), |d| format!("{d:.3} s later")),
                b.exit_words().as_deref().unwrap_or("an unknown status")
            )),
            "collect" => out.push(format!(
                "collected from {} at {at} over {}{}",
                b.what(),
                span.map_or("an unknown time".to_string(), |d| format!("{d:.1} s")),
                b.snapshots
                    .map(|n| format!(
                        ": {n} snapshots {:.0} s apart",
                        b.interval_seconds.unwrap_or(0.0)
                    ))
                    .unwrap_or_default()
            )),
            _ => {}
        }
        for f in b.failures() {
            out.push(format!("not captured: {f}"));
        }
    }
    for i in inputs {
        let Some(t) = i.text() else { continue };
        if !t.crash.is_failure() {
            continue;
        }
        if let Some(gc) = t.gc_traces.last() {
            out.push(format!(
                "{}: the last GC cycle before the crash was gc {} at {:.3} s after the program started ({}% of CPU time in GC so far{})",
                i.path,
                gc.number,
                gc.at_seconds,
                gc.gc_cpu_percent,
                if gc.forced { ", forced" } else { "" }
            ));
        }
    }
    // A trace cut by the crash: where on its timeline the crash came. With
    // no crash given, only that it ends early.
    let crashed = inputs
        .iter()
        .any(|i| i.text().is_some_and(|t| t.crash.is_failure()));
    for i in inputs {
        if let Some(t) = i.trace().filter(|t| t.partial.is_some()) {
            let moment = if crashed {
                godiag_analysis::crash_moment(t)
            } else {
                godiag_analysis::cut_moment(t)
            };
            out.push(format!("{}: {moment}", i.path));
        }
    }
    // Consecutive dumps of one process: how far apart.
    let dumps: Vec<&InputReport<'_>> = inputs
        .iter()
        .filter(|i| {
            matches!(i.kind, InputKind::GoroutineDump | InputKind::SigquitDump)
                && i.captured_at.is_some()
        })
        .collect();
    for w in dumps.windows(2) {
        let (a, b) = (w[0], w[1]);
        if let (Some(ta), Some(tb)) = (
            a.captured_at.as_deref().and_then(parse_rfc3339),
            b.captured_at.as_deref().and_then(parse_rfc3339),
        ) {
            out.push(format!(
                "goroutine dumps {} and {} were taken {:.1} s apart ({} and {} goroutines)",
                a.path,
                b.path,
                tb - ta,
                a.goroutine_count().unwrap_or(0),
                b.goroutine_count().unwrap_or(0)
            ));
        }
    }
    out
}
