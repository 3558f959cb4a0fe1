//! Where the Go runtime's own text starts inside a line.
//!
//! Log collectors, chat pastes and quoting put something before the
//! runtime's lines; the runtime's grammar is recognised wherever it sits, so
//! whatever stands before it can be learned (`prefix`) or skipped.

/// The longest line read as a frame's function line: Go symbols and their
/// printed arguments stay far below it, and the searches for where a call
/// starts are quadratic in the line's length.
pub const MAX_FRAME_LINE: usize = 4096;

/// Texts that open a runtime line whatever else the line holds.
const STRONG: [&str; 10] = [
    "goroutine ",
    "panic: ",
    "fatal error: ",
    "created by ",
    "[signal ",
    "WARNING: DATA RACE",
    "SIGQUIT: quit",
    "goroutine profile: total ",
    "goroutineleak profile: total ",
    // A fatal signal's lines (`SIGABRT: abort`, `PC=0x.. m=4 sigcode=0`)
    // are followed by this one when the signal came in C code.
    "signal arrived during ",
];

/// An anchor found in a line: where it starts and whether it is one of the
/// unmistakable openers (a goroutine header, `panic:`, ...) or only a frame's
/// function line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub at: usize,
    pub strong: bool,
}

/// The leftmost runtime anchor in `line`, if any.
pub fn find(line: &str) -> Option<Anchor> {
    // Searchers are built once: building one costs more than a search.
    static FINDERS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        STRONG
            .iter()
            .map(|s| memchr::memmem::Finder::new(s.as_bytes()))
            .collect()
    });
    let strong = STRONG
        .iter()
        .zip(finders)
        .filter_map(|(s, f)| {
            f.find_iter(line.as_bytes())
                .find(|&at| strong_at(line, at, s))
        })
        .min();
    let strong = [
        race_access_start(line),
        signal_header_start(line),
        windows_exception_start(line),
    ]
    .into_iter()
    .flatten()
    .chain(strong)
    .min();
    if let Some(at) = strong {
        return Some(Anchor { at, strong: true });
    }
    call_start(line).map(|at| Anchor { at, strong: false })
}

/// Where Windows' fatal exception line starts.
pub fn windows_exception_start(line: &str) -> Option<usize> {
    windows_exception_line(line).map(|(at, _)| at)
}

/// Windows' fatal exception line wherever it starts: `Exception 0xc0000005
/// 0x1 0xc0001d0f30 0x7ffdc1bf672e`, the code, the access, the address and
/// the PC, to the end of the line. Where it starts and the four words: the
/// one grammar the sniffer anchors on and the reader reads fields with.
pub fn windows_exception_line(line: &str) -> Option<(usize, [u64; 4])> {
    let at = memchr::memmem::find(line.as_bytes(), b"Exception 0x")?;
    if at > 0 && line.as_bytes()[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    let hex = |w: &str| {
        let h = w.strip_prefix("0x")?;
        let digits = !h.is_empty() && h.len() <= 16 && h.bytes().all(|b| b.is_ascii_hexdigit());
        digits.then(|| u64::from_str_radix(h, 16).ok()).flatten()
    };
    // Four words and no fifth, looked at one by one: a hostile line of
    // millions of words is not collected.
    let mut words = line[at + "Exception ".len()..].split_whitespace();
    let mut next = || words.next().and_then(hex);
    let four = [next()?, next()?, next()?, next()?];
    words.next().is_none().then_some((at, four))
}

/// Where a fatal signal's header starts (`SIGABRT: abort`, `SIGBUS: bus
/// error`): the runtime prints the signal's name, a colon and its
/// description, in lower case, at the start of its line.
pub fn signal_header_start(line: &str) -> Option<usize> {
    let at = memchr::memmem::find(line.as_bytes(), b"SIG")?;
    let rest = &line[at + 3..];
    let name = rest.bytes().take_while(u8::is_ascii_uppercase).count();
    let described = rest[name..]
        .strip_prefix(": ")
        .and_then(|d| d.bytes().next())
        .is_some_and(|b| b.is_ascii_lowercase());
    let word_start = at == 0 || !line.as_bytes()[at - 1].is_ascii_alphanumeric();
    (name >= 2 && described && word_start).then_some(at)
}

/// A race report's access line as read: where it starts in the line and
/// its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaceAccessLine<'a> {
    pub start: usize,
    /// `read`, `write`, `atomic write`, ... as printed (capitals kept).
    pub op: &'a str,
    /// `Previous ...`: the earlier of the two accesses.
    pub previous: bool,
    /// 0 when not printed (releases before Go 1.6).
    pub addr: u64,
    /// `by main goroutine` is goroutine 1.
    pub goroutine: u64,
}

