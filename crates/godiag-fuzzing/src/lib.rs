//! The bodies of godiag's fuzz targets, one function per target: the
//! cargo-fuzz targets (`fuzz/`) call them, and so does the regression test
//! (`tests/regressions.rs`) with every input that once failed
//! (`fuzz/regressions/<target>/`), so a fixed failure stays fixed.
//! Each function feeds arbitrary bytes to a reader and to everything that
//! reads what the reader read; none may panic, hang, or allocate by a
//! length read from the input.

use std::io::Read;
use std::sync::OnceLock;

use godiag_model::{group_goroutines, GroupKeyMode, InputKind};

/// The crash-text reader: never panics, and neither do the restoration of
/// escaped or re-wrapped text, grouping, diffing, or the rules that read
/// what it found (crash findings, stacks without a failure line, leaks).
pub fn traceback(data: &[u8]) {
    fn read(data: &[u8]) {
        let t = godiag_traceback::parse(data);
        let groups = group_goroutines(&t.goroutines, GroupKeyMode::StackAndArgs);
        let _ = t.failing_goroutine();
        let input = godiag_analysis::TextInput {
            index: 0,
            kind: InputKind::CrashText,
            artifact: &t,
            groups: &groups,
            captured_at: None,
        };
        let _ = godiag_analysis::analyze_text(&[input]);
    }
    read(data);
    if let Some(r) = godiag_traceback::restore(data) {
        read(&r.text);
    }
    let t = godiag_traceback::parse(data);
    let groups = group_goroutines(&t.goroutines, GroupKeyMode::StackAndArgs);
    let half = godiag_traceback::parse(&data[..data.len() / 2]);
    let half_groups = group_goroutines(&half.goroutines, GroupKeyMode::Stack);
    let _ = godiag_model::diff_groups(&half_groups, &groups);
}

/// Kind recognition (gzip, ELF, protobuf, trace headers).
pub fn sniff(data: &[u8]) {
    let _ = godiag_sniff::sniff(data);
    let _ = godiag_sniff::go_buildinfo_version(data);
}

/// The pprof reader (protobuf, gzip, legacy text): every view of what it
/// read, and every profile rule, works on it.
pub fn pprof(data: &[u8]) {
    if let Ok(p) = godiag_pprof::read(data) {
        let _ = p.kind();
        // A report's first rows, ordered alone, are the whole table's: on a
        // fresh read, before the whole tables exist.
        if let Ok(fresh) = godiag_pprof::read(data) {
            for i in 0..p.raw.sample_type.len().min(4) {
                for g in [
                    godiag_pprof::Granularity::Function,
                    godiag_pprof::Granularity::Line,
                ] {
                    let first = fresh.top_first(i, g, 20);
                    let whole = p.top_rows(i, g);
                    assert_eq!(first, whole[..whole.len().min(20)]);
                }
            }
        }
        for i in 0..p.raw.sample_type.len().min(4) {
            let top = p.top(i, godiag_pprof::Granularity::Line);
            let _ = godiag_pprof::diff_top(&top, &p.top(i, godiag_pprof::Granularity::Function));
            let _ = p.folded(i);
            let _ = p.total(i);
        }
        // The rules over the profile, alone and twice (as two snapshots).
        let inputs = [
            godiag_analysis::ProfileInput {
                index: 0,
                profile: &p,
            },
            godiag_analysis::ProfileInput {
                index: 1,
                profile: &p,
            },
        ];
        let mut findings = godiag_analysis::analyze_profiles(&inputs[..1]);
        findings.extend(godiag_analysis::analyze_profiles(&inputs));
        godiag_analysis::confirm_from_profiles(&mut findings, &inputs);
    }
}

/// The execution-trace reader: both modes, the analysis and the exports.
/// Inputs whose first byte is odd get a valid header, so that the batch and
/// event decoders see most of them; the text format converter is fed too.
pub fn trace(data: &[u8]) {
    // Give most inputs a valid header so the fuzzer explores what follows it.
    let mut owned;
    let input: &[u8] = if data.first().is_some_and(|b| b & 1 == 1) {
        owned = b"go 1.26 trace\0\0\0".to_vec();
        if data.first() == Some(&3) {
            owned = b"go 1.23 trace\0\0\0".to_vec();
        }
        owned.extend_from_slice(&data[1..]);
        &owned
    } else {
        data
    };
    for mode in [godiag_trace::Mode::Strict, godiag_trace::Mode::Salvage] {
        if let Ok(mut r) = godiag_trace::Reader::new(input, mode) {
            let mut n = 0;
            while let Ok(Some(e)) = r.next_event() {
                let _ = e.display(r.tables());
                n += 1;
                if n > 100_000 {
                    break;
                }
            }
        }
    }
    if let Ok((s, p, t)) = godiag_trace::analysis::analyze(input) {
        let _ = serde_json::to_string(&s);
        for k in godiag_trace::analysis::ProfileKind::ALL {
            let _ = godiag_trace::export::blocking_profile_pprof(&p, k, &t);
        }
        let inputs = [godiag_analysis::TraceInput {
            index: 0,
            summary: &s,
        }];
        let _ = godiag_analysis::analyze_traces(&inputs);
    }
    let _ = godiag_trace::export::perfetto_json(input, &mut std::io::sink());
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bin) = godiag_trace::text::to_binary(text) {
            let _ = godiag_trace::analysis::analyze(&bin);
        }
    }
}

