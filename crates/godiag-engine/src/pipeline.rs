//! The pipeline: read each input by its kind (with what inputs lend each
//! other), run the rules over all the evidence, confirm findings across
//! sources, rank them, then add what the findings ask for (a core's frames
//! in full) and what relates inputs (comparisons, the timeline).

use godiag_analysis::{
    analyze_profiles, analyze_text, analyze_traces, check_later_dumps, confirm_from_profiles,
    confirm_from_traces, drop_gathered_steps, fill_verification, gctrace_on_heap_leaks, merge,
    rank, weigh_verification, Finding, GivenEvidence, ProfileInput, TextInput, TraceInput,
};
use godiag_model::{diff_groups, GroupKeyMode, InputKind, Source, TextArtifact};

use crate::input::PreparedInput;
use crate::read::{self, Lent};
use crate::report::{DumpComparison, Evidence, InputReport, Report};
use crate::time::parse_rfc3339;

/// Goroutines whose frames a core report shows in full, most important
/// first: those the findings name, the top finding's first.
const MAX_FULL_BACKTRACES: usize = 8;

/// Reads every input, groups goroutines, runs the rules.
pub fn build_report(inputs: &[PreparedInput], mode: GroupKeyMode) -> Report<'_> {
    build_report_with(
        inputs,
        &crate::Options {
            grouping: mode,
            ..Default::default()
        },
    )
}

/// [`build_report`] with all the options.
pub(crate) fn build_report_with<'a>(
    inputs: &'a [PreparedInput],
    options: &crate::Options,
) -> Report<'a> {
    let lent = Lent::from_inputs(inputs);
    // Dumps written one after another into one file are read as the
    // snapshots they are: the first in the input's place, the others after
    // every input (each input keeps its index among the reports).
    let mut later_snapshots: Vec<InputReport<'_>> = Vec::new();
    let mut reports: Vec<InputReport<'_>> = inputs
        .iter()
        .map(|input| {
            let parts = read::snapshots(input);
            let n = parts.len();
            let mut snapshots = parts.into_iter().enumerate().map(|(i, part)| {
                let r = read::read_snapshot(input, part.clone(), &lent, options);
                let mut report = input_report(input, r, i + 1, n);
                report.bytes = part.len() as u64;
                report.warnings.insert(
                    0,
                    format!(
                        "the file holds {n} goroutine dumps written one after another (goroutine ids repeat); this is dump {} of {n}, bytes {}-{}",
                        i + 1,
                        part.start,
                        part.end
                    ),
                );
                report
            });
            if let Some(first) = snapshots.next() {
                later_snapshots.extend(snapshots);
                return first;
            }
            let r = read::read(input, &lent, options);
            input_report(input, r, 1, 1)
        })
        .collect();
    reports.append(&mut later_snapshots);
    // What is read is all the rules need: a live process goes on meanwhile.
    for p in inputs.iter().filter_map(|i| i.process.as_ref()) {
        p.release();
    }
    let findings = diagnose(&reports);
    full_backtraces(inputs, &lent, &mut reports, &findings);
    let comparisons = compare_dumps(&reports);
    let profile_comparisons = crate::compare::compare_profiles(&reports);
    let timeline = crate::timeline::timeline(inputs, &reports);
    Report {
        inputs: reports,
        findings,
        timeline,
        comparisons,
        profile_comparisons,
    }
}

/// An input's report from its read; snapshot `k` of `n` of it is named so.
fn input_report<'a>(
    input: &'a PreparedInput,
    r: read::Read<'a>,
    k: usize,
    n: usize,
) -> InputReport<'a> {
    let mut warnings = input.warnings.clone();
    warnings.extend(r.warnings);
    let mut report = InputReport {
        path: if n > 1 {
            format!("{} (dump {k} of {n})", input.name)
        } else {
            input.name.clone()
        },
        kind: input.sniffed.kind,
        bytes: input.original_len,
        go_version: r.go_version,
        go_version_at_least: r.go_version_at_least,
        status: r.status,
        analysed: r.analysed,
        warnings,
        captured_at: input.captured_at.clone(),
        stop: None,
        evidence: r.evidence,
    };
    // A dump taken with a sent SIGABRT is read as SIGQUIT's is: its
    // kind says so once its lines are read (the sniffer sees only
    // the signal's name).
    if report.kind == InputKind::CrashText
        && report.text().is_some_and(TextArtifact::is_dump_request)
    {
        report.kind = InputKind::SigquitDump;
    }
    report
}

