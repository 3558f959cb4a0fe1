//! What one line is, by its own grammar wherever it sits: a panic logged
//! by a program, a header in the middle of a line, a debugger's frame, a
//! frame and its position on one line, a call cut short, the race
//! detector's accesses, `debug=1` count records.

use std::borrow::Cow;

use godiag_model::{CountRecord, CountRecordFrame, RaceAccess};

use crate::lines::{function_line, looks_like_source, parse_dec, parse_hex, position, Position};
use godiag_sniff::anchor::is_symbol;

/// The value of a panic a recovery handler logged: `http: panic serving
/// ADDR: VALUE` (net/http), `Observed a panic: VALUE` (Kubernetes), and in
/// general the word `panic` followed closely by `: VALUE` (`panic caught:`,
/// `recovered from panic:`, gRPC and web middleware).
pub(crate) fn logged_panic(line: &str) -> Option<&str> {
    // A goroutine header later on the line (a message and its stack joined)
    // ends the value.
    let joined = header_inside(line);
    let line = match joined {
        Some(at) => line[..at].trim_end(),
        None => line,
    };
    if let Some(value) = panic_field(line) {
        return Some(value);
    }
    if let Some(at) = line.find("http: panic serving ") {
        let rest = &line[at + "http: panic serving ".len()..];
        let (_, value) = rest.split_once(": ")?;
        return Some(value.trim()).filter(|v| !v.is_empty());
    }
    // The runtime's message, its `panic: ` lost or behind a field name
    // (`err: runtime error: ...`, `panic "runtime error: ..."`); a failed
    // type assertion's says `interface conversion: ` without the prefix.
    if let Some(at) = line
        .find("runtime error: ")
        .or_else(|| line.find("interface conversion: "))
    {
        let value = line[at..].trim_end_matches(['"', '\'', ' ', ',']);
        // gocheck ends the value with where it was raised (`(PC=0x1392B31)`).
        let value = value
            .rsplit_once(" (PC=0x")
            .filter(|(_, pc)| {
                pc.strip_suffix(')')
                    .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            })
            .map_or(value, |(v, _)| v);
        return Some(without_unopened_paren(value));
    }
    let lower = line.to_ascii_lowercase();
    // The last mention (`panic.go:262: test panicked: VALUE`).
    let at = lower.rfind("panic")?;
    // A bracketed label, then the value, when the stack was joined to the
    // line: `[PANIC RECOVER] VALUE goroutine 7 [running]:`.
    let open = lower[..at].rfind('[');
    if joined.is_some() && open.is_some_and(|o| !lower[o..at].contains(']')) {
        if let Some(close) = lower[at..].find(']') {
            let value = line[at + close + 1..].trim_start_matches([':', ' ']).trim();
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    let colon = lower[at..].find(": ")?;
    // A colon inside a record's fields is a key's (zap's `Observed a panic
    // {"controller": ...`, its panic field cut off).
    if colon > 40 || lower[at..at + colon].contains(['{', '"', '=']) {
        return None;
    }
    let value = line[at + colon + 2..].trim();
    // gocheck's report names the test, its value comes on a later line
    // (`PANIC: pessimistic_test.go:657: testPessimisticSuite.TestX`).
    let names_a_test = value
        .split_once(": ")
        .is_some_and(|(place, _)| !place.contains(' ') && position(place).is_some());
    (!value.is_empty() && !names_a_test).then_some(value)
}

/// The message without a `)` that closes a parenthesis opened before it:
/// Kubernetes logs `Observed a panic: %#v (%v)`, the message in the `(%v)`.
fn without_unopened_paren(message: &str) -> &str {
    let depth = message.bytes().fold(0i32, |d, b| match b {
        b'(' => d + 1,
        b')' => d - 1,
        _ => d,
    });
    match message.strip_suffix(')') {
        Some(inner) if depth < 0 => inner,
        _ => message,
    }
}

/// A handler's line that announces a panic and ends there, its value on
/// the next line: gin's `[Recovery] 2024/12/11 - 07:44:08 panic recovered:`.
pub(crate) fn panic_value_follows(line: &str) -> bool {
    let lower = line.trim_end().to_ascii_lowercase();
    let Some(head) = lower.strip_suffix(':') else {
        return false;
    };
    head.rfind("panic").is_some_and(|at| {
        let words = &head[at + "panic".len()..];
        words.len() <= 20 && words.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ')
    })
}

/// A structured record's `panic` field (klog's `"Observed a panic"
/// panic="VALUE" panicGoValue=...`, logfmt, slog): the key whole
/// (`recover_panic=` is another key), a quoted value up to its closing
/// quote (escaped quotes inside it kept as written), else up to a blank.
fn panic_field(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find("panic=") {
        let at = from + i;
        from = at + "panic=".len();
        let whole = at == 0 || matches!(bytes[at - 1], b' ' | b'\t' | b'"' | b',' | b'{');
        if !whole {
            continue;
        }
        let v = &line[from..];
        let value = match v.strip_prefix('"') {
            Some(q) => {
                let b = q.as_bytes();
                let mut k = 0;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                &q[..k.min(q.len())]
            }
            None => v.split_whitespace().next().unwrap_or(""),
        };
        return (!value.is_empty()).then_some(value);
    }
    None
}

/// Where a goroutine header starts after other text on its line.
pub(crate) fn header_inside(line: &str) -> Option<usize> {
    // After a blank, or right after a `]` (`[signal ...]goroutine 1 [`).
    memchr::memmem::find_iter(line.as_bytes(), b"goroutine ")
        .filter(|&at| at > 0 && matches!(line.as_bytes()[at - 1], b' ' | b']'))
        .find(|&at| godiag_sniff::anchor::is_header(&line[at..]))
}

/// Where a `[signal ...]` line starts inside a message whose line end was
/// lost (`... nil pointer dereference[signal SIGSEGV: ...]`).
pub(crate) fn signal_inside(line: &str) -> Option<usize> {
    let at = line.find("[signal ").filter(|&at| at > 0)?;
    crate::lines::signal_line(&line[at..], 0).map(|_| at)
}

/// A frame as a debugger lists it: Delve's `3  0x0000000000c16509 in
/// pkg.F` (its file on the next line, after `at `) or gdb's `#3  0x.. in
/// pkg.F (args) at FILE:LINE`.
pub(crate) fn debugger_frame(line: &str) -> Option<(&str, Option<Position<'_>>)> {
    if let Some(frame) = called_at_frame(line) {
        return Some(frame);
    }
    let t = line.trim_start();
    let t = t.strip_prefix('#').unwrap_or(t);
    let (num, rest) = t.split_once(char::is_whitespace)?;
    parse_dec::<u32>(num)?;
    let (addr, rest) = rest.trim_start().split_once(" in ")?;
    if !addr.starts_with("0x") {
        return None;
    }
    let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    if !is_symbol(name) {
        return None;
    }
    let pos = tail
        .rfind("at ")
        .and_then(|i| position(tail[i + 3..].trim()));
    Some((name, pos))
}

/// `at pkg.F ( path/file.go:12 )`: a frame as Google Cloud Error Reporting
/// renders a Go stack (and viewers styled after Java's, without blanks).
fn called_at_frame(line: &str) -> Option<(&str, Option<Position<'_>>)> {
    let rest = line.trim().strip_prefix("at ")?;
    let (name, place) = rest.rsplit_once('(')?;
    let name = name.trim_end();
    let place = place.strip_suffix(')')?.trim();
    let pos = position(place).filter(|p| looks_like_source(p.file))?;
    is_symbol(name).then_some((name, Some(pos)))
}

/// A file line that lost its indentation (markdown pastes strip the tab).
pub(crate) fn bare_position(line: &str) -> Option<Position<'_>> {
    let pos = position(line.trim_start())?;
    looks_like_source(pos.file).then_some(pos)
}

/// A file line whose line end was lost before the next function line
/// (`/src/atc/exec/retry_step.go:47 +0x2agithub.com/x.F(...)`,
/// concourse/concourse#5077): its position, and where the call starts. The
/// offset's hex is read as far as it goes and the call must follow it.
pub(crate) fn position_glued_to_call(line: &str) -> Option<(Position<'_>, usize)> {
    let go = line.find(".go:")?;
    let digits = line[go + 4..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        return None;
    }
    let mut end = go + 4 + digits;
    if let Some(offset) = line[end..].strip_prefix(" +0x") {
        end += 4 + offset.bytes().take_while(u8::is_ascii_hexdigit).count();
    }
    let call = &line[end..];
    if !godiag_sniff::anchor::is_call(call) || call.starts_with(|c: char| !c.is_ascii_alphabetic())
    {
        return None;
    }
    let pos = bare_position(&line[..end])?;
    Some((pos, end))
}

/// A function name alone on its line, as `runtime.CallersFrames` users
/// print stacks (zap's `stacktrace`): `main.main` then its file line.
pub(crate) fn bare_symbol(line: &str) -> Option<(&str, &str)> {
    let balanced = line.matches('(').count() == line.matches(')').count();
    (balanced && is_symbol(line) && !line.ends_with(')') && ends_in_a_name(line))
        .then_some((line, ""))
}

/// A function's last element is an identifier, or a number only below a
/// closure's or an init's (`main.main.func1.1.2`, `main.init.0`,
/// `main.main-range1.2`). A version alone on a line ends in numbers below
/// any other word (`Ubuntu22.04`, `go1.21.5`).
fn ends_in_a_name(name: &str) -> bool {
    let is_number = |e: &str| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit());
    let mut elements = name.rsplit('.');
    if !elements.next().is_some_and(is_number) {
        return true;
    }
    let Some(above) = elements.find(|e| !is_number(e)) else {
        return false;
    };
    let word = above.trim_end_matches(|c: char| c.is_ascii_digit());
    word == "init"
        || (word.len() < above.len()
            && ["func", "gowrap", "-range"]
                .iter()
                .any(|closure| word.ends_with(closure)))
}

