//! Rules that turn the evidence model into ranked findings.
//!
//! Each rule reads only the model (`godiag_model`) and says, for every source
//! it was given, whether that source confirms, contradicts or is silent about
//! the conclusion. Rules never parse and never format output.

pub mod catalog;
mod corerules;
mod countgrowth;
mod crashrules;
mod deadlockrules;
mod finding;
mod frames;
mod gcrules;
mod input;
mod laterdumps;
mod leakrules;
mod orphanwait;
pub mod policy;
mod processend;
mod profilerules;
mod racerules;
#[cfg(test)]
mod ranking_tests;
#[cfg(test)]
mod rule_tests;
mod stackrules;
mod steps;
mod testleak;
mod testtimeout;
mod textrules;
mod tracehang;
mod traceparts;
mod tracerules;
mod waitgraph;

pub use crashrules::classify_message;
pub use finding::{Confidence, Evidence, Finding, FindingKind, Gap, Location, Verdict};
pub use gcrules::gctrace_on_heap_leaks;
pub use input::TextInput;
pub use laterdumps::check_later_dumps;
pub use profilerules::{analyze_profiles, confirm_from_profiles, ProfileInput};
pub use steps::{drop_gathered_steps, GivenEvidence};
pub use textrules::analyze_text;
pub use tracerules::{analyze_traces, confirm_from_traces, crash_moment, cut_moment, TraceInput};

/// One finding per root cause: findings of one kind at one code location,
/// from different inputs or rules, become one with all the evidence (see
/// [`weigh_verification`] for what their agreement does to confidence).
pub fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        let same = out.iter_mut().find(|o| {
            // A secondary failure merges only with the same secondary
            // failure seen by another source.
            o.kind == f.kind
                && o.secondary == f.secondary
                && match (&o.location, &f.location) {
                    // Findings that add up time or memory over a code site
                    // name its function; two sources may charge different
                    // lines of it (a mutex profile the Unlock, a trace the Lock).
                    (Some(a), Some(b)) if aggregates_over_a_site(f.kind) => {
                        a.function == b.function
                    }
                    (Some(a), Some(b)) => {
                        a.function == b.function && a.line == b.line && a.file == b.file
                    }
                    // A process dies once: a crash known without its location
                    // (crash text cut before the stacks, GOTRACEBACK=none) is
                    // the crash another source locates.
                    (Some(_), None) | (None, Some(_))
                        if f.kind.priority() == 2 && f.kind != FindingKind::DataRace =>
                    {
                        true
                    }
                    // The same conclusion without a place, drawn twice
                    // (two pairs of dumps of one process, debug=1 and
                    // debug=2): one finding.
                    (None, None) if o.title == f.title => true,
                    // Process-wide conditions: one GC, one scheduler.
                    _ => matches!(
                        f.kind,
                        FindingKind::GcPressure | FindingKind::SchedulerStarvation
                    ),
                }
        });
        match same {
            Some(o) => {
                if o.location.is_none() {
                    o.location = f.location.clone();
                    o.title = f.title.clone();
                }
                for (s, v) in f.verification {
                    let e = o.verification.entry(s).or_insert(v);
                    if v == Verdict::Confirms {
                        *e = Verdict::Confirms;
                    }
                }
                o.evidence.extend(f.evidence);
                // The most certain rule words the finding; at equal
                // certainty, one that names what the other could not.
                // Or one that says more of the same (`out of memory` from a
                // core, `out of memory: the heap grew to …` from the crash
                // text that printed the heap).
                let names_more = (o.gaps.contains(&Gap::OtherAccessor)
                    && !f.gaps.contains(&Gap::OtherAccessor))
                    || (f.title.len() > o.title.len() && f.title.starts_with(o.title.as_str()));
                if f.confidence > o.confidence || (f.confidence == o.confidence && names_more) {
                    o.title = f.title;
                    o.gaps = f.gaps;
                }
                o.confidence = o.confidence.max(f.confidence);
                for step in f.next_steps {
                    if !o.next_steps.contains(&step) {
                        o.next_steps.push(step);
                    }
                }
            }
            None => out.push(f),
        }
    }
    fold_leaked_waits(&mut out);
    fold_gc_hotspots(&mut out);
    out
}

