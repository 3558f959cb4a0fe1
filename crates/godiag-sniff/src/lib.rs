//! Recognises what a Go diagnostic artifact is from its bytes, never from its
//! file name: crash text, goroutine dumps (debug=1 and debug=2), SIGQUIT dumps,
//! race reports, pprof profiles (proto, gzipped or not, and legacy text),
//! execution traces, ELF cores and Go executables.
//!
//! It reads as little as it can (a header, a few anchors found with `memmem`)
//! and tells the Go version where the bytes state it (trace header, build
//! info). It does not parse the artifact: that is each reader's job.

use std::io::Read;

pub mod anchor;
pub mod ansi;
pub mod condensed;
pub mod delve;
pub mod prefix;
pub mod process_end;

/// The kind vocabulary is the evidence model's.
pub use godiag_model::InputKind;
use memchr::memmem;

/// What the bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: InputKind,
    /// The Go version the artifact states (an executable's build info).
    pub go_version: Option<String>,
    /// The oldest Go release that writes this format: a trace header names
    /// its wire format (`go 1.23 trace` is written by Go 1.23 and 1.24).
    pub go_version_at_least: Option<String>,
    /// The bytes are gzip-compressed; `kind` describes what is inside.
    pub gzipped: bool,
    /// A short reason when the kind is `Unrecognized` or a guess.
    pub note: Option<String>,
}