/// `pkg.(*T).f(0xc00012ea60?, 0xc0011`: a function line cut before its
/// closing parenthesis still names its function.
pub(crate) fn cut_call(line: &str) -> Option<(&str, &str)> {
    if line.ends_with(')') || line.len() > godiag_sniff::anchor::MAX_FRAME_LINE {
        return None;
    }
    let open = line
        .match_indices('(')
        .map(|(i, _)| i)
        .rfind(|&i| is_symbol(&line[..i]))?;
    Some((&line[..open], &line[open + 1..]))
}

/// `main.f(0x1) /a/main.go:12 +0x1d`: a frame and its file on one line.
pub(crate) fn frame_on_one_line(line: &str) -> Option<(&str, &str, Position<'_>)> {
    let split = line.find(") ").or_else(|| line.find(")\t"))?;
    let (call, rest) = line.split_at(split + 1);
    let (name, args) = function_line(call)?;
    if !is_symbol(name) {
        return None;
    }
    let pos = position(rest.trim())?;
    looks_like_source(pos.file).then_some((name, args, pos))
}

/// A frame laid out in columns, its name then its file with no arguments
/// between (`services.(*PIDManager).assignPIDLocked    pid_manager.go:449`),
/// as a race report retyped or reformatted by hand gives it
/// (ingo-eichhorst/Irrlicht#606); words after the file are a note.
pub(crate) fn frame_in_columns(line: &str) -> Option<(&str, Position<'_>)> {
    let (name, rest) = line.split_once([' ', '\t'])?;
    if !name.contains('.') || !is_symbol(name) {
        return None;
    }
    let pos = position(rest.split_whitespace().next()?)?;
    looks_like_source(pos.file).then_some((name, pos))
}