/// Confidence after every source has had its say: each source beyond the
/// first that confirms a finding raises it one step (a crash text and a
/// dump, then a trace: low, medium, high), as the rule that found it could
/// only infer what another view then saw; a source that contradicts it
/// keeps it at medium at most, and raises nothing.
pub fn weigh_verification(findings: &mut [Finding]) {
    for f in findings {
        let contradicted = f.verification.values().any(|v| *v == Verdict::Contradicts);
        if contradicted {
            f.confidence = f.confidence.min(Confidence::Medium);
            continue;
        }
        let confirming = f
            .verification
            .values()
            .filter(|v| **v == Verdict::Confirms)
            .count();
        for _ in 1..confirming {
            f.confidence = match f.confidence {
                Confidence::Low => Confidence::Medium,
                _ => Confidence::High,
            };
        }
    }
}

fn aggregates_over_a_site(kind: FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::LockContention
            | FindingKind::CpuHotspot
            | FindingKind::HeapLeak
            | FindingKind::BlockingIo
    )
}

/// A CPU hotspot whose function is the allocating site of GC pressure is
/// that GC work, seen from the CPU profile: it joins the GC pressure.
fn fold_gc_hotspots(findings: &mut Vec<Finding>) {
    fold_into(
        findings,
        FindingKind::CpuHotspot,
        FindingKind::GcPressure,
        |a, b| a.function == b.function,
        "CPU spent at the allocating site",
    );
}

/// Goroutines that leaked at a channel operation also show up, in a trace or
/// a block profile, as long waits at that very line: the same root cause,
/// so that evidence joins the leak instead of standing as lock contention.
fn fold_leaked_waits(findings: &mut Vec<Finding>) {
    fold_into(
        findings,
        FindingKind::LockContention,
        FindingKind::GoroutineLeak,
        |a, b| a.function == b.function && a.line == b.line && a.file == b.file,
        "waits at the leak site",
    );
}

/// Findings of kind `from` whose location is `same` as a finding of kind
/// `into` become evidence of that finding, each summary prefixed by `note`.
fn fold_into(
    findings: &mut Vec<Finding>,
    from: FindingKind,
    into: FindingKind,
    same: impl Fn(&Location, &Location) -> bool,
    note: &str,
) {
    let sites: Vec<Location> = findings
        .iter()
        .filter(|f| f.kind == into)
        .filter_map(|f| f.location.clone())
        .collect();
    let (folded, rest): (Vec<Finding>, Vec<Finding>) =
        std::mem::take(findings).into_iter().partition(|f| {
            f.kind == from
                && f.location
                    .as_ref()
                    .is_some_and(|l| sites.iter().any(|at| same(at, l)))
        });
    *findings = rest;
    for f in folded {
        let Some(o) = findings.iter_mut().find(|o| {
            o.kind == into
                && o.location
                    .as_ref()
                    .zip(f.location.as_ref())
                    .is_some_and(|(a, b)| same(a, b))
        }) else {
            continue;
        };
        for (s, v) in f.verification {
            let e = o.verification.entry(s).or_insert(v);
            if v == Verdict::Confirms {
                *e = Verdict::Confirms;
            }
        }
        o.evidence.extend(f.evidence.into_iter().map(|mut e| {
            e.summary = format!("{note}: {}", e.summary);
            e
        }));
    }
}

/// Completes every finding's verification matrix: each source that was
/// provided and said nothing about the finding is `silent`.
pub fn fill_verification(findings: &mut [Finding], provided: &[godiag_model::Source]) {
    for f in findings {
        for s in provided {
            f.verification.entry(s.name()).or_insert(Verdict::Silent);
        }
    }
}

