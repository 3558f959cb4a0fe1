//! The pipeline behind the `godiag` command: load inputs, recognise them,
//! read them, group goroutines, run the rules, and hand a [`Report`] to a
//! renderer. The binary (`main.rs`) only parses arguments and writes output.

pub mod collect;
mod inputs;
pub mod run;

use godiag_analysis::{
    analyze_profiles, analyze_text, analyze_traces, confirm_from_profiles, confirm_from_traces,
    fill_verification, merge, rank, ProfileInput, TextInput, TraceInput,
};
use godiag_model::{diff_groups, group_goroutines, GroupKeyMode, InputKind, InputStatus, Source};
use godiag_report::{DumpComparison, ExecutableSummary, InputReport, ProfileComparison, Report};

pub use inputs::{load_inputs, BundleInfo, Loaded};

/// Reads every input, groups goroutines, runs the rules.
pub fn build_report<'a>(loaded: &'a [Loaded], mode: GroupKeyMode) -> Report<'a> {
    let mut inputs: Vec<InputReport<'a>> = Vec::with_capacity(loaded.len());
    // The executable behind a core: the first one among the inputs (--exe
    // adds it there).
    let exe_bytes: Option<&'a [u8]> = loaded
        .iter()
        .find(|l| l.sniffed.kind == InputKind::ElfExecutable)
        .map(|l| l.bytes());
    let exe = exe_bytes.and_then(|b| godiag_exe::GoExecutable::parse(b).ok());
    for l in loaded {
        let sniffed = &l.sniffed;
        let mut warnings: Vec<String> = l.warnings.clone();
        let mut report = InputReport {
            path: l.display.clone(),
            kind: sniffed.kind,
            bytes: l.original_len,
            go_version: sniffed.go_version.clone(),
            go_version_at_least: sniffed.go_version_at_least.clone(),
            status: InputStatus::Parsed,
            analysed: sniffed.kind.is_analysed(),
            warnings: Vec::new(),
            text: None,
            groups: Vec::new(),
            profile: None,
            executable: None,
            core_threads: Vec::new(),
            wait_objects: Vec::new(),
            trace: None,
            captured_at: l.captured_at.clone(),
            backtraces: Vec::new(),
        };
        if sniffed.kind == InputKind::Unrecognized {
            report.status = InputStatus::Unrecognized;
            warnings.push(format!(
                "not a Go artifact godiag knows{}",
                sniffed
                    .note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ));
        } else if !report.analysed {
            report.status = InputStatus::Partial;
            warnings.push(format!(
                "recognised as {}; this build of godiag does not analyse that kind yet",
                sniffed.kind.name()
            ));
        } else if sniffed.kind == InputKind::ElfCore {
            let release = || l.release_pages();
            let parsed = godiag_core::Core::parse(l.bytes()).map(|c| c.with_page_release(&release));
            // PIE: where the executable was loaded in the core.
            let bias = match (&parsed, exe_bytes) {
                (Ok(core), Some(b)) => {
                    object::File::parse(b).map_or(0, |f| godiag_core::load_bias(core, &f))
                }
                _ => 0,
            };
            if let Ok(core) = &parsed {
                if let Some(need) = core.expected_len {
                    report.status = InputStatus::Partial;
                    warnings.push(format!(
                        "the core is cut short at byte {} of the {need} its segments need (ulimit -c, a full disk or an incomplete copy): memory past that offset is missing, so goroutines whose stacks lie there are incomplete or absent",
                        l.bytes().len()
                    ));
                }
                report.core_threads = core
                    .threads
                    .iter()
                    .map(|t| godiag_report::CoreThread {
                        pid: t.pid,
                        signal: t.signal,
                        function: exe.as_ref().and_then(|e| {
                            e.frames(t.rip.wrapping_sub(bias))
                                .last()
                                .map(|f| f.function.to_string())
                        }),
                        registers: t.regs.clone(),
                        goroutine: None,
                    })
                    .collect();
            }
            match (parsed, &exe, exe_bytes) {
                (Err(e), _, _) => {
                    report.status = InputStatus::Partial;
                    report.analysed = false;
                    warnings.push(format!("recognised as an ELF core but unreadable: {e}"));
                }
                (Ok(core), Some(exe), Some(bytes)) => {
                    report.go_version = exe.go_version.clone();
                    match godiag_core::goroutines(&core, exe, bytes) {
                        Ok(mut read) => {
                            if let (godiag_core::LayoutSource::Table(since), Some(minor)) =
                                (read.layout, godiag_core::layout::minor_version(exe))
                            {
                                if minor > 27 {
                                    warnings.push(format!(
                                        "Go 1.{minor} is newer than godiag knows and the executable has no DWARF: runtime offsets of Go 1.{since} were assumed"
                                    ));
                                }
                            }
                            let running = read
                                .goroutines
                                .iter()
                                .filter(|g| g.stack_unavailable)
                                .count();
                            if running > 0 {
                                warnings.push(format!(
                                    "{running} goroutines were running at dump time on threads whose stacks could not be unwound"
                                ));
                            }
                            let crash =
                                godiag_core::crash::crash_state(&core, exe, bias, &mut read);
                            for t in report.core_threads.iter_mut() {
                                t.goroutine = read
                                    .on_threads
                                    .iter()
                                    .find(|(tid, _)| *tid == t.pid)
                                    .map(|(_, g)| *g);
                            }
                            let goroutines = read.goroutines;
                            report.groups = group_goroutines(&goroutines, mode);
                            report.wait_objects = godiag_model::group_wait_objects(&goroutines);
                            report.text = Some(godiag_model::TextArtifact {
                                goroutines,
                                crash,
                                ..Default::default()
                            });
                        }
                        Err(e) => {
                            report.status = InputStatus::Partial;
                            warnings.push(format!(
                                "{} threads read; goroutines not listed: {e}",
                                core.threads.len()
                            ));
                        }
                    }
                }
                (Ok(core), _, _) => {
                    report.status = InputStatus::Partial;
                    report.analysed = false;
                    warnings.push(format!(
                        "{} threads read; give the executable (--exe FILE, or put it in the bundle) to list goroutines",
                        core.threads.len()
                    ));
                }
            }
        } else if sniffed.kind == InputKind::ExecutionTrace {
            match godiag_trace::analysis::analyze(l.bytes()) {
                Ok((summary, _, _)) => {
                    if let Some(p) = &summary.partial {
                        report.status = InputStatus::Partial;
                        warnings.push(format!(
                            "trace ends early at offset {}: {p}; {} events before that were read",
                            summary.partial_offset.unwrap_or(0),
                            summary.events
                        ));
                    }
                    report.trace = Some(summary);
                }
                Err(e) => {
                    report.status = InputStatus::Partial;
                    report.analysed = false;
                    warnings.push(format!(
                        "recognised as an execution trace but unreadable: {e}"
                    ));
                }
            }
        } else if sniffed.kind == InputKind::ElfExecutable {
            match godiag_exe::GoExecutable::parse(l.bytes()) {
                Ok(exe) => {
                    report.go_version = report.go_version.or(exe.go_version.clone());
                    report.executable = Some(ExecutableSummary {
                        functions: exe.pclntab.len(),
                        pclntab: exe.pclntab_source.to_string(),
                        inline_info: exe.has_inline_info(),
                    });
                }
                Err(e) => {
                    report.status = InputStatus::Partial;
                    report.analysed = false;
                    warnings.push(format!(
                        "recognised as an ELF executable but unreadable: {e}"
                    ));
                }
            }
        } else if matches!(sniffed.kind, InputKind::PprofProto | InputKind::PprofText) {
            match godiag_pprof::read(l.bytes()) {
                Ok(mut p) => {
                    if let Some(exe) = exe.as_ref().filter(|_| p.unsymbolized() > 0) {
                        let missing = p.unsymbolized();
                        let (symbolized, filled) = symbolize_profile(p, exe);
                        p = symbolized;
                        warnings.push(if filled == 0 {
                            format!("{missing} addresses have no symbols and the executable given has no Go function at any of them: it is not the program profiled")
                        } else {
                            format!("{filled} of {missing} addresses without symbols were symbolised from the executable")
                        });
                    }
                    if p.partial || l.cut {
                        report.status = InputStatus::Partial;
                    }
                    warnings.extend(p.warnings.iter().cloned());
                    report.profile = Some(p);
                }
                Err(e) => {
                    report.status = InputStatus::Partial;
                    report.analysed = false;
                    warnings.push(format!(
                        "recognised as {} but unreadable: {e}",
                        sniffed.kind.name()
                    ));
                }
            }
        } else {
            let t = godiag_traceback::parse(l.bytes());
            if t.partial || l.cut {
                report.status = InputStatus::Partial;
            }
            report.go_version = report.go_version.or_else(|| t.go_version.clone());
            report.go_version_at_least = t.go_version_at_least.clone();
            warnings.extend(
                t.warnings
                    .iter()
                    .map(|w| format!("{} (at byte {})", w.message, w.offset)),
            );
            report.groups = group_goroutines(&t.goroutines, mode);
            let mut t = t;
            if let (Some(exe), Some(bytes)) = (&exe, exe_bytes) {
                match fault_instruction_from_exe(exe, bytes, &t) {
                    Ok(note) => t.crash.fault_notes.extend(note),
                    Err(w) => warnings.push(w),
                }
            }
            report.text = Some(t);
        }
        report.warnings = warnings;
        inputs.push(report);
    }

    let text_inputs: Vec<TextInput<'_, 'a>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| {
            i.text.as_ref().map(|artifact| TextInput {
                index,
                kind: i.kind,
                artifact,
                groups: &i.groups,
                captured_at: i.captured_at.as_deref().and_then(run::parse_rfc3339),
            })
        })
        .collect();
    let profile_inputs: Vec<ProfileInput<'_>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| {
            i.profile
                .as_ref()
                .map(|profile| ProfileInput { index, profile })
        })
        .collect();
    let trace_inputs: Vec<TraceInput<'_>> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, i)| {
            i.trace
                .as_ref()
                .map(|summary| TraceInput { index, summary })
        })
        .collect();
    let mut findings = analyze_text(&text_inputs);
    findings.extend(analyze_profiles(&profile_inputs));
    findings.extend(analyze_traces(&trace_inputs));
    let mut findings = merge(findings);
    confirm_from_profiles(&mut findings, &profile_inputs);
    confirm_from_traces(&mut findings, &trace_inputs);
    // Only sources that were read can confirm, contradict or be silent.
    let mut provided: Vec<Source> = inputs
        .iter()
        .filter(|i| i.text.is_some() || i.profile.is_some() || i.trace.is_some())
        .filter_map(|i| i.kind.source())
        .collect();
    provided.sort();
    provided.dedup();
    fill_verification(&mut findings, &provided);
    rank(&mut findings);
    if let (Some(exe), Some(bytes)) = (&exe, exe_bytes) {
        attach_backtraces(loaded, &mut inputs, &findings, exe, bytes);
    }

    // Consecutive goroutine dumps (debug=2 or SIGQUIT) are compared group by group.
    let dumps: Vec<usize> = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            matches!(i.kind, InputKind::GoroutineDump | InputKind::SigquitDump)
                && !i.groups.is_empty()
        })
        .map(|(n, _)| n)
        .collect();
    let comparisons = dumps
        .windows(2)
        .map(|w| DumpComparison {
            earlier: w[0],
            later: w[1],
            diffs: diff_groups(&inputs[w[0]].groups, &inputs[w[1]].groups),
        })
        .collect();
    let profile_comparisons = compare_profiles(&inputs);
    let timeline = timeline(loaded, &inputs);
    Report {
        inputs,
        findings,
        timeline,
        comparisons,
        profile_comparisons,
    }
}