/// The runtime's first line in a paste whose selection began a character
/// or two late (`atal error: concurrent map read and map write`, nats-io/
/// nats-server#5525), its first words restored, at most `most_lost`
/// characters of them. Whether the line was a fatal error, and its message.
pub(crate) fn clipped_first_line(line: &str, most_lost: usize) -> Option<(bool, &str)> {
    [("fatal error: ", true), ("panic: ", false)]
        .into_iter()
        .find_map(|(words, fatal)| {
            (1..=most_lost).find_map(|lost| {
                let rest = line.strip_prefix(&words[lost..])?;
                (!rest.trim().is_empty()).then_some((fatal, rest))
            })
        })
}

/// `X [recovered]` / `X [recovered, repanicked]`.
pub(crate) fn split_recovered(v: Cow<'_, str>) -> (Cow<'_, str>, bool, bool) {
    for (suffix, repanicked) in [(" [recovered, repanicked]", true), (" [recovered]", false)] {
        if v.ends_with(suffix) {
            let keep = v.len() - suffix.len();
            let value = match v {
                Cow::Borrowed(s) => Cow::Borrowed(&s[..keep]),
                Cow::Owned(mut s) => {
                    s.truncate(keep);
                    Cow::Owned(s)
                }
            };
            return (value, true, repanicked);
        }
    }
    (v, false, false)
}