/// Where a race report's access line starts (`Write at 0x.. by goroutine
/// 7:`, `Previous atomic read at 0x.. by main goroutine:`, before Go 1.6
/// `Read by goroutine 5:`): the race detector prints it at the start of its
/// line, so it anchors a race report that lost its `WARNING: DATA RACE`.
pub fn race_access_start(line: &str) -> Option<usize> {
    race_access_line(line).map(|a| a.start)
}

/// The access line in `line`, wherever it starts: the one grammar the
/// sniffer anchors on and the reader reads fields with.
pub fn race_access_line(line: &str) -> Option<RaceAccessLine<'_>> {
    let body = line.trim_end().strip_suffix(':')?;
    let (head, by) = body.rsplit_once(" by ")?;
    // An abridged report puts placeholders for the numbers (`Write at
    // 0x... by goroutine G1:`, coredns/coredns#8252): read as unknown (0).
    let goroutine = if by == "main goroutine" {
        1
    } else {
        match goroutine_id(by.strip_prefix("goroutine ")?)? {
            GoroutineId::Known(id) => id,
            GoroutineId::Hidden => 0,
        }
    };
    let (head, addr) = match head.rsplit_once(" at 0x") {
        Some((op, addr)) if !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (op, u64::from_str_radix(addr, 16).ok()?)
        }
        Some((op, addr)) if is_placeholder(addr) || addr == "…" => (op, 0),
        Some(_) => return None,
        // An address taken out leaves its space (`Write  by goroutine 582:`,
        // ingo-eichhorst/Irrlicht#606).
        None => (head.trim_end(), 0),
    };
    let op_len = ["read", "write"]
        .iter()
        .find(|op| {
            head.len() >= op.len()
                && head.as_bytes()[head.len() - op.len()..].eq_ignore_ascii_case(op.as_bytes())
        })?
        .len();
    let mut start = head.len() - op_len;
    let mut previous = false;
    for qualifier in ["atomic ", "Atomic ", "Previous "] {
        if head[..start].ends_with(qualifier) {
            start -= qualifier.len();
            previous |= qualifier == "Previous ";
        }
    }
    let opener = head.as_bytes()[start];
    let word_start = start == 0 || !head.as_bytes()[start - 1].is_ascii_alphanumeric();
    if !(word_start && opener.is_ascii_uppercase()) {
        return None;
    }
    let op = &head[start..];
    Some(RaceAccessLine {
        start,
        op: op.strip_prefix("Previous ").unwrap_or(op),
        previous,
        addr,
        goroutine,
    })
}

/// A word an abridged paste puts for a number: a run of `N`, `X` or `#`
/// (`NNNNN`, `XXX`), dots (`...`, `…`), or a capital and digits (`G1`).
/// Not a word (`A`, `OK`): prose and log lines name goroutines so.
pub fn is_placeholder(w: &str) -> bool {
    let b = w.as_bytes();
    let masked = (2..=12).contains(&b.len()) && b.iter().all(|c| matches!(c, b'N' | b'X' | b'#'));
    let dots = w == "…" || (b.len() >= 2 && b.iter().all(|&c| c == b'.'));
    let numbered = (2..=6).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(u8::is_ascii_digit);
    masked || dots || numbered
}

/// Whether `token` is a source position, `file.go:LINE`.
pub fn is_position(token: &str) -> bool {
    file_and_line(token, &[".go", ".s"]).is_some()
}

/// The anchor must start a word, or follow a line number or a timestamp
/// glued on from the line's start (`299WARNING: DATA RACE`, a CI log's
/// copy, open-telemetry/opentelemetry-collector#41;
/// `2024.08.01T02:57:12.796panic: ...`, pinpoint-apm/pinpoint-c-agent#658),
/// and a goroutine header must go on as one.
fn strong_at(line: &str, at: usize, what: &str) -> bool {
    // Line numbers and timestamps are short: bounding them keeps a hostile
    // line of digits and anchors linear.
    let glued = || {
        let before = &line.as_bytes()[..at];
        at <= 32
            && before.last().is_some_and(u8::is_ascii_digit)
            && before
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b':' | b'-' | b'/' | b'T'))
    };
    if at > 0 && line.as_bytes()[at - 1].is_ascii_alphanumeric() && !glued() {
        return false;
    }
    if what == "goroutine " {
        return is_header(&line[at..]);
    }
    true
}