/// The executable reader: ELF parsing, the pclntab scan, and every lookup
/// on whatever pclntab it accepts, argument printing included (its encoding
/// and liveness bitmaps come from the executable).
pub fn exe(data: &[u8]) {
    if let Ok(exe) = godiag_exe::GoExecutable::parse(data) {
        let t = &exe.pclntab;
        for i in 0..t.len().min(64) {
            if let Some(f) = t.func(i) {
                let _ = exe.frames(f.entry);
                let _ = exe.frames(f.entry.wrapping_add(7));
                let _ = exe.frame_args(f.entry.wrapping_add(7), u64::MAX - 16, &|a| Some(a));
            }
        }
    }
    // A pclntab on its own (the scan path of stripped binaries).
    if let Ok(t) = godiag_exe::Pclntab::parse(data) {
        for i in 0..t.len().min(64) {
            if let Some(f) = t.func(i) {
                let _ = t.find(f.entry);
                let _ = t.file_line(&f, f.entry.wrapping_add(3));
            }
        }
    }
}

fn gunzip_lab(path: &str) -> Vec<u8> {
    let path = format!("{}/../../lab/cores/{path}", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = flate2::read::GzDecoder::new(f).read_to_end(&mut out);
    }
    out
}

/// The core reader: ELF notes (threads, registers, auxv), memory reads at
/// any address, and the whole goroutine walk (allgs, stacks, signal frames,
/// wait objects, throw messages) against a real Go executable of the core
/// lab, so that any memory a core claims to hold is followed without a
/// panic or an unbounded loop.
pub fn core(data: &[u8]) {
    static EXE: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = EXE.get_or_init(|| gunzip_lab("go1.26.6/nil-deref.plain.exe.gz"));
    if let Ok(core) = godiag_core::Core::parse(data) {
        let _ = core.entry();
        for t in &core.threads {
            let _ = core.read(t.rsp, 64);
            let _ = core.read_u64(t.rip);
        }
        let _ = core.read(u64::MAX - 3, 8);
        let _ = core.read(0, usize::MAX);
        let _ = core.program_path();
        if let Ok(exe) = godiag_exe::GoExecutable::parse(bytes) {
            let image = core.image();
            if let Ok(file) = object::File::parse(&bytes[..]) {
                let _ = godiag_core::executable_mismatch(&image, &file, bytes, core.program_base());
            }
            if let Ok(mut read) = godiag_core::goroutines(&image, &exe, bytes) {
                let _ = godiag_core::crash::crash_state(&image, &exe, 0, &mut read);
                let _ = godiag_model::group_wait_objects(&read.goroutines);
            }
        }
    }
}

/// An executable and a core together: a real pair of the core lab (the
/// AB/BA deadlock of Go 1.27.3, with DWARF), patched where the input says.
/// The input is a list of patches, each `[file: u8][offset: u32 LE][len:
/// u8][bytes]`, applied to the executable (even `file`) or the core (odd)
/// at `offset` modulo the file's length. Values the core reader takes from
/// the executable (runtime offsets, pclntab, argument and defer records,
/// DWARF types and locations) are fuzzed with the core's, through the whole
/// walk: goroutines, crash state, wait objects and the full backtraces.
pub fn exe_core(data: &[u8]) {
    static PAIR: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    let pair = PAIR.get_or_init(|| {
        [
            gunzip_lab("go1.27.3/deadlock-abba.plain.exe.gz"),
            gunzip_lab("go1.27.3/deadlock-abba.plain.core.gz"),
        ]
    });
    let mut files = pair.clone();
    let mut rest = data;
    while rest.len() >= 6 {
        let file = usize::from(rest[0] & 1);
        let offset = u32::from_le_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let len = usize::from(rest[5]).min(rest.len() - 6);
        let target = &mut files[file];
        if !target.is_empty() {
            for (i, &b) in rest[6..6 + len].iter().enumerate() {
                let at = (offset + i) % target.len();
                target[at] = b;
            }
        }
        rest = &rest[6 + len..];
    }
    let [exe_bytes, core_bytes] = &files;
    let (Ok(exe), Ok(core)) = (
        godiag_exe::GoExecutable::parse(exe_bytes),
        godiag_core::Core::parse(core_bytes),
    ) else {
        return;
    };
    let image = core.image();
    let _ = core.program_path();
    if let Ok(file) = object::File::parse(&exe_bytes[..]) {
        let _ = godiag_core::executable_mismatch(&image, &file, exe_bytes, core.program_base());
    }
    if let Ok(mut read) = godiag_core::goroutines(&image, &exe, exe_bytes) {
        let _ = godiag_core::crash::crash_state(&image, &exe, 0, &mut read);
        let _ = godiag_model::group_wait_objects(&read.goroutines);
        // The full backtraces inflate the DWARF: one input in four, so
        // the walk itself is fuzzed at speed.
        if !data.len().is_multiple_of(4) {
            return;
        }
        let wanted: Vec<(u64, u64)> = read
            .goroutines
            .iter()
            .filter_map(|g| Some((g.id, g.gp?)))
            .take(4)
            .collect();
        let _ = godiag_core::full_backtraces(&image, &exe, exe_bytes, &wanted);
    }
}

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("traceback", traceback),
    ("sniff", sniff),
    ("pprof", pprof),
    ("trace", trace),
    ("exe", exe),
    ("core", core),
    ("exe_core", exe_core),
    ("archive", archive),
];

/// Bundle archives (tar, gzipped or not; what `serve` ingests): unpacked
/// within a small cap, and what comes out is diagnosed.
pub fn archive(data: &[u8]) {
    let _ = godiag_engine::recognise(&mut godiag_engine::Input::from_vec("fuzz", data.to_vec()));
    // What serve does with an upload: its archive's files, or itself.
    let (inputs, _) = godiag_engine::inputs_from_body(std::sync::Arc::new(data.to_vec()), 8 << 20);
    let _ = godiag_engine::diagnose(inputs, &godiag_engine::Options::default());
}