/// The rules over every input's evidence, cross-checked and ranked.
fn diagnose(inputs: &[InputReport<'_>]) -> Vec<Finding> {
    let text_inputs: Vec<TextInput<'_, '_>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| {
            i.text().map(|artifact| TextInput {
                index,
                kind: i.kind,
                artifact,
                groups: i.groups(),
                captured_at: i.captured_at.as_deref().and_then(parse_rfc3339),
            })
        })
        .collect();
    let profile_inputs: Vec<ProfileInput<'_>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| i.profile().map(|profile| ProfileInput { index, profile }))
        .collect();
    let trace_inputs: Vec<TraceInput<'_>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| i.trace().map(|summary| TraceInput { index, summary }))
        .collect();
    let mut findings = analyze_text(&text_inputs);
    findings.extend(analyze_profiles(&profile_inputs));
    findings.extend(analyze_traces(&trace_inputs));
    let mut findings = merge(findings);
    check_later_dumps(&mut findings, &text_inputs);
    confirm_from_profiles(&mut findings, &profile_inputs);
    gctrace_on_heap_leaks(&mut findings, &text_inputs, &profile_inputs);
    confirm_from_traces(&mut findings, &trace_inputs);
    weigh_verification(&mut findings);
    // Only sources that were read can confirm, contradict or be silent.
    let mut provided: Vec<Source> = inputs
        .iter()
        .filter(|i| i.text().is_some() || i.profile().is_some() || i.trace().is_some())
        .filter_map(|i| i.kind.source())
        .collect();
    provided.sort();
    provided.dedup();
    fill_verification(&mut findings, &provided);
    drop_gathered_steps(&mut findings, &given_evidence(inputs));
    rank(&mut findings);
    findings
}