/// `goroutine ID [` / `goroutine ID gp=`; ID may be replaced by a
/// placeholder (`NNNN`, `XXX`) in abridged pastes.
pub fn is_header(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("goroutine ") else {
        return false;
    };
    let (id, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    (is_goroutine_id(id)) && (rest.starts_with('[') || rest.starts_with("gp="))
}

/// A goroutine id, or a placeholder that stands for one.
pub fn is_goroutine_id(id: &str) -> bool {
    goroutine_id(id).is_some()
}

/// What a goroutine header or a race report's line says of a goroutine's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoroutineId {
    Known(u64),
    /// An abridged paste put a placeholder for it (`NNNN`, `G1`).
    Hidden,
}

/// The one reading of a goroutine id for headers, race access lines and
/// race `Goroutine N (...) created at:` lines. Digits beyond 64 bits are no
/// id: the runtime's are `uint64`.
pub fn goroutine_id(id: &str) -> Option<GoroutineId> {
    if is_placeholder(id) {
        return Some(GoroutineId::Hidden);
    }
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok().map(GoroutineId::Known)
}

/// Where a frame's function line (`pkg.F(args)`) starts: after the
/// beginning of the line or a blank, the rest of the line being a Go symbol
/// and its parenthesised arguments.
pub fn call_start(line: &str) -> Option<usize> {
    let t = line.trim_end();
    // Each blank is a possible start: bound the work on a hostile line.
    if !t.ends_with(')') || t.len() > MAX_FRAME_LINE {
        return None;
    }
    let b = t.as_bytes();
    let mut start = 0;
    loop {
        if is_call(&t[start..]) {
            return Some(start);
        }
        let next = b[start..].iter().position(|c| *c == b' ' || *c == b'\t')?;
        start += next + 1;
    }
}

/// A piece of text that can open a frame: a function line, or a function
/// name alone (as `runtime.CallersFrames` users print stacks). With
/// [`is_file_piece`] on the next piece, the two are a frame.
pub fn opens_frame(piece: &str) -> bool {
    call_start(piece).is_some() || is_symbol(piece.trim())
}

/// A frame's file line (`/path/file.go:12 +0x1d`), loosely: it names a Go file.
pub fn is_file_piece(piece: &str) -> bool {
    piece.contains(".go:")
}

/// `pkg.F(args)` / `panic(...)`: the name before the last `(` is a Go symbol.
pub fn is_call(s: &str) -> bool {
    let Some(body) = s.strip_suffix(')') else {
        return false;
    };
    let Some(open) = body.rfind('(') else {
        return false;
    };
    is_symbol(&body[..open])
}

/// A Go function name as tracebacks print it: `main.main`,
/// `github.com/x/y.(*T).M.func1`, `pkg.F[...]`, `panic`.
pub fn is_symbol(name: &str) -> bool {
    if name == "panic" {
        return true;
    }
    // A path the reporter cut to `...` (`.../vendor/google.golang.org/grpc.f`,
    // `...audio.TestX` of awslabs/ferret-scan#402).
    let name = name
        .strip_prefix(".../")
        .or_else(|| name.strip_prefix("..."))
        .unwrap_or(name);
    let Some(first) = name.bytes().next() else {
        return false;
    };
    // Go before 1.5 wrote `·` in closures' and (before Go 1) methods'
    // names (`main.func·001`, `client.*Conn·Raw`, fluffle/goirc#6); other
    // non-ASCII text is prose far more often than a name.
    (first.is_ascii_alphabetic() || first == b'_')
        && name.contains('.')
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '\u{b7}'
                || matches!(
                    c,
                    '.' | '/' | '_' | '-' | '(' | ')' | '*' | '[' | ']' | '%' | '~' | '{' | '}' | ','
                )
        })
        // A symbol has no `..` run of its own except in `[...]`.
        && !name.ends_with('.')
}

/// The source position that ends a line, behind any log prefix
/// (`2016/03/05 [C] /go/src/app/default.go:15`): a stack a logger printed
/// one `runtime.Caller` position per line.
pub fn trailing_position(line: &str) -> Option<&str> {
    let token = line.split_whitespace().last()?;
    let (file, _) = file_and_line(token, &[".go", ".s"])?;
    file.contains('/').then_some(token)
}