/// Goroutines whose frames a core report shows in full, most important
/// first: those the findings name, the top finding's first.
const MAX_FULL_BACKTRACES: usize = 8;

/// Fills each core's `backtraces` with the goroutines the findings name.
fn attach_backtraces(
    loaded: &[Loaded],
    inputs: &mut [InputReport<'_>],
    findings: &[godiag_analysis::Finding],
    exe: &godiag_exe::GoExecutable<'_>,
    exe_bytes: &[u8],
) {
    let mut named: Vec<u64> = Vec::new();
    for f in findings {
        for id in f.goroutine.iter().chain(&f.goroutines) {
            if !named.contains(id) {
                named.push(*id);
            }
        }
    }
    for (l, input) in loaded.iter().zip(inputs.iter_mut()) {
        if input.kind != InputKind::ElfCore {
            continue;
        }
        let Some(text) = &input.text else { continue };
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
        let Ok(core) = godiag_core::Core::parse(l.bytes()) else {
            continue;
        };
        input.backtraces = godiag_core::full_backtraces(&core, exe, exe_bytes, &wanted);
    }
}

/// A profile's addresses without symbols, looked up in the executable: a
/// mapping's `memory_start`/`file_offset` place an address in the file
/// (PIE), otherwise it is taken as a link-time address. Addresses are
/// return addresses (the call is the instruction before), as Go's
/// profiles and `@ 0x..` lists record them.
fn symbolize_profile(
    p: godiag_pprof::Profile,
    exe: &godiag_exe::GoExecutable<'_>,
) -> (godiag_pprof::Profile, usize) {
    // A legacy `@` list holds one PC per logical frame (inlined calls have
    // their own), so each address names one frame; a proto location holds
    // the whole inlining chain at its address.
    let one_frame_each = matches!(
        p.format,
        godiag_pprof::SourceFormat::LegacyHeap
            | godiag_pprof::SourceFormat::LegacyContention
            | godiag_pprof::SourceFormat::LegacyCount
    );
    p.symbolize(|address, mapping| {
        let link = match mapping.filter(|m| m.memory_limit > m.memory_start) {
            Some(m) => address
                .checked_sub(m.memory_start)
                .and_then(|d| exe.address_of_offset(d.checked_add(m.file_offset)?)),
            None => Some(address),
        };
        let Some(link) = link else {
            return Vec::new();
        };
        let mut frames = exe.frames(link.wrapping_sub(1));
        if one_frame_each {
            frames.truncate(1);
        }
        frames
            .into_iter()
            .map(|f| godiag_pprof::SymbolFrame {
                function: f.function.to_string(),
                file: f.file.to_string(),
                line: f.line,
            })
            .collect()
    })
}

/// Crash text given with its executable (`--exe`): the instruction at the
/// faulting PC, disassembled, and the Go or C function it is in. A PIE's
/// load address comes from any frame printed with its `pc=` (GOTRACEBACK
/// system or crash). A Go fault must land in a function of the failing
/// goroutine's stack, or the executable is not the one that crashed.
fn fault_instruction_from_exe(
    exe: &godiag_exe::GoExecutable<'_>,
    exe_bytes: &[u8],
    t: &godiag_model::TextArtifact<'_>,
) -> Result<Option<String>, String> {
    let c = &t.crash;
    let (pc, in_go) = match (&c.signal, &c.fatal_signal) {
        (Some(s), _) if s.pc != 0 => (s.pc, true),
        (_, Some(f)) => match f.pc {
            Some(pc) => (pc, !f.during_cgo),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let pie = object::File::parse(exe_bytes)
        .map(|f| object::Object::kind(&f) == object::ObjectKind::Dynamic)
        .unwrap_or(false);
    let bias = if pie {
        let printed = t
            .goroutines
            .iter()
            .flat_map(|g| g.frames.iter())
            .find_map(|f| {
                let (pc, off) = (f.pc?.get(), u64::from(f.pc_offset?.get()));
                let (entry, _) = exe.pclntab.find_by_name(f.function)?;
                Some(pc.wrapping_sub(entry + off))
            });
        match printed {
            Some(b) => b,
            // No frame carries its pc=: the load address is unknown.
            None => return Ok(None),
        }
    } else {
        0
    };
    let link = pc.wrapping_sub(bias);
    if in_go {
        let Some(f) = exe.pclntab.find(link) else {
            return Err(format!(
                "the executable has no Go function at the faulting pc {pc:#x}: it is not the one that crashed"
            ));
        };
        let on_stack = t
            .failing_goroutine()
            .is_some_and(|g| g.frames.iter().any(|fr| fr.function == f.name));
        if !on_stack {
            return Err(format!(
                "the executable puts the faulting pc {pc:#x} in {}, which is not on the failing goroutine's stack: it is not the one that crashed",
                f.name
            ));
        }
    }
    Ok(godiag_core::faulting_instruction(exe, link))
}

/// The evidence placed in time, in words: each bundle's capture (how long
/// a program ran before it failed, how far apart snapshots were), the last
/// GC cycle printed before a crash, and dumps' capture times.
fn timeline(loaded: &[Loaded], inputs: &[InputReport<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for b in loaded.iter().filter_map(|l| l.bundle.as_deref()) {
        if seen.contains(&b.path.as_str()) {
            continue;
        }
        seen.push(&b.path);
        let span = match (
            b.started_at.as_deref().and_then(run::parse_rfc3339),
            b.ended_at.as_deref().and_then(run::parse_rfc3339),
        ) {
            (Some(s), Some(e)) if e >= s => Some(e - s),
            _ => None,
        };
        let at = b.started_at.as_deref().unwrap_or("an unknown time");
        match b.created_by.as_str() {
            "run" => out.push(format!(
                "`godiag run` started {} at {at}; it ended {} with {}",
                b.what,
                span.map_or("later".to_string(), |d| format!("{d:.3} s later")),
                b.exit.as_deref().unwrap_or("an unknown status")
            )),
            "collect" => out.push(format!(
                "collected from {} at {at} over {}{}",
                b.what,
                span.map_or("an unknown time".to_string(), |d| format!("{d:.1} s")),
                b.snapshots
                    .map(|(n, every)| format!(": {n} snapshots {every:.0} s apart"))
                    .unwrap_or_default()
            )),
            _ => {}
        }
        for f in &b.failed {
            out.push(format!("not captured: {f}"));
        }
    }
    for i in inputs {
        let Some(t) = &i.text else { continue };
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
    // A trace cut by the crash: where on its timeline the crash came.
    for i in inputs {
        if let Some(t) = i.trace.as_ref().filter(|t| t.partial.is_some()) {
            out.push(format!("{}: {}", i.path, godiag_analysis::crash_moment(t)));
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
            a.captured_at.as_deref().and_then(run::parse_rfc3339),
            b.captured_at.as_deref().and_then(run::parse_rfc3339),
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

/// Profiles of one kind, ordered by capture time (else as given), compared
/// pairwise: each with the next.
fn compare_profiles(inputs: &[InputReport<'_>]) -> Vec<ProfileComparison> {
    let mut by_kind: Vec<(godiag_pprof::ProfileKind, Vec<usize>)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(p) = &input.profile else { continue };
        match by_kind.iter_mut().find(|(k, _)| *k == p.kind()) {
            Some((_, v)) => v.push(i),
            None => by_kind.push((p.kind(), vec![i])),
        }
    }
    let mut out = Vec::new();
    for (_, mut idx) in by_kind {
        let time = |i: &usize| inputs[*i].profile.as_ref().map_or(0, |p| p.raw.time_nanos);
        idx.sort_by_key(time);
        for w in idx.windows(2) {
            let (Some(a), Some(b)) = (&inputs[w[0]].profile, &inputs[w[1]].profile) else {
                continue;
            };
            let index = b.default_sample_index();
            let (ty, unit) = b.sample_types().get(index).copied().unwrap_or(("", ""));
            let Some(ai) = a.sample_index(ty) else {
                continue;
            };
            let rows = godiag_pprof::diff_top(
                &a.top(ai, godiag_pprof::Granularity::Function),
                &b.top(index, godiag_pprof::Granularity::Function),
            );
            out.push(ProfileComparison {
                earlier: w[0],
                later: w[1],
                sample_type: ty.to_string(),
                unit: unit.to_string(),
                rows,
            });
        }
    }
    out
}