/// What each input holds, for next steps not to ask for it again.
fn given_evidence(inputs: &[InputReport<'_>]) -> Vec<GivenEvidence> {
    use godiag_pprof::ProfileKind;
    inputs
        .iter()
        .map(|i| {
            let profile = i.profile().map(|p| p.kind());
            let dump = matches!(
                i.kind,
                InputKind::SigquitDump | InputKind::GoroutineDump | InputKind::GoroutineCountDump
            ) || profile == Some(ProfileKind::Goroutine);
            let text = i.text();
            GivenEvidence {
                core: i.core().is_some(),
                all_goroutines: dump
                    || i.core().is_some()
                    || text.is_some_and(|t| t.goroutine_total() > 1),
                gctrace: text.is_some_and(|t| !t.gc_traces.is_empty()),
                goroutine_snapshots: usize::from(dump),
                trace: i.trace().is_some(),
                cpu_profile: profile == Some(ProfileKind::Cpu),
                heap_profiles: usize::from(profile == Some(ProfileKind::Heap)),
                contention_profile: matches!(
                    profile,
                    Some(ProfileKind::Mutex | ProfileKind::Block)
                ),
            }
        })
        .collect()
}

/// Each core's frames in full for the goroutines the findings name.
fn full_backtraces(
    inputs: &[PreparedInput],
    lent: &Lent<'_>,
    reports: &mut [InputReport<'_>],
    findings: &[Finding],
) {
    let mut named: Vec<u64> = Vec::new();
    for f in findings {
        for id in f.goroutine.iter().chain(&f.goroutines) {
            if !named.contains(id) {
                named.push(*id);
            }
        }
    }
    for (input, report) in inputs.iter().zip(reports.iter_mut()) {
        let Evidence::Core(core) = &report.evidence else {
            continue;
        };
        let Some(text) = &core.goroutines else {
            continue;
        };
        let wanted: Vec<(u64, u64)> = named
            .iter()
            .filter_map(|id| {
                let g = text.goroutines.iter().find(|g| g.id == *id)?;
                Some((*id, g.gp?))
            })
            .take(MAX_FULL_BACKTRACES)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let mut backtraces = read::core::backtraces(input, lent, &wanted);
        if let Some(p) = &input.process {
            p.done_again();
            let stopped_again = !backtraces.is_empty();
            // A process let go while the rules ran and stopped again: a
            // goroutine that exited (its `g` left out) or whose innermost
            // frames are no longer those read moved meanwhile, and its
            // frames now would not be the evidence.
            backtraces.retain(|b| {
                text.goroutines
                    .iter()
                    .find(|g| g.id == b.goroutine)
                    .is_some_and(|g| same_innermost_frames(g, b))
            });
            let moved: Vec<u64> = wanted
                .iter()
                .map(|&(id, _)| id)
                .filter(|id| !backtraces.iter().any(|b| b.goroutine == *id))
                .collect();
            if !stopped_again {
                report.warnings.push(
                    "the process could not be stopped again for the named goroutines' frames in full".into(),
                );
            } else if !moved.is_empty() {
                report.warnings.push(format!(
                    "goroutine{} {} moved (ran or exited) between the read and the stop for full frames; {} frames in full are left out",
                    if moved.len() == 1 { "" } else { "s" },
                    moved.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
                    if moved.len() == 1 { "its" } else { "their" }
                ));
            }
        }
        let Evidence::Core(core) = &mut report.evidence else {
            continue;
        };
        core.backtraces = backtraces;
    }
}

/// Whether a goroutine's frames in full start with the frames the reading
/// found (function and line of the innermost three): it has not moved. A
/// goroutine read without frames (running on a thread) has no place to
/// compare and is taken to have moved.
fn same_innermost_frames(
    read: &godiag_model::Goroutine<'_>,
    full: &godiag_model::FullBacktrace,
) -> bool {
    let n = read.frames.len().min(3);
    n > 0
        && full.frames.len() >= n
        && read
            .frames
            .iter()
            .zip(&full.frames)
            .take(n)
            .all(|(r, f)| r.function == f.function && r.line == f.line)
}

/// Consecutive goroutine dumps (debug=2 or SIGQUIT), group by group.
fn compare_dumps(inputs: &[InputReport<'_>]) -> Vec<DumpComparison> {
    let dumps: Vec<usize> = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            matches!(i.kind, InputKind::GoroutineDump | InputKind::SigquitDump)
                && !i.groups().is_empty()
        })
        .map(|(n, _)| n)
        .collect();
    dumps
        .windows(2)
        .map(|w| DumpComparison {
            earlier: w[0],
            later: w[1],
            diffs: diff_groups(inputs[w[0]].groups(), inputs[w[1]].groups()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::same_innermost_frames;
    use godiag_model::{FullBacktrace, FullFrame, Goroutine, ValuesFrom};

    fn read(frames: &[(&'static str, u32)]) -> Goroutine<'static> {
        Goroutine {
            id: 7,
            frames: frames
                .iter()
                .map(|&(function, line)| godiag_model::Frame {
                    function,
                    args: "".into(),
                    file: "/app/main.go",
                    line,
                    pc_offset: None,
                    pc: None,
                })
                .collect(),
            ..Goroutine::default()
        }
    }

    fn full(frames: &[(&str, u32)]) -> FullBacktrace {
        FullBacktrace {
            goroutine: 7,
            frames: frames
                .iter()
                .map(|&(function, line)| FullFrame {
                    function: function.into(),
                    file: "/app/main.go".into(),
                    line,
                    inlined: false,
                    variables: Vec::new(),
                    argument_words: String::new(),
                })
                .collect(),
            values_from: ValuesFrom::Dwarf,
        }
    }

    /// A goroutine stopped twice is the same one when its innermost three
    /// frames are; one read without frames, or read again with fewer, or
    /// parked elsewhere, moved.
    #[test]
    fn goroutine_moved_between_stops() {
        let parked = [
            ("sync.(*Mutex).Lock", 90),
            ("main.(*ledger).transferOut", 21),
            ("main.main.func1", 40),
            ("runtime.goexit", 1700),
        ];
        assert!(same_innermost_frames(&read(&parked), &full(&parked)));
        assert!(same_innermost_frames(&read(&parked[..2]), &full(&parked)));
        assert!(!same_innermost_frames(&read(&parked), &full(&parked[..2])));
        assert!(!same_innermost_frames(&read(&[]), &full(&parked)));
        assert!(!same_innermost_frames(&read(&parked), &full(&[])));
        let mut elsewhere = parked;
        elsewhere[1].1 = 22;
        assert!(!same_innermost_frames(&read(&parked), &full(&elsewhere)));
    }
}