/// `Read at 0x.. by goroutine 8:` / `Previous write at 0x.. by main goroutine:`,
/// by the sniffer's grammar, at the start of the line.
pub(crate) fn race_access(line: &str) -> Option<RaceAccess<'_>> {
    let a = godiag_sniff::anchor::race_access_line(line).filter(|a| a.start == 0)?;
    Some(RaceAccess {
        op: if a.op.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(a.op.to_ascii_lowercase())
        } else {
            Cow::Borrowed(a.op)
        },
        previous: a.previous,
        addr: a.addr,
        goroutine: a.goroutine,
        frames: Vec::new(),
    })
}

/// `3 @ 0x43a2c5 0x44b8e5 0x4d2f33` (debug=1 record header).
pub(crate) fn count_record_header(line: &str, offset: u64) -> Option<CountRecord<'_>> {
    let (count, _) = godiag_sniff::anchor::count_record_head(line)?;
    Some(CountRecord {
        count,
        labels: Vec::new(),
        frames: Vec::new(),
        offset,
    })
}

/// A path without its Windows drive (`C:`).
fn without_drive(path: &str) -> &str {
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        &path[2..]
    } else {
        path
    }
}

/// `#\t0x4d2f32\tmain.f+0x32\t/path/main.go:12`; pasted, the tabs may be
/// spaces and the pc cut (`#  main.f+0x32  main.go:12`). A page's Markdown
/// takes a line's leading `#` for a heading's and drops it
/// (micro/go-grpc#23): a line of pc, `function+0xoff` and position is a
/// record's frame without it too. An editor's escaped `\#` is its `#`.
pub(crate) fn count_record_frame(t: &str) -> Option<CountRecordFrame<'_>> {
    let rest = match godiag_sniff::anchor::strip_record_hash(t) {
        Some(rest) => rest.trim_start_matches([' ', '\t']),
        None => Some(t).filter(|t| godiag_sniff::anchor::is_headless_record_frame(t))?,
    };
    let parts: Vec<&str> = if rest.contains('\t') {
        rest.split('\t')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        rest.split_whitespace().collect()
    };
    let (pc, func, pos) = match parts.as_slice() {
        [pc, func, pos, ..] if parse_hex(pc).is_some() => (parse_hex(pc)?, *func, *pos),
        [func, pos, ..] if func.contains("+0x") => (0, *func, *pos),
        _ => return None,
    };
    // A paste cut inside the file's column keeps the function
    // (`...MaxEvents+0x2a  github.com/mholt/caddy-ratelimit@v0.0.0-2024`,
    // mholt/caddy-ratelimit#36): its line is unknown (0).
    let (file, line) = match position(pos) {
        Some(pos) => (pos.file, pos.line),
        None if !without_drive(pos).contains(':') && func.contains("+0x") => (pos, 0),
        None => return None,
    };
    let function = match func.rfind("+0x") {
        Some(i) => &func[..i],
        None => func,
    };
    Some(CountRecordFrame {
        pc,
        function,
        file,
        line,
    })
}