/// `FILE:LINE` split, when LINE is a number and FILE ends in one of `exts`.
fn file_and_line<'s>(place: &'s str, exts: &[&str]) -> Option<(&'s str, &'s str)> {
    let (file, line) = place.rsplit_once(':')?;
    let ok = !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && exts.iter().any(|ext| file.ends_with(ext));
    ok.then_some((file, line))
}

/// Such a position in the runtime's `panic.go`: the stack was taken while
/// a panic unwound through it (a recovery handler's log).
pub fn is_panic_position(position: &str) -> bool {
    position.contains("/runtime/panic.go:")
}

/// The head of a `debug=1` goroutine profile's record, `N @ 0x.. 0x..`:
/// its count and its pcs. A reporter may cut the pcs to `...`, or end
/// them with a run of dots (`1165 @ 0x438696 .....`).
pub fn count_record_head(line: &str) -> Option<(u64, &str)> {
    let (count, pcs) = line.split_once(" @ ")?;
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let dots = |w: &str| w.len() >= 3 && w.bytes().all(|b| b == b'.');
    let mut words = pcs.split(' ').filter(|w| !w.is_empty()).peekable();
    let mut any = false;
    while let Some(w) = words.next() {
        let last = words.peek().is_none();
        if !(is_hex_word(w) || (last && dots(w))) {
            return None;
        }
        any = true;
    }
    Some((count.parse().ok()?, pcs)).filter(|_| any)
}

/// What follows a `debug=1` record frame line's `#`, also when an editor
/// escaped it as Markdown (`\#`, elastic/go-elasticsearch#274).
pub fn strip_record_hash(line: &str) -> Option<&str> {
    line.strip_prefix('#').or_else(|| line.strip_prefix("\\#"))
}

/// A `debug=1` record's frame line that lost its `#` (a page's Markdown
/// took it for a heading's, micro/go-grpc#23): it opens with the pc, and
/// the function after it carries its offset (`0x169320f\tpkg.F+0x10f\tFILE`).
pub fn is_headless_record_frame(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let (Some(pc), Some(func), Some(_)) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    is_hex_word(pc) && func.contains("+0x")
}

