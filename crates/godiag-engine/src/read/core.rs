//! Core dumps: threads and registers; with the executable lent, every
//! goroutine with its stack, what blocked ones wait on, and the crash
//! state read from memory.

use godiag_model::{group_goroutines, GroupKeyMode, InputStatus};

use super::outcome::{Lent, Read};
use crate::input::PreparedInput;
use crate::report::{CoreEvidence, CoreThread, Evidence};

pub(crate) fn read<'a>(
    input: &'a PreparedInput,
    lent: &Lent<'a>,
    mode: GroupKeyMode,
    progress: Option<&crate::ProgressHook>,
) -> Read<'a> {
    let mut r = Read::new(input);
    let release = || input.release_pages();
    let tell = |done: usize, total: usize| {
        if let Some(p) = progress {
            p(&input.name, done as u64, total as u64, "goroutines");
        }
    };
    // A live process is read in place; a core file is parsed.
    let core = match &input.process {
        Some(_) => None,
        None => match godiag_core::Core::parse(input.bytes()) {
            Ok(c) => Some(c.with_page_release(&release)),
            Err(e) => return Read::unreadable(input, "an ELF core", e),
        },
    };
    let image = match (&input.process, &core) {
        (Some(p), _) => p.image(),
        (None, Some(c)) => c.image(),
        (None, None) => return r,
    }
    .with_progress(&tell);
    // The executable given that wrote this core (another program's reads
    // no goroutines, or wrong ones), and where it was loaded (PIE).
    let (chosen, mismatch) =
        lent.exe_for_core(&image, core.as_ref().and_then(|c| c.program_base()));
    let bias = chosen.map_or(0, |(_, bias)| bias);
    let lent_exe = chosen.map(|(e, _)| e);
    let mut evidence = CoreEvidence::default();
    if let Some(need) = core.as_ref().and_then(|c| c.expected_len) {
        r.status = InputStatus::Partial;
        // Cut by godiag's own limit on inflating it, or before it came here.
        let why = if input.sniffed.gzipped && input.cut {
            "inflated only up to --max-inflated-mib"
        } else {
            "ulimit -c, a full disk or an incomplete copy"
        };
        r.warnings.push(format!(
            "the core is cut short at byte {} of the {need} its segments need ({why}): memory past that offset is missing, so goroutines whose stacks lie there are incomplete or absent",
            input.bytes().len()
        ));
    }
    evidence.threads = image
        .threads
        .iter()
        .map(|t| CoreThread {
            pid: t.pid,
            signal: t.signal,
            function: lent_exe.and_then(|e| {
                e.exe
                    .frames(t.rip.wrapping_sub(bias))
                    .last()
                    .map(|f| f.function.to_string())
            }),
            registers: t.regs.clone(),
            goroutine: None,
        })
        .collect();
    let Some(exe) = lent_exe else {
        r.status = InputStatus::Partial;
        r.analysed = false;
        let program = core.as_ref().and_then(program_named);
        r.warnings.push(match (&mismatch, lent.unreadable_exe) {
            (None, Some(name)) => format!(
                "{} threads read; the executable given ({name}) could not be read (see its warning), so goroutines are not listed",
                image.threads.len()
            ),
            (Some(why), _) => format!(
                "the executable given is not the program that wrote this core ({why}): {} threads read, goroutines not listed; give {}",
                image.threads.len(),
                program.as_deref().unwrap_or("the program that crashed")
            ),
            (None, None) => format!(
                "{} threads read{}; give the executable (--exe FILE, or put it in the bundle) to list goroutines and say why{}",
                image.threads.len(),
                died_of(&image),
                program
                    .map(|p| format!(": the core was written by {p}"))
                    .unwrap_or_default()
            ),
        });
        r.evidence = Evidence::Core(Box::new(evidence));
        return r;
    };
    r.go_version = exe.exe.go_version.clone();
    match godiag_core::goroutines(&image, &exe.exe, exe.bytes) {
        Ok(mut read) => {
            if let (godiag_core::LayoutSource::Table(since), Some(minor)) =
                (read.layout, godiag_core::layout::minor_version(&exe.exe))
            {
                if minor > godiag_model::GoVersion::NEWEST_KNOWN.minor {
                    r.warnings.push(format!(
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
                r.warnings.push(format!(
                    "{running} goroutines were running at dump time on threads whose stacks could not be unwound"
                ));
            }
            let crash = godiag_core::crash::crash_state(&image, &exe.exe, bias, &mut read);
            for t in evidence.threads.iter_mut() {
                t.goroutine = read
                    .on_threads
                    .iter()
                    .find(|(tid, _)| *tid == t.pid)
                    .map(|(_, g)| *g);
            }
            let goroutines = read.goroutines;
            evidence.groups = group_goroutines(&goroutines, mode);
            evidence.wait_objects = godiag_model::group_wait_objects(&goroutines);
            evidence.goroutines = Some(godiag_model::TextArtifact {
                goroutines,
                crash,
                ..Default::default()
            });
        }
        Err(e) => {
            r.status = InputStatus::Partial;
            r.warnings.push(format!(
                "{} threads read; goroutines not listed: {e}",
                image.threads.len()
            ));
        }
    }
    r.evidence = Evidence::Core(Box::new(evidence));
    r
}

/// How the core names its program: its path (`NT_FILE`) and command line.
fn program_named(core: &godiag_core::Core<'_>) -> Option<String> {
    match (core.program_path(), core.command.as_deref()) {
        (Some(path), Some(command)) => Some(format!("{path} (run as `{command}`)")),
        (Some(path), None) => Some(path.to_string()),
        (None, Some(command)) => Some(format!("the program run as `{command}`")),
        (None, None) => None,
    }
}

/// Fills a core's full backtraces with the goroutines `(id, g)` named.
pub(crate) fn backtraces(
    input: &PreparedInput,
    lent: &Lent<'_>,
    wanted: &[(u64, u64)],
) -> Vec<godiag_model::FullBacktrace> {
    if let Some(p) = &input.process {
        let Some(exe) = &lent.exe else {
            return Vec::new();
        };
        // The executable's part first: a live process is stopped again
        // only for the reading itself.
        let Some(reader) = godiag_core::BacktraceReader::new(&exe.exe, exe.bytes) else {
            return Vec::new();
        };
        return match p.image_again() {
            Some(image) => reader.read(&image, wanted),
            None => Vec::new(),
        };
    }
    let Ok(core) = godiag_core::Core::parse(input.bytes()) else {
        return Vec::new();
    };
    let image = core.image();
    let Some((exe, _)) = lent.exe_for_core(&image, core.program_base()).0 else {
        return Vec::new();
    };
    godiag_core::full_backtraces(&image, &exe.exe, exe.bytes, wanted)
}

/// The signal the process died of, as its first thread's note records it
/// (the thread that took it): `, the process died of SIGABRT (signal 6)`.
fn died_of(image: &godiag_core::Image<'_>) -> String {
    let Some(sig) = image.threads.first().map(|t| t.signal).filter(|&s| s != 0) else {
        return String::new();
    };
    let (name, _) = godiag_core::signal_name(u32::from(sig));
    let why = match name {
        "SIGABRT" => ": with GOTRACEBACK=crash, Go aborts so after printing a fatal error or an unrecovered panic",
        "SIGQUIT" => ": someone asked for a goroutine dump",
        _ => "",
    };
    format!(", the process died of {name} (signal {sig}){why}")
}