/// Orders findings most likely root cause first: by rank (a secondary failure
/// below what it hides), then confidence.
///
/// The rules, in order (`docs/findings.md`, "Ranking"):
/// 1. a secondary failure ranks below the failure it hides;
/// 2. a consequence (a watchdog's panic over a stall another finding
///    explains) ranks below the cause;
/// 3. higher confidence first;
/// 4. a failure (crash, deadlock) before a performance finding;
/// 5. more sources confirming first;
/// 6. then the kind's own priority.
pub fn rank(findings: &mut [Finding]) {
    mark_consequences(findings);
    let confirmations = |f: &Finding| {
        f.verification
            .values()
            .filter(|v| **v == Verdict::Confirms)
            .count()
    };
    findings.sort_by(|a, b| {
        a.secondary
            .cmp(&b.secondary)
            .then(a.consequence.cmp(&b.consequence))
            .then(b.confidence.cmp(&a.confidence))
            .then(b.kind.is_failure().cmp(&a.kind.is_failure()))
            .then(confirmations(b).cmp(&confirmations(a)))
            .then(b.kind.priority().cmp(&a.kind.priority()))
    });
}

/// Words that name a panic raised because something else stopped making
/// progress: watchdogs, health checks, supervisors' timeouts.
const STALL_WORDS: &[&str] = &[
    "watchdog",
    "no progress",
    "not making progress",
    "health check",
    "healthcheck",
    "liveness",
    "stuck",
    "hung",
    "timed out",
    "timeout",
    "deadline exceeded",
    "supervisor",
];

/// A panic raised by a watchdog, health check or supervisor timeout is a
/// consequence when another finding explains the stall; so is the SIGQUIT
/// an operator sent to take a hung program's dump.
fn mark_consequences(findings: &mut [Finding]) {
    // A kill for memory beside a leak: the leak is what grew.
    let growth_explained = findings.iter().any(|f| {
        matches!(f.kind, FindingKind::GoroutineLeak | FindingKind::HeapLeak) && !f.secondary
    });
    if growth_explained {
        for f in findings.iter_mut() {
            if f.kind == FindingKind::OutOfMemory && processend::is_kill_for_memory(f) {
                f.consequence = true;
                f.title = format!("consequence: {} (the leak above grew it)", f.title);
            }
        }
    }
    let stall_explained = findings
        .iter()
        .any(|f| f.kind.explains_a_stall() && !f.secondary);
    if !stall_explained {
        return;
    }
    // Goroutines of the standard library alone (an HTTP client's or
    // server's connections) piling up beside a deadlock in the program's
    // code: requests queue behind the hang; the deadlock is the cause.
    // So are goroutines piling up in the very function that deadlocked
    // (requests queued on the lock the cycle holds).
    let deadlocked: Vec<String> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Deadlock && !f.secondary)
        .filter_map(|f| f.location.as_ref())
        .filter(|l| !godiag_model::goroutine::is_stdlib_function(&l.function))
        .map(|l| l.function.clone())
        .collect();
    if !deadlocked.is_empty() {
        for f in findings.iter_mut() {
            if f.kind != FindingKind::GoroutineLeak || f.consequence {
                continue;
            }
            let behind = match &f.location {
                Some(l) if deadlocked.contains(&l.function) => {
                    Some("goroutines queued in the same function")
                }
                Some(l) if !godiag_model::goroutine::is_stdlib_function(&l.function) => None,
                _ => Some("goroutines of the standard library"),
            };
            if let Some(who) = behind {
                f.consequence = true;
                f.title = format!(
                    "consequence: {} ({who} piling up behind the deadlock above)",
                    f.title
                );
            }
        }
    }
    for f in findings.iter_mut() {
        if f.kind == FindingKind::UnknownFailure {
            if let Some(signal) = crashrules::dump_request_signal(&f.title) {
                f.title = format!("consequence: the process was stopped with {signal}, the dump of the stall (see the finding above)");
                f.consequence = true;
                continue;
            }
        }
        if f.kind != FindingKind::UserPanic {
            continue;
        }
        let text = format!(
            "{} {}",
            f.title,
            f.location.as_ref().map_or("", |l| l.function.as_str())
        )
        .to_ascii_lowercase();
        if STALL_WORDS.iter().any(|w| text.contains(w)) {
            f.consequence = true;
            f.title = format!(
                "consequence: {} (raised because the program stalled; see the finding above)",
                f.title
            );
        }
    }
}