impl Sniffed {
    /// What is known of an input of `kind` before looking at it.
    pub fn of(kind: InputKind) -> Self {
        Sniffed {
            kind,
            go_version: None,
            go_version_at_least: None,
            gzipped: false,
            note: None,
        }
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ELF_MAGIC: &[u8] = b"\x7fELF";
const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";

/// How much of a gzipped input is inflated to recognise it: first a
/// little (the inflater decodes what is asked, not a whole 32 KB window),
/// then, when that says nothing, more.
const GZIP_PEEK_SHORT: u64 = 4 * 1024;
const GZIP_PEEK_LONG: u64 = 256 * 1024;

/// Recognises `data`, which should be the whole input (memory-mapped for big
/// files): text anchors may sit after megabytes of application logs.
pub fn sniff(data: &[u8]) -> Sniffed {
    if data.is_empty() {
        return Sniffed {
            note: Some("the input is empty".into()),
            ..Sniffed::of(InputKind::Unrecognized)
        };
    }
    if data.starts_with(GZIP_MAGIC) {
        // A short look first (a profile or trace says what it is in its
        // first bytes); text whose anchor sits after logs gets a longer one.
        // `bufread`: the input is in memory already, no copy buffer needed.
        let mut dec = flate2::bufread::GzDecoder::new(data);
        let mut head = Vec::new();
        // A short or damaged stream still yields the bytes before the damage.
        let _ = (&mut dec).take(GZIP_PEEK_SHORT).read_to_end(&mut head);
        if head.is_empty() {
            return Sniffed {
                gzipped: true,
                note: Some("gzip data that does not decompress".into()),
                ..Sniffed::of(InputKind::Unrecognized)
            };
        }
        let mut inner = sniff_plain(&head);
        // Binary kinds say what they are at once; text is judged on more.
        let binary = matches!(
            inner.kind,
            InputKind::PprofProto | InputKind::ExecutionTrace | InputKind::TarArchive
        );
        if !binary && head.len() as u64 == GZIP_PEEK_SHORT {
            let _ = dec
                .take(GZIP_PEEK_LONG - GZIP_PEEK_SHORT)
                .read_to_end(&mut head);
            inner = sniff_plain(&head);
        }
        inner.gzipped = true;
        return inner;
    }
    sniff_plain(data)
}

/// A report of godiag's own (HTML, markdown, JSON), saved beside the inputs
/// it was made from (`-o bundle/report.html`, `watch`'s bundles): read as
/// evidence, its quoted frames would count the same goroutines again.
fn is_own_report(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    head.starts_with(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>godiag report</title>")
        || head.starts_with(b"## godiag report\n")
        || (head.starts_with(b"{")
            && head
                .windows(SCHEMA_FIELD.len())
                .any(|w| w == SCHEMA_FIELD))
}

/// The schema field that opens a JSON report.
const SCHEMA_FIELD: &[u8] = b"\"godiag.report/v1\"";

fn sniff_plain(data: &[u8]) -> Sniffed {
    if data.starts_with(ELF_MAGIC) {
        return sniff_elf(data);
    }
    if is_tar(data) {
        return Sniffed::of(InputKind::TarArchive);
    }
    if let Some(v) = trace_version(data) {
        return Sniffed {
            go_version_at_least: Some(v),
            ..Sniffed::of(InputKind::ExecutionTrace)
        };
    }
    if is_own_report(data) {
        return Sniffed {
            note: Some(
                "a report godiag wrote, not evidence: it quotes the inputs it was made from".into(),
            ),
            ..Sniffed::of(InputKind::Unrecognized)
        };
    }
    if looks_like_profile_proto(data) {
        return Sniffed::of(InputKind::PprofProto);
    }
    if !looks_like_text(data) {
        return Sniffed {
            note: Some("binary data of no known kind".into()),
            ..Sniffed::of(InputKind::Unrecognized)
        };
    }
    sniff_text(data)
}

/// A tar archive: its first header block names its format (`ustar`, POSIX
/// or GNU) at offset 257.
pub fn is_tar(data: &[u8]) -> bool {
    data.get(257..262) == Some(&b"ustar"[..])
}

/// `go 1.22 trace\0\0\0` (16 bytes) opens every execution trace of Go 1.5+.
fn trace_version(data: &[u8]) -> Option<String> {
    let head = data.get(..16)?;
    let rest = head.strip_prefix(b"go 1.")?;
    let end = rest.iter().position(|&b| b == b' ')?;
    let minor = std::str::from_utf8(&rest[..end]).ok()?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest[end..]
        .starts_with(b" trace")
        .then(|| format!("1.{minor}"))
}

fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A cut in the middle of a multi-byte character at the window's end is fine.
        Err(e) => e.valid_up_to() + 4 >= head.len() || e.valid_up_to() > head.len() * 9 / 10,
    }
}

/// `N @ 0x.. 0x..` followed by its first frame, `#\t0x..\tF+0x..\tFILE:LINE`:
/// a record of a `debug=1` goroutine profile.
fn is_count_record(line: &[u8]) -> bool {
    let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
    let Ok(head) = std::str::from_utf8(&line[..end]) else {
        return false;
    };
    let Some(pcs) = anchor::count_record_head(head.trim_end_matches('\r')).map(|(_, pcs)| pcs)
    else {
        return false;
    };
    // Pasted records may indent their frames, turn tabs into spaces and
    // cut the pcs (`167 @ ...`, `#   main.f+0x1ac   main.go:429`, `1165 @
    // 0x438696 .....`); a page's Markdown drops the `#` it took for a
    // heading's (micro/go-grpc#23: `0x169320f\tgoogle.golang.org/...+0x10f`).
    let next = after_blanks(line.get(end + 1..).unwrap_or(&[]));
    let hash = next
        .strip_prefix(b"#")
        .or_else(|| next.strip_prefix(b"\\#"));
    match hash.map(after_blanks) {
        // A frame line without its pc column (weaviate/weaviate#12749
        // pasted `#\tpkg.F+0xd0  file.go:387`) still carries the offset.
        Some(f) => {
            let first_word = f.split(|b| matches!(b, b' ' | b'\t')).next().unwrap_or(&[]);
            f.starts_with(b"0x")
                || ((pcs.trim() == "..." || first_word.contains(&b'.'))
                    && memmem::find(first_word, b"+0x").is_some())
        }
        None => {
            let end = memchr::memchr(b'\n', next).unwrap_or(next.len());
            std::str::from_utf8(&next[..end]).is_ok_and(anchor::is_headless_record_frame)
        }
    }
}

/// What follows the spaces and tabs a line starts with.
fn after_blanks(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    &s[n..]
}

/// A panicparse bucket header over its first frame: a goroutine dump.
fn is_condensed_bucket(line: &[u8]) -> bool {
    let mut lines = line.splitn(3, |&b| b == b'\n');
    let (Some(head), Some(next)) = (lines.next(), lines.next()) else {
        return false;
    };
    match (std::str::from_utf8(head), std::str::from_utf8(next)) {
        (Ok(head), Ok(next)) => condensed::is_bucket(head.trim_end(), next.trim_end()),
        _ => false,
    }
}

/// Which runtime anchors start a line somewhere in the text.
#[derive(Default)]
struct Anchors {
    count_profile: bool,
    failure: bool,
    race: bool,
    quit: bool,
    /// Another signal's header came before any `SIGQUIT: quit`: a fatal
    /// signal, whose `GOTRACEBACK=crash` output goes on with the other
    /// threads' stacks, each under `SIGQUIT: quit`.
    fatal_signal_first: bool,
    signal_pc: bool,
    header: bool,
    /// `gc N @...` (gctrace) or `SCHED ...` (schedtrace) lines: a process's stderr.
    runtime_trace: bool,
}

/// One pass over the line starts (a goroutine dump has millions of lines,
/// so this beats one substring search per anchor); stops once a failure and
/// a goroutine header were both seen, since nothing later changes the kind.
fn scan_anchors(data: &[u8]) -> Anchors {
    let head = String::from_utf8_lossy(&data[..data.len().min(64 << 10)]);
    let form = prefix::LinePrefix::learn(&head);
    let mut a = Anchors::default();
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
    for at in starts {
        let mut line = &data[at..];
        if let Some(form) = &form {
            // Collector prefixes end before the runtime's text.
            let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
            if let Ok(l) = std::str::from_utf8(&line[..end]) {
                line = form.strip(l).as_bytes();
            }
        }
        // A markdown fence or quote marker glued to a line (```goroutine
        // profile: total 7, >panic: ...).
        let fenced = line.iter().take_while(|&&b| b == b'`' || b == b'>').count();
        if fenced > 0 && fenced <= 4 {
            line = &line[fenced..];
        }
        match line.first() {
            Some(b'p') => a.failure |= line.starts_with(b"panic: "),
            Some(b'0'..=b'9') if is_count_record(line) => {
                // A debug=1 goroutine profile pasted without its first line.
                a.count_profile = true;
                return a;
            }
            Some(b'0'..=b'9') => a.header |= is_condensed_bucket(line),
            Some(b'f') => {
                a.failure |=
                    line.starts_with(b"fatal error: ") || line.starts_with(b"fatal: morestack")
            }
            Some(b'[') => a.failure |= line.starts_with(b"[signal "),
            Some(b'u') => a.failure |= line.starts_with(b"unexpected fault address "),
            Some(b'r') => {
                a.failure |= line.starts_with(b"runtime: pointer ")
                    || line.starts_with(b"runtime: bad pointer in frame ")
                    || line.starts_with(b"runtime: goroutine stack exceeds ")
                    || line.starts_with(b"runtime: out of memory")
            }
            Some(b'W' | b'R' | b'A') => {
                // A report pasted without its `WARNING: DATA RACE` still
                // opens with an access line.
                a.race |= line.starts_with(b"WARNING: DATA RACE") || opens_race_access(line);
            }
            Some(b'S') => {
                let quit = line.starts_with(b"SIGQUIT: quit");
                if !quit && !a.quit && line.starts_with(b"SIG") {
                    let end = memchr::memchr(b'\n', line).unwrap_or(line.len()).min(128);
                    a.fatal_signal_first |= std::str::from_utf8(&line[..end])
                        .is_ok_and(|l| anchor::signal_header_start(l) == Some(0));
                }
                a.quit |= quit;
                a.runtime_trace |= line.starts_with(b"SCHED ");
            }
            Some(b'P') => {
                a.signal_pc |= line.starts_with(b"PC=0x");
                a.race |= opens_race_access(line);
            }
            Some(b'g') => {
                if line.starts_with(b"goroutine profile: total ")
                    || line.starts_with(b"goroutineleak profile: total ")
                {
                    a.count_profile = true;
                    return a;
                }
                a.header |= line.starts_with(b"goroutine ");
                a.runtime_trace |=
                    line.starts_with(b"gc ") && line.get(3).is_some_and(u8::is_ascii_digit);
            }
            _ => {}
        }
        if a.failure && a.header {
            break;
        }
    }
    a
}

/// Whether the line at the start of `rest` is a race report's access line.
fn opens_race_access(rest: &[u8]) -> bool {
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    // Access lines are short; a long line is not read as one.
    end <= 256
        && std::str::from_utf8(&rest[..end])
            .is_ok_and(|l| anchor::race_access_start(l.trim_end_matches('\r')) == Some(0))
}

fn sniff_text(data: &[u8]) -> Sniffed {
    // Text that went through a terminal or a colouring tool is judged
    // without its escape sequences (its first 64 KiB).
    let head = &data[..data.len().min(64 << 10)];
    if memchr::memchr(0x1b, head).is_some() {
        let plain = ansi::strip(&String::from_utf8_lossy(head)).into_owned();
        if !plain.contains('\x1b') {
            return sniff_text(plain.as_bytes());
        }
    }
    let trimmed = {
        let start = data
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(data.len());
        &data[start..]
    };
    if trimmed.starts_with(b"{")
        && memmem::find(&data[..data.len().min(4096)], b"\"godiag.bundle").is_some()
    {
        return Sniffed::of(InputKind::BundleManifest);
    }
    for legacy in [
        &b"heap profile: "[..],
        b"--- mutex:",
        b"--- contention:",
        b"threadcreate profile: total ",
    ] {
        if trimmed.starts_with(legacy) {
            return Sniffed::of(InputKind::PprofText);
        }
    }
    let a = scan_anchors(data);
    // `go build` output: `./x.go:8:2: internal compiler error: ...` (the
    // compiler's own goroutine stack may follow).
    let compiler = !a.failure && memmem::find(data, b"internal compiler error: ").is_some();
    let kind = if compiler {
        InputKind::CrashText
    } else if a.count_profile {
        InputKind::GoroutineCountDump
    } else if a.quit && !a.failure && !a.fatal_signal_first {
        InputKind::SigquitDump
    } else if a.failure || (a.signal_pc && (!a.quit || a.fatal_signal_first)) {
        InputKind::CrashText
    } else if a.race {
        InputKind::RaceReport
    } else if a.header {
        InputKind::GoroutineDump
    } else if a.runtime_trace {
        // stderr of a running program with GODEBUG=gctrace/schedtrace.
        InputKind::CrashText
    } else if let Some(kind) = anchors_inside_lines(data) {
        // Runtime text that does not start its lines: escaped inside JSON
        // log records, or after a prefix seen too rarely to learn.
        kind
    } else {
        return Sniffed {
            note: Some("text without Go runtime output".into()),
            ..Sniffed::of(InputKind::Unrecognized)
        };
    };
    Sniffed::of(kind)
}

/// The kind told by runtime anchors found anywhere in a line.
fn anchors_inside_lines(data: &[u8]) -> Option<InputKind> {
    let text = String::from_utf8_lossy(&data[..data.len().min(16 << 20)]);
    let mut header = false;
    // Frames without a header (an excerpt): a function line, then its file.
    let mut frames = false;
    let mut after_call = false;
    // `FILE:LINE (0xPC)` lines (a stack printed from `runtime.Caller`, as
    // recovery middleware such as gin's and macaron's do) and a line that
    // names a panic: a recovered panic's log.
    let mut caller_frames = 0;
    let mut panic_named = false;
    // Positions ending lines, one of them in the runtime's panic.go.
    let mut positions = 0;
    let mut through_panic = false;
    // Delve's goroutines and stacks (`goroutines -t`, `stack`).
    let mut after_delve_frame = false;
    for line in text.lines() {
        header |= delve::goroutine_line(line).is_some();
        frames |= after_delve_frame && delve::at_line(line).is_some();
        after_delve_frame = delve::frame_line(line).is_some();
        // How the process ended, when the runtime's report is missing: a
        // kill, Go's failure status, the `flag` package's usage error.
        let failed_end = match process_end::process_end(line, 0) {
            Some(process_end::ProcessEnd::Exit(n)) => n == 2,
            Some(_) => true,
            None => false,
        };
        if failed_end {
            return Some(InputKind::CrashText);
        }
        if let Some(p) = anchor::trailing_position(line) {
            positions += 1;
            through_panic |= anchor::is_panic_position(p);
        }
        if anchor::is_caller_frame(line) {
            caller_frames += 1;
            if caller_frames >= 2 && panic_named {
                return Some(InputKind::CrashText);
            }
        } else if !panic_named {
            // Without a copy of each line: this pass reads up to 16 MiB.
            panic_named = line
                .as_bytes()
                .windows(5)
                .any(|w| w.eq_ignore_ascii_case(b"panic"));
        }
        // Escaped text (`\n\t` inside a JSON string) holds many lines in one.
        for piece in line.split("\\n") {
            // What is left after a line's last escape (a `\t` and blanks,
            // the real line break after it) parts no frame from its file.
            if piece.trim_start_matches("\\t").trim().is_empty() {
                continue;
            }
            frames |= after_call && anchor::is_file_piece(piece);
            after_call = anchor::opens_frame(piece);
            // A panic a recovery handler or a debugger reported.
            if [
                "http: panic serving ",
                "Observed a panic",
                "runtime error: ",
                "Exception has occurred: panic",
            ]
            .iter()
            .any(|a| piece.contains(a))
            {
                return Some(InputKind::CrashText);
            }
            if let Some(a) = anchor::find(piece).filter(|a| a.strong) {
                let rest = &piece[a.at..];
                if rest.starts_with("panic: ")
                    || rest.starts_with("fatal error: ")
                    || rest.starts_with("[signal ")
                {
                    return Some(InputKind::CrashText);
                }
                // A race report or a `debug=1` profile, one line per log
                // record (docker's json-file: `{"log":"WARNING: DATA RACE\n"}`).
                if rest.starts_with("WARNING: DATA RACE") {
                    return Some(InputKind::RaceReport);
                }
                if rest.starts_with("goroutine profile: total ")
                    || rest.starts_with("goroutineleak profile: total ")
                {
                    return Some(InputKind::GoroutineCountDump);
                }
                header |= anchor::is_header(rest);
            }
        }
    }
    if header || frames {
        return Some(InputKind::GoroutineDump);
    }
    (positions >= 3 && through_panic).then_some(InputKind::CrashText)
}

/// A protobuf whose first fields are those of `perftools.profiles.Profile`:
/// field numbers 1–17 with the wire types the schema gives them.
fn looks_like_profile_proto(data: &[u8]) -> bool {
    let mut i = 0usize;
    let mut fields = 0;
    let mut saw_sample_type = false;
    while i < data.len() && fields < 16 {
        let Some((tag, n)) = varint(&data[i..]) else {
            return false;
        };
        i += n;
        let (field, wire) = (tag >> 3, tag & 7);
        let expected_wire = match field {
            // sample_type, sample, mapping, location, function, string_table, period_type, comment(packed or not)
            1..=6 | 11 => 2,
            // drop_frames, keep_frames, time_nanos, duration_nanos, period, default_sample_type
            7..=10 | 12 | 14 => 0,
            13 => wire,
            15..=17 => 2,
            _ => return false,
        };
        if wire != expected_wire {
            return false;
        }
        match wire {
            0 => {
                let Some((_, n)) = varint(&data[i..]) else {
                    return false;
                };
                i += n;
            }
            2 => {
                let Some((len, n)) = varint(&data[i..]) else {
                    return false;
                };
                i += n;
                let Some(end) = usize::try_from(len).ok().and_then(|l| i.checked_add(l)) else {
                    return false;
                };
                if end > data.len() {
                    // Cut short: judge by what was seen.
                    return fields >= 1 && saw_sample_type;
                }
                i = end;
            }
            _ => return false,
        }
        saw_sample_type |= field == 1;
        fields += 1;
    }
    fields >= 2 && saw_sample_type
}

fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn sniff_elf(data: &[u8]) -> Sniffed {
    let little = data.get(5) == Some(&1);
    let e_type = data.get(16..18).map(|b| {
        if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        }
    });
    match e_type {
        Some(4) => Sniffed::of(InputKind::ElfCore),
        Some(2 | 3) => {
            let go_version = go_buildinfo_version(data);
            Sniffed {
                note: go_version
                    .is_none()
                    .then(|| "an ELF executable without Go build information".to_string()),
                go_version,
                ..Sniffed::of(InputKind::ElfExecutable)
            }
        }
        _ => Sniffed {
            note: Some("an ELF file that is neither an executable nor a core".into()),
            ..Sniffed::of(InputKind::Unrecognized)
        },
    }
}