/// `0x` and one to sixteen hex digits: a pc or an address as the runtime
/// prints one.
fn is_hex_word(w: &str) -> bool {
    w.strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.len() <= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `/src/app/handler.go:42 (0x4a1b2c)`: a frame as `runtime.Caller`
/// gives it, printed by a recovery middleware.
pub fn is_caller_frame(line: &str) -> bool {
    let Some((place, pc)) = line.trim().rsplit_once(" (0x") else {
        return false;
    };
    let Some(pc) = pc.strip_suffix(')') else {
        return false;
    };
    !pc.is_empty()
        && pc.bytes().all(|b| b.is_ascii_hexdigit())
        && file_and_line(place, &[".go", ".s", ".c"]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_with_an_elided_path() {
        assert!(is_symbol(
            ".../vendor/google.golang.org/grpc.newClientStream.func4"
        ));
        assert!(is_symbol("...audio.TestMP4DeepNestingTerminates"));
        assert!(!is_symbol(".../"));
        assert!(!is_symbol("..."));
        assert!(!is_symbol("...."));
        assert!(!is_symbol("...and"));
    }

    #[test]
    fn race_access_fields() {
        let a = race_access_line("Previous atomic write at 0x1 by main goroutine:").unwrap();
        assert_eq!(
            (a.start, a.op, a.previous, a.addr, a.goroutine),
            (0, "atomic write", true, 1, 1)
        );
        let a = race_access_line("  Read by goroutine 56:").unwrap();
        assert_eq!(
            (a.start, a.op, a.previous, a.addr, a.goroutine),
            (2, "Read", false, 0, 56)
        );
        // Numbers past 64 bits are no access line.
        assert!(race_access_line("Write at 0x12345678901234567 by goroutine 1:").is_none());
        assert!(race_access_line("Write at 0x1 by goroutine 123456789012345678901:").is_none());
        // Placeholders of an abridged report, and an address taken out.
        let a = race_access_line("Write at 0x... by goroutine G1:").unwrap();
        assert_eq!((a.op, a.addr, a.goroutine), ("Write", 0, 0));
        let a = race_access_line("Previous read at 0x... by goroutine 1417:").unwrap();
        assert_eq!((a.op, a.previous, a.goroutine), ("read", true, 1417));
        let a = race_access_line("Write  by goroutine 582:").unwrap();
        assert_eq!((a.op, a.goroutine), ("Write", 582));
        // Words are not placeholders.
        assert!(race_access_line("Write at 0xzz by goroutine 1:").is_none());
        assert!(race_access_line("Read by goroutine unknown:").is_none());
        assert!(race_access_line("Read by goroutine A:").is_none());
        for w in ["NNNN", "XXX", "###", "...", "…", "G1", "G12"] {
            assert!(is_placeholder(w), "{w}");
        }
        for w in ["A", "OK", "ID", "W", "main.run", "v1.2", "N", "Gx", "g1"] {
            assert!(!is_placeholder(w), "{w}");
        }
    }

    /// One reading of a goroutine id for headers and race lines: digits
    /// past 64 bits are no id anywhere (the runtime's are `uint64`).
    #[test]
    fn goroutine_ids_read_one_way() {
        assert_eq!(
            goroutine_id("48441409129"),
            Some(GoroutineId::Known(48441409129))
        );
        assert_eq!(goroutine_id("NNNN"), Some(GoroutineId::Hidden));
        assert_eq!(goroutine_id("G1"), Some(GoroutineId::Hidden));
        let too_long = "184467440737095516160";
        assert_eq!(goroutine_id(too_long), None);
        assert!(!is_header(&format!("goroutine {too_long} [running]:")));
        assert!(race_access_line(&format!("Read at 0x1 by goroutine {too_long}:")).is_none());
        for w in ["", "+1", "1a", "A"] {
            assert_eq!(goroutine_id(w), None, "{w}");
        }
    }

    /// Windows' exception line wherever it sits (lxn/walk#483 pasted every
    /// line after a tab, this one after a tab and a blank); prose that
    /// mentions an exception is none.
    #[test]
    fn windows_exception_lines() {
        for (line, at) in [
            (
                "\t Exception 0xc0000005 0x1 0xc0001d0f30 0x7ffdc1bf672e",
                Some(2),
            ),
            ("Exception 0xc0000005 0x8 0x0 0x0", Some(0)),
            ("Exception 0xc0000005 0x0", None),
            ("Exception has occurred: panic", None),
            ("NoException 0xc0000005 0x8 0x0 0x0", None),
        ] {
            assert_eq!(windows_exception_start(line), at, "{line}");
        }
        assert_eq!(
            find("\t Exception 0xc0000005 0x1 0xc0001d0f30 0x7ffdc1bf672e"),
            Some(Anchor {
                at: 2,
                strong: true
            })
        );
    }

    #[test]
    fn signal_headers() {
        for (line, at) in [
            ("SIGABRT: abort", Some(0)),
            ("      SIGBUS: bus error", Some(6)),
            ("SIGQUIT: quit", Some(0)),
            ("SIGTERM: Shutting down", None),
            ("MYSIGABRT: abort", None),
            ("SIG: x", None),
        ] {
            assert_eq!(signal_header_start(line), at, "{line}");
        }
    }

    #[test]
    fn race_accesses() {
        for (line, at) in [
            ("Write at 0x00c0002e31b0 by goroutine 129:", Some(0)),
            (
                "web-1  | Previous read at 0x00c0002e31b0 by goroutine 165:",
                Some(9),
            ),
            ("Previous atomic write at 0x1 by main goroutine:", Some(0)),
            ("Atomic read at 0x1 by goroutine 3:", Some(0)),
            ("Write by goroutine 56:", Some(0)),
            ("please read at 0x1 by goroutine 3:", None),
            ("Reread at 0x1 by goroutine 3:", None),
            ("Read at 0xzz by goroutine 3:", None),
            ("Read at 0x1 by goroutine three:", None),
            ("Read at 0x1 by goroutine 3", None),
        ] {
            assert_eq!(race_access_start(line), at, "{line}");
        }
        assert_eq!(
            find("web-1  | Write at 0x1 by goroutine 7:"),
            Some(Anchor {
                at: 9,
                strong: true
            })
        );
    }

    #[test]
    fn anchors() {
        assert_eq!(
            find("2024-01-02T03:04:05Z goroutine 1 [running]:"),
            Some(Anchor {
                at: 21,
                strong: true
            })
        );
        assert_eq!(
            find("E1203 01:59:21.920515 1 x.go:78] main.main()"),
            Some(Anchor {
                at: 33,
                strong: false
            })
        );
        assert_eq!(find("> panic: boom").map(|a| a.at), Some(2));
        assert_eq!(find("the goroutine count"), None);
        assert_eq!(find("log (with parens)"), None);
        assert!(is_header("goroutine NNNNN [chan receive]:"));
        assert!(!is_header("goroutine leaks are bad [x]"));
    }
}