/// The Go version in the `.go.buildinfo` blob (Go 1.18+ layout: 16-byte
/// header whose flags byte has bit 1 set, then varint-prefixed strings).
pub fn go_buildinfo_version(data: &[u8]) -> Option<String> {
    let at = memmem::find(data, BUILDINFO_MAGIC)?;
    let blob = data.get(at..)?;
    let flags = *blob.get(15)?;
    if flags & 2 == 0 {
        return None;
    }
    let strings = blob.get(32..)?;
    let (len, n) = varint(strings)?;
    let len = usize::try_from(len).ok().filter(|&l| l <= 64)?;
    let v = std::str::from_utf8(strings.get(n..n + len)?).ok()?;
    Some(v.strip_prefix("go").unwrap_or(v).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_kinds() {
        let cases: &[(&[u8], InputKind)] = &[
            (
                b"panic: boom\n\ngoroutine 1 [running]:\n",
                InputKind::CrashText,
            ),
            (
                b"log line\nfatal error: all goroutines are asleep - deadlock!\n",
                InputKind::CrashText,
            ),
            (
                b"goroutine 1 [running]:\nmain.main()\n",
                InputKind::GoroutineDump,
            ),
            (
                b"goroutine profile: total 3\n2 @ 0x1 0x2\n",
                InputKind::GoroutineCountDump,
            ),
            (
                b"SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n",
                InputKind::SigquitDump,
            ),
            // A fatal signal under GOTRACEBACK=crash: the other threads'
            // stacks follow, each under `SIGQUIT: quit`.
            (
                b"SIGSEGV: segmentation violation\nPC=0x493b52 m=0 sigcode=1 addr=0x0\nsignal arrived during cgo execution\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x5676c0 [syscall]:\n\n-----\n\nSIGQUIT: quit\nPC=0x46f8c1 m=2 sigcode=18446744073709551610\n",
                InputKind::CrashText,
            ),
            (
                b"==================\nWARNING: DATA RACE\n",
                InputKind::RaceReport,
            ),
            (
                b"heap profile: 1: 2 [3: 4] @ heap/1048576\n",
                InputKind::PprofText,
            ),
            // panicparse's condensed buckets alone (etcd-io/etcd#4156).
            (
                b"1: semacquire [Created by backend.newBackend @ backend.go:91]\n    sync    mutex.go:82       (*Mutex).Lock(#1)\n",
                InputKind::GoroutineDump,
            ),
            // A recovery middleware's `runtime.Caller` stack under its panic
            // line (MottainaiCI/mottainai-server#83).
            (
                b"[Macaron] PANIC: assignment to entry in nil map\n/usr/lib/go/src/runtime/map_faststr.go:204 (0x4144ac)\n/luetbuild/go/src/github.com/MottainaiCI/mottainai-server/pkg/db/arangodb/arangodb.go:260 (0x1c6a8e4)\n",
                InputKind::CrashText,
            ),
            // docker's json-file: one record per line of a race report or
            // a `debug=1` profile.
            (
                b"{\"log\":\"WARNING: DATA RACE\\n\",\"stream\":\"stderr\"}\n{\"log\":\"Read at 0x00c000 by goroutine 7:\\n\",\"stream\":\"stderr\"}\n",
                InputKind::RaceReport,
            ),
            (
                b"{\"log\":\"goroutine profile: total 200\\n\",\"stream\":\"stderr\"}\n{\"log\":\"194 @ 0x46d78e 0x40c325\\n\",\"stream\":\"stderr\"}\n",
                InputKind::GoroutineCountDump,
            ),
            // Records whose `#` an editor escaped, alone: no prefix
            // (elastic/go-elasticsearch#274).
            (
                b"63695 @ 0x439390 0x44a450 0x469661\n\\#\t0x44a1b6\tsync.runtime_SemacquireMutex+0x46\t/go/src/runtime/sema.go:71\n\\#\t0xa9c02a\tmain.f+0xafa\t/app/f.go:234\n",
                InputKind::GoroutineCountDump,
            ),
            // A `debug=1` profile under a collector's prefix.
            (
                b"[pod/api/api] goroutine profile: total 200\n[pod/api/api] 194 @ 0x46d78e 0x40c325 0x474401\n[pod/api/api] #\t0x4d1454\tmain.handleRequest+0x34\t/app/main.go:15\n[pod/api/api] \n[pod/api/api] 4 @ 0x46d78e 0x40bed2 0x474401\n[pod/api/api] #\t0x4d1bf9\tmain.main+0x39\t/app/main.go:30\n",
                InputKind::GoroutineCountDump,
            ),
            (
                b"notes\n/src/a.go:1 (0x1)\n/src/b.go:2 (0x2)\n",
                InputKind::Unrecognized,
            ),
            (
                b"hello world\n",
                InputKind::Unrecognized,
            ),
            (
                b"",
                InputKind::Unrecognized,
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(sniff(text).kind, *kind, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn binary_kinds() {
        let t = sniff(b"go 1.23 trace\x00\x00\x00\x01\x02");
        assert_eq!(
            (t.kind, t.go_version_at_least.as_deref()),
            (InputKind::ExecutionTrace, Some("1.23"))
        );
        let mut core = vec![0u8; 64];
        core[..4].copy_from_slice(ELF_MAGIC);
        core[5] = 1;
        core[16] = 4;
        assert_eq!(sniff(&core).kind, InputKind::ElfCore);
        // sample_type {type: 1, unit: 2}, string_table "", "samples", "count"
        let proto = b"\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x07samples\x32\x05count";
        assert_eq!(sniff(proto).kind, InputKind::PprofProto);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, proto).unwrap();
        let s = sniff(&gz.finish().unwrap());
        assert_eq!((s.kind, s.gzipped), (InputKind::PprofProto, true));
        assert_eq!(sniff(b"\x1f\x8b\x08garbage").kind, InputKind::Unrecognized);
    }

    /// A tar archive (a packed bundle), gzipped or not, by the format name
    /// in its first header; a shorter or different header is not one.
    #[test]
    fn tar_archives() {
        let mut tar = vec![0u8; 1024];
        tar[..18].copy_from_slice(b"bundle/bundle.json");
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&tar).kind, InputKind::TarArchive);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let s = sniff(&gz.finish().unwrap());
        assert_eq!((s.kind, s.gzipped), (InputKind::TarArchive, true));
        assert_ne!(sniff(&tar[..260]).kind, InputKind::TarArchive);
        tar[257] = b'x';
        assert_ne!(sniff(&tar).kind, InputKind::TarArchive);
    }

    /// A `debug=1` record pasted without its profile's header, its frame
    /// lines without their pc column (weaviate/weaviate#12749), and
    /// godiag's own reports, which quote such text but are not evidence.
    #[test]
    fn records_without_pcs_and_own_reports() {
        let record = b"16 @ 0x48ee4e 0x41ba3c 0x41b637 0x2e20bb1 0xb2e753 0x496f21\n#\tgithub.com/weaviate/weaviate/adapters/handlers/grpc/v1/batch.(*StreamHandler).recv.func1+0xd0  adapters/handlers/grpc/v1/batch/stream.go:387\n";
        assert_eq!(sniff(record).kind, InputKind::GoroutineCountDump);
        // A comment line after a count is no frame.
        assert_ne!(
            sniff(b"16 @ 0x48ee4e\n# see above\n").kind,
            InputKind::GoroutineCountDump
        );
        for report in [
            &b"## godiag report\n\n### Root cause\n\ngoroutine 1 [running]:\n"[..],
            b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>godiag report</title>",
        ] {
            assert_eq!(sniff(report).kind, InputKind::Unrecognized);
        }
    }
}
