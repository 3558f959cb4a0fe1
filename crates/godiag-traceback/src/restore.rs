//! Restores runtime text that reached the reader damaged in ways slicing
//! cannot undo, before it is parsed:
//!
//! - **escaped**: the whole trace inside one string of a JSON log record
//!   (zap, logrus, slog, docker's json-file `{"log":"...\n"}`), with `\n`
//!   and `\t` escapes; every string that holds escaped lines is decoded, and
//!   a string escaped twice is decoded twice;
//! - **coloured**: terminal escape sequences (`grep --color`, a coloured
//!   logger, a raw CI log) around or inside runtime words are removed;
//! - **re-wrapped**: a frame's function line, file line or a goroutine header
//!   broken at a terminal's or a chat's width; two (or three) neighbouring
//!   lines are joined when neither reads as runtime text alone and the join
//!   does.
//!
//! - **condensed**: panicparse's bucketed output (`condensed.rs`);
//! - **caller frames**: a recovery handler's `runtime.Caller` stack
//!   (`caller.rs`);
//! - **staircase**: a raw-mode terminal's copy, every line starting where
//!   the one above ended (`staircase.rs`);
//! - **padded rows**: a terminal's copy of screen rows padded to its width,
//!   their breaks lost (`padded.rs`);
//! - **joined records**: syslog records run together, each cut at a
//!   viewer's width (`joined_records.rs`);
//! - **escaped ends**: lines still ending with the `\n` escape that stood
//!   for their break (`escaped_ends.rs`);
//! - **Lambda frames**: aws-lambda-go's JSON stack of a handler's panic
//!   (`lambda_frames.rs`);
//! - **Markdown**: receivers whose `*` a page's renderer took for emphasis,
//!   bold markers in a message (`markdown.rs`);
//! - **reversed**: a log viewer's export listing lines newest first
//!   (`reversed.rs`);
//! - **Delve's grammar**: `goroutines -t` and `stack` output of the
//!   debugger (`delve.rs`).
//!
//! A per-line prefix is learned and removed in the same pass (when the text
//! is rewritten anyway). Text that needs none of this is left as it is: the
//! parser slices prefixes off by itself, without a copy.

use godiag_sniff::prefix::LinePrefix;
use godiag_sniff::{anchor, ansi};

use crate::caller;
use crate::condensed;
use crate::delve;
use crate::escaped_ends;
use crate::escapes::unescape;
use crate::joined_records;
use crate::lambda_frames;
use crate::line_records;
use crate::lines::position;
use crate::markdown;
use crate::padded;
use crate::record_fields::{closing_quote, fields};
use crate::reversed;
use crate::staircase;

/// How much of the input is looked at to decide whether it needs restoring.
const PROBE: usize = 256 << 10;

/// The most text rewritten: restoring copies, so a larger input is
/// restored up to here and flagged cut (escaped or wrapped logs that
/// large are rare; a dump that large needs no restoring).
const MAX_RESTORE: usize = 256 << 20;

/// Text rewritten for the reader, with what was done to it.
#[derive(Debug)]
pub struct Restored {
    pub text: Vec<u8>,
    /// What was restored, for the input's warnings.
    pub notes: Vec<String>,
    /// Only the first `MAX_RESTORE` bytes were restored and are read.
    pub cut: bool,
}

/// The restored text, or `None` when the input reads as it is.
pub fn restore(input: &[u8]) -> Option<Restored> {
    let probe = String::from_utf8_lossy(&input[..input.len().min(PROBE)]);
    let damage = Damage::seen(&probe);
    if !damage.any() {
        return None;
    }
    let cut = input.len() > MAX_RESTORE;
    let whole = String::from_utf8_lossy(&input[..input.len().min(MAX_RESTORE)]);
    let mut notes = Vec::new();
    if cut {
        notes.push(format!(
            "only the first {MAX_RESTORE} bytes of {} were restored and read",
            input.len()
        ));
    }
    let mut text = whole.into_owned();
    // Before decoding, so escaped lines are found; after, for escapes a
    // JSON record held as `\u001b`.
    let mut coloured_lines = strip_colours(&mut text);
    for _ in 0..2 {
        // The field of line-per-record JSON is found once, for the test
        // and the decoding both.
        let line_key = line_record_key(&text);
        if line_key.is_none() && !text.lines().any(escaped_line) {
            break;
        }
        let (decoded, n) = unescape_lines(&text, line_key);
        notes.push(format!(
            "{n} lines held escaped runtime text (a JSON or quoted log record); it was decoded"
        ));
        text = decoded;
    }
    coloured_lines += strip_colours(&mut text);
    if coloured_lines > 0 {
        notes.push(format!(
            "{coloured_lines} lines held terminal escape sequences (colours); they were removed"
        ));
    }
    if damage.linked {
        let (unlinked, n) = collapse_all_autolinks(&text);
        if n > 0 {
            notes.push(format!(
                "{n} lines held links a page's renderer made of words that look like domains (`[T](http://T)`); they were undone"
            ));
            text = unlinked;
        }
    }
    if damage.marked || damage.escaped {
        let (unmarked, receivers, bold) = markdown::restore_all(&text);
        if receivers > 0 {
            notes.push(format!(
                "{} missing the `*` a page's Markdown took for emphasis (`pkg.(T).M`, `pkg.(_T).M`); it was put back",
                were(receivers, "pointer receiver")
            ));
        }
        if bold > 0 {
            notes.push(format!(
                "{bold} Markdown bold markers (`**`) around words were removed"
            ));
        }
        text = unmarked;
    }
    if (damage.lambda || damage.escaped) && lambda_frames::has_frames(&text) {
        let (framed, n) = lambda_frames::rewrite(&text);
        notes.push(format!(
            "{} in aws-lambda-go's JSON stack (`path`, `line`, `label`); read in the runtime's grammar",
            were(n, "frame")
        ));
        text = framed;
    }
    if damage.joined {
        let lines: Vec<&str> = text.lines().collect();
        let (records, n) = joined_records::split(&lines);
        if n > 0 {
            notes.push(format!(
                "{n} syslog records had lost their line breaks (a journal copied as one line); they were cut apart"
            ));
            text = records.join("\n");
        }
    }
    let prefix = LinePrefix::learn(&text);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .map(|l| prefix.as_ref().map_or(l, |p| p.strip(l)))
        .collect();
    let lines = match spaced_by(&lines) {
        Some(1) => {
            notes.push(
                "a blank line followed every line (a double-spaced copy); they were removed".into(),
            );
            single_spaced(&lines, 1)
        }
        Some(run) => {
            notes.push(format!(
                "{run} blank lines followed every line (a copy that multiplied the line breaks); they were removed"
            ));
            single_spaced(&lines, run)
        }
        None => lines,
    };
    let lines = if reversed::is_reversed(&lines) {
        notes.push(
            "the lines came newest first (a log viewer's export); they were put back in the order they were printed".into(),
        );
        reversed::upright(&lines)
    } else {
        lines
    };
    let lines = if staircase::is_staircase(&lines) {
        notes.push(
            "every line started where the one above ended (a copy from a terminal left in raw mode); the leading blanks were removed".into(),
        );
        staircase::flatten(&lines)
    } else {
        lines
    };
    let rows = padded::row_width(&lines).map(|width| {
        notes.push(format!(
            "lines held screen rows padded to {width} columns, their breaks lost (a terminal's copy); the rows were cut apart"
        ));
        padded::split_rows(&lines, width)
    });
    let lines: Vec<&str> = match &rows {
        Some(rows) => rows.iter().map(String::as_str).collect(),
        None => lines,
    };
    let unended = if escaped_ends::has_escaped_ends(&lines) {
        let (unended, n) = escaped_ends::rewrite(&lines);
        notes.push(format!(
            "{n} lines still ended with the `\\n` escape of their line break (text escaped, then broken again); the escapes were dropped"
        ));
        Some(unended)
    } else {
        None
    };
    let lines: Vec<&str> = match &unended {
        Some(unended) => unended.iter().map(String::as_str).collect(),
        None => lines,
    };
    let (buckets, n) = condensed::rewrite(&lines);
    if n > 0 {
        notes.push(format!(
            "{} in panicparse's condensed form (functions named by their package's last element); read in the runtime's",
            were(n, "stack")
        ));
    }
    let lines: Vec<&str> = buckets.iter().map(String::as_str).collect();
    let (named, n) = caller::rewrite(&lines);
    if n > 0 {
        notes.push(format!(
            "{} printed from runtime.Caller with the function's short name under each `FILE:LINE` (a recovery handler's stack, a gocheck report); read as frames",
            were(n, "frame")
        ));
    }
    let lines: Vec<&str> = named.iter().map(String::as_str).collect();
    let (debugged, n) = delve::rewrite(&lines);
    if n > 0 {
        notes.push(format!(
            "{n} goroutines and frames were in Delve's grammar (`goroutines -t`, `stack`); read in the runtime's"
        ));
    }
    let lines: Vec<&str> = debugged.iter().map(String::as_str).collect();
    let (joined, n) = join_wrapped(&lines);
    if n > 0 {
        notes.push(format!(
            "{n} lines broken at a terminal's width were joined again"
        ));
    }
    let mut out = joined.join("\n");
    out.push('\n');
    Some(Restored {
        text: out.into_bytes(),
        notes,
        cut,
    })
}

/// The kinds of damage the probe (the input's head) shows. It only
/// decides whether the text is copied and rewritten at all: each pass looks
/// again at the whole text.
#[derive(Default)]
struct Damage {
    escaped: bool,
    coloured: bool,
    wrapped: bool,
    condensed: bool,
    spaced: bool,
    callers: bool,
    stepped: bool,
    padded: bool,
    joined: bool,
    ends: bool,
    lambda: bool,
    linked: bool,
    marked: bool,
    reversed: bool,
    delve: bool,
}

impl Damage {
    fn seen(probe: &str) -> Damage {
        let coloured = ansi::has_escapes(probe);
        let probe = ansi::strip(probe);
        let lambda = lambda_frames::has_frames(&probe);
        let linked = probe.lines().any(has_autolinks);
        let probe_lines: Vec<&str> = probe.lines().collect();
        let marked = probe_lines
            .iter()
            .enumerate()
            .any(|(i, l)| markdown::is_marked(l, probe_lines.get(i + 1).copied().unwrap_or("")));
        // Escaped text is decoded before anything else can be seen in it.
        if has_escaped_lines(&probe) {
            return Damage {
                escaped: true,
                coloured,
                lambda,
                linked,
                marked,
                ..Damage::default()
            };
        }
        let prefix = LinePrefix::learn(&probe);
        let raw: Vec<&str> = probe.lines().collect();
        let joined = joined_records::has_joined_records(&raw);
        let lines: Vec<&str> = raw
            .iter()
            .map(|l| prefix.as_ref().map_or(*l, |p| p.strip(l)))
            .collect();
        Damage {
            joined,
            escaped: false,
            coloured,
            wrapped: count_joins(&lines) > 0,
            condensed: condensed::count_buckets(&lines) > 0,
            spaced: spaced_by(&lines).is_some(),
            callers: caller::count_named(&lines) >= 2,
            stepped: staircase::is_staircase(&lines),
            padded: padded::row_width(&lines).is_some(),
            ends: escaped_ends::has_escaped_ends(&lines),
            reversed: reversed::is_reversed(&lines),
            delve: delve::count(&lines) > 0,
            lambda,
            linked,
            marked,
        }
    }

    fn any(&self) -> bool {
        let Damage {
            escaped,
            coloured,
            wrapped,
            condensed,
            spaced,
            callers,
            stepped,
            padded,
            joined,
            ends,
            lambda,
            linked,
            marked,
            reversed,
            delve,
        } = *self;
        escaped
            || coloured
            || wrapped
            || condensed
            || spaced
            || callers
            || stepped
            || padded
            || joined
            || ends
            || lambda
            || linked
            || marked
            || reversed
            || delve
    }
}

/// `1 stack was`, `3 stacks were`.
fn were(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun} was")
    } else {
        format!("{n} {noun}s were")
    }
}

/// The run of blank lines that follows (nearly) every line, when there is
/// one: a copy from a page or a tool that doubled (or tripled, blevesearch/
/// bleve#197) the line breaks, which cuts every stack into one-line pieces.
fn spaced_by(lines: &[&str]) -> Option<usize> {
    let blank = |l: &&str| l.trim().is_empty();
    // The blanks after each line with text, up to the next one.
    let mut runs = Vec::new();
    let mut run: Option<usize> = None;
    for line in lines {
        if blank(line) {
            run = run.map(|r| r + 1);
        } else {
            runs.extend(run);
            run = Some(0);
        }
    }
    if runs.len() < 8 {
        return None;
    }
    // The run nine lines in ten have at least.
    runs.sort_unstable();
    let least = runs[runs.len() / 10];
    if least == 0 || least > 4 {
        return None;
    }
    // The symptom itself: a frame's function line, the run, its file line
    // (prose in one-line paragraphs over a short trace has no such cut).
    let cut_frame = lines.windows(least + 2).any(|w| {
        anchor::opens_frame(w[0].trim())
            && w[1..=least].iter().all(blank)
            && is_file_line(w[least + 1].trim())
    });
    cut_frame.then_some(least)
}

/// Undoes the multiplying: each line break became `run + 1`, so a run of
/// `r` blank lines stood for `(r - run) / (run + 1)`.
fn single_spaced<'a>(lines: &[&'a str], run: usize) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(lines.len() / (run + 1) + 1);
    let mut blanks: usize = 0;
    for &line in lines {
        if line.trim().is_empty() {
            blanks += 1;
            continue;
        }
        out.extend(std::iter::repeat_n(
            "",
            blanks.saturating_sub(run) / (run + 1),
        ));
        blanks = 0;
        out.push(line);
    }
    out
}

/// Removes terminal escape sequences; how many lines held any.
fn strip_colours(text: &mut String) -> usize {
    if !ansi::has_escapes(text) {
        return 0;
    }
    let n = text.lines().filter(|l| ansi::has_escapes(l)).count();
    *text = ansi::strip(text).into_owned();
    n
}

/// A line holds escaped runtime text (`\n` escapes next to a runtime
/// anchor), or JSON records hold its lines one by one.
fn has_escaped_lines(text: &str) -> bool {
    text.lines().any(escaped_line) || line_record_key(text).is_some()
}

/// Most lines are JSON records (docker's json-file, a logger's output).
fn mostly_json_records(text: &str) -> bool {
    text.lines().filter(|l| l.starts_with("{\"")).count() * 2
        > text.lines().filter(|l| !l.is_empty()).count()
}

/// The field of JSON records that holds the runtime's text one line per
/// record, if they do.
fn line_record_key(text: &str) -> Option<&str> {
    if !mostly_json_records(text) {
        return None;
    }
    line_records::line_key(text.lines().filter(|l| l.starts_with("{\"")).map(fields))
}

fn escaped_line(line: &str) -> bool {
    if !line.contains("\\n") {
        return false;
    }
    // An anchor, or a frame as `runtime.CallersFrames` users print it (a
    // bare function name, then its file on the next escaped line).
    let mut after_symbol = false;
    line.split("\\n").any(|piece| {
        let piece = piece.trim_start_matches("\\t");
        let frame = after_symbol && anchor::is_file_piece(piece);
        after_symbol = anchor::opens_frame(piece);
        frame || anchor::find(piece).is_some()
    })
}

/// Decodes every escaped line; the others are kept. Records that each hold
/// one line of the runtime's text in the field `line_key` give that field
/// alone. Returns the text and how many lines were decoded.
fn unescape_lines<'t>(text: &'t str, line_key: Option<&'t str>) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    // docker's json-file holds one line per record, each escaped: a record
    // is decoded when it is JSON with escapes, even without an anchor.
    let json_records = mostly_json_records(text);
    // The runtime's own traceback outside the records says how a logger's
    // panic ended (recovered or not): a panic-level record is then only
    // its stack.
    let traceback = text
        .lines()
        .any(|l| anchor::is_header(l.trim_start_matches([' ', '\t'])));
    for line in text.lines() {
        let decode = escaped_line(line) || (json_records && line.starts_with("{\""));
        let line_value = line_key
            .filter(|_| line.starts_with("{\""))
            .and_then(|key| fields(line).into_iter().find(|(k, _)| *k == key));
        if let Some((_, value)) = line_value {
            n += 1;
            out.push_str(unescape(value).trim_end_matches('\n'));
            out.push('\n');
            continue;
        }
        if !decode {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        n += 1;
        let line = collapse_autolinks(line);
        if !decode_record(&line, !traceback, &mut out) {
            // Escapes outside a closed string (a record cut short, logfmt):
            // decode from the first anchor on, or from the quote that opens
            // a value starting with a frame (`stacktrace="util.F()\n\t...`,
            // superseriousbusiness/gotosocial#2807).
            let first = line.split("\\n").next().unwrap_or("");
            let quoted = || {
                let quote = first.rfind('"')? + 1;
                anchor::opens_frame(&first[quote..]).then_some(quote)
            };
            match anchor::find(first).map(|a| a.at) {
                Some(from) => {
                    out.push_str(&unescape(&line[from..]));
                    out.push('\n');
                }
                None => match quoted() {
                    // The value to its closing quote; the fields after it
                    // (`msg="recovered panic: ..."`) on a line of their own.
                    Some(from) => {
                        let end = closing_quote(&line[from..]).map_or(line.len(), |e| from + e);
                        out.push_str(unescape(&line[from..end]).trim_end());
                        out.push('\n');
                        let rest = line.get(end + 1..).unwrap_or("").trim();
                        if !rest.is_empty() {
                            out.push_str(rest);
                            out.push('\n');
                        }
                    }
                    None => {
                        out.push_str(&unescape(&line));
                        out.push('\n');
                    }
                },
            }
        }
    }
    (out, n)
}

/// The string value of `key` among a JSON record's top-level keys (still
/// escaped): nested objects and arrays are stepped over.
fn top_level_string<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let b = line.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // The string starting at `i` (a `"`): its body's bounds.
    let string = |i: usize| -> Option<(usize, usize)> {
        let end = closing_quote(&line[i + 1..])? + i + 1;
        Some((i + 1, end))
    };
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let (start, end) = string(i)?;
                i = end;
                if depth != 1 || &line[start..end] != key {
                    i += 1;
                    continue;
                }
                let rest = line[end + 1..].trim_start();
                let Some(value) = rest.strip_prefix(':').map(str::trim_start) else {
                    i += 1;
                    continue;
                };
                if !value.starts_with('"') {
                    return None;
                }
                let at = line.len() - value.len();
                let (vs, ve) = string(at)?;
                return Some(&line[vs..ve]);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Writes what a log record holds: a docker json-file record's `log` as
/// it is; otherwise each escaped string decoded, and each other field as
/// `key: value` (so `"panic":"runtime error: ..."` reads as the panic it
/// reports), and a panic-level record with its stack as the logger's
/// `panic:` when `logger_panic` (no traceback of the runtime's follows).
/// Returns whether anything was written.
fn decode_record(line: &str, logger_panic: bool, out: &mut String) -> bool {
    let fields = fields(line);
    let docker =
        fields.iter().any(|(k, _)| *k == "log") && fields.iter().any(|(k, _)| *k == "stream");
    let mut wrote = false;
    // A record at the `panic` level (zap, logrus, zerolog) that carries its
    // own stack: the logger panicked with its message after writing it,
    // which the runtime's `panic: ` line would have said (etcd-io/etcd
    // #14110: the record and zap's stack were pasted, the runtime's own
    // lines were not). Its own level and message are its top-level keys,
    // not a nested setting's (`"fields":{"level":"panic"}`, logrus sorts
    // its keys).
    let own = |key: &str| top_level_string(line, key);
    let logger_panicked = logger_panic
        && !docker
        && fields.iter().any(|(_, v)| v.contains("\\n"))
        && own("level").is_some_and(|v| v.eq_ignore_ascii_case("panic"));
    if let Some(message) = logger_panicked
        .then(|| own("msg").or_else(|| own("message")))
        .flatten()
        .map(unescape)
    {
        out.push_str("panic: ");
        out.push_str(message.lines().next().unwrap_or(""));
        // The blank line the runtime prints after it ends the value.
        out.push_str("\n\n");
        wrote = true;
    }
    for (key, value) in &fields {
        let decoded = unescape(value);
        let escaped = value.contains("\\n") || value.contains("\\t");
        if docker {
            if *key != "log" {
                continue;
            }
            out.push_str(&decoded);
        } else if escaped {
            out.push_str(&decoded);
        } else {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(&decoded);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        wrote = true;
    }
    wrote
}

/// GitHub turns words that look like domains into links, and a copy of
/// the rendered page keeps them as `[T](http://T)`; the link is undone.
fn collapse_autolinks(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("](http") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(mid) = rest.find("](http") {
        let Some(open) = rest[..mid].rfind('[') else {
            out.push_str(&rest[..mid + 2]);
            rest = &rest[mid + 2..];
            continue;
        };
        let text = &rest[open + 1..mid];
        let url = &rest[mid + 2..];
        let target = ["http://", "https://"].iter().find_map(|scheme| {
            let u = url.strip_prefix(scheme)?.strip_prefix(text)?;
            u.strip_prefix(')').or_else(|| u.strip_prefix("/)"))
        });
        match target {
            Some(after) => {
                out.push_str(&rest[..open]);
                out.push_str(text);
                rest = after;
            }
            None => {
                out.push_str(&rest[..mid + 2]);
                rest = &rest[mid + 2..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Whether `line` holds a link [`collapse_autolinks`] undoes.
fn has_autolinks(line: &str) -> bool {
    line.contains("](http") && collapse_autolinks(line) != line
}

/// Every line's autolinks undone, and how many lines had them.
fn collapse_all_autolinks(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    for line in text.split_inclusive('\n') {
        let collapsed = collapse_autolinks(line);
        n += usize::from(collapsed != line);
        out.push_str(&collapsed);
    }
    (out, n)
}

/// Whether a line reads as runtime text by itself: a goroutine header, a
/// frame's function line, a file line, or a line that starts with an anchor.
fn complete(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.is_empty()
        || anchor::find(t).is_some_and(|a| a.at == 0 && (!a.strong || !t.starts_with("goroutine ")))
        || anchor::is_header(t) && t.ends_with("]:")
        || is_file_line(t)
}

/// `/path/file.go:12 +0x1d` (the file line of a frame).
fn is_file_line(t: &str) -> bool {
    position(t).is_some_and(|p| crate::lines::looks_like_source(p.file))
}

/// Whether the line starts something a join could complete: a function
/// line whose parentheses are still open, a goroutine header without its
/// `]:`, a file path without its `:LINE`.
fn opens(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    if t.len() > anchor::MAX_FRAME_LINE {
        return false;
    }
    if anchor::is_header(t) {
        return !t.ends_with("]:");
    }
    let call = t
        .match_indices('(')
        .any(|(open, _)| anchor::is_symbol(&t[..open]));
    if call {
        return t.matches('(').count() > t.matches(')').count();
    }
    // A call whose name the reporter cut to start at a slash
    // (`/vendor/vitess.io/vitess/go/sqltypes.F(0x..)`, vitessio/vitess#4436)
    // is a frame's function line, not a path broken before its `:LINE`.
    let cut_name_call = t.strip_prefix('/').is_some_and(anchor::is_call);
    (t.starts_with('/') || t.get(1..3) == Some(":/") || t.get(1..3) == Some(":\\"))
        && !is_file_line(t)
        && !cut_name_call
}

fn count_joins(lines: &[&str]) -> usize {
    join_wrapped(lines).1
}

/// Joins a line broken in two or three; returns the lines and the joins made.
fn join_wrapped(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len());
    let mut joins = 0;
    let mut i = 0;
    while i < lines.len() {
        let a = lines[i];
        // A name broken after a dot or a slash (`github.` then
        // `com/x/y.F(args)`, xitongsys/parquet-go#593): the next line
        // goes on with it.
        // Joined only once the cheap tests pass: this runs on every line.
        let head = a.trim_start_matches([' ', '\t']);
        // An elision (`...`, OT-CONTAINER-KIT/redis-operator#1776) is no name.
        let broken_name = head.ends_with(['.', '/'])
            && !head.contains([' ', '\t', '('])
            && !head.starts_with("..");
        if let Some(next) = lines.get(i + 1).filter(|_| broken_name) {
            let piece = next.trim_start_matches([' ', '\t']);
            if anchor::is_call(piece) && anchor::is_call(&format!("{head}{piece}")) {
                out.push(format!("{a}{piece}"));
                joins += 1;
                i += 2;
                continue;
            }
        }
        // `pkg.F` then `(args)` on the next line.
        if let Some(next) = lines.get(i + 1) {
            let args = next.trim_start_matches([' ', '\t']);
            if anchor::is_symbol(a)
                && args.starts_with('(')
                && anchor::is_call(&format!("{a}{args}"))
            {
                out.push(format!("{a}{args}"));
                joins += 1;
                i += 2;
                continue;
            }
        }
        if opens(a) && !complete(a) {
            let mut best = None;
            let mut acc = a.to_string();
            for k in 1..=2 {
                let Some(next) = lines.get(i + k) else { break };
                // A line complete by itself ends the search, except right
                // after the break: the tail of a path reads as a file line.
                if k > 1 && complete(next) && !opens(next) {
                    break;
                }
                let piece = next.trim_start_matches([' ', '\t']);
                // Broken at a blank, or in the middle of a word.
                let spaced = format!("{acc} {piece}");
                let tight = format!("{acc}{piece}");
                // After a comma the break was at a blank.
                let order = if acc.ends_with(',') {
                    [spaced.clone(), tight.clone()]
                } else {
                    [tight.clone(), spaced.clone()]
                };
                if let Some(j) = order.into_iter().find(|j| complete(j) && !opens(j)) {
                    best = Some((j, k));
                    break;
                }
                acc = if acc.ends_with(',') { spaced } else { tight };
            }
            if let Some((j, k)) = best {
                out.push(j);
                joins += k;
                i += k + 1;
                continue;
            }
        }
        out.push(a.to_string());
        i += 1;
    }
    (out, joins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restored(s: &str) -> String {
        String::from_utf8(restore(s.as_bytes()).expect("restored").text).unwrap()
    }

    #[test]
    fn clean_text_is_left_alone() {
        assert!(
            restore(b"panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/m.go:5 +0x1d\n")
                .is_none()
        );
    }

    #[test]
    fn json_records() {
        let zap = r#"{"level":"error","msg":"panic","stacktrace":"goroutine 1 [running]:\nmain.main()\n\t/a/m.go:5 +0x1d\n"}"#;
        // The record's other fields are kept as `key: value` lines.
        assert_eq!(
            restored(zap),
            "level: error\nmsg: panic\ngoroutine 1 [running]:\nmain.main()\n\t/a/m.go:5 +0x1d\n"
        );
        let linked = "{\"stacktrace\":\"goroutine 1 [running]:\\[nk8s.io/x.F(](http://nk8s.io/x.F(){0x1})\\n\\t/a/x.go:5 +0x1d\\n\"}";
        assert_eq!(
            restored(linked),
            "goroutine 1 [running]:\nk8s.io/x.F({0x1})\n\t/a/x.go:5 +0x1d\n"
        );
        let docker = "{\"log\":\"panic: boom\\n\",\"stream\":\"stderr\"}\n{\"log\":\"\\n\",\"stream\":\"stderr\"}\n{\"log\":\"goroutine 1 [running]:\\n\",\"stream\":\"stderr\"}\n{\"log\":\"main.main()\\n\",\"stream\":\"stderr\"}\n{\"log\":\"\\t/a/m.go:5 +0x1d\\n\",\"stream\":\"stderr\"}\n";
        assert_eq!(
            restored(docker),
            "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/m.go:5 +0x1d\n"
        );
    }

    /// A copy of a rendered page where the frames' package paths became
    /// links (`[T](http://T)`), outside any JSON record.
    /// From https://github.com/PaloAltoNetworks/pan-os-codegen/issues/288.
    #[test]
    fn autolinked_frames() {
        let text = "goroutine 39 [running]:\n[github.com/PaloAltoNetworks/terraform-provider-panos/internal/provider.(*AddressesResourceAddressesObject).CopyFromPango(0x140003c4540](http://github.com/PaloAltoNetworks/terraform-provider-panos/internal/provider.(*AddressesResourceAddressesObject).CopyFromPango(0x140003c4540), {0x1020d68e8, 0x140001b2000}, 0x0, 0x14000119660?)\n        /Users/praunou/vscode/pso-cac-abnamro/terraform/terraform-provider-panos/internal/provider/addresses.go:604 +0x44\n";
        assert_eq!(
            restored(text),
            "goroutine 39 [running]:\ngithub.com/PaloAltoNetworks/terraform-provider-panos/internal/provider.(*AddressesResourceAddressesObject).CopyFromPango(0x140003c4540, {0x1020d68e8, 0x140001b2000}, 0x0, 0x14000119660?)\n        /Users/praunou/vscode/pso-cac-abnamro/terraform/terraform-provider-panos/internal/provider/addresses.go:604 +0x44\n"
        );
        // A link to somewhere else is the author's, and kept.
        assert!(restore(b"see [the docs](https://go.dev/doc)\n").is_none());
    }

    #[test]
    fn an_elision_line_is_not_a_broken_name() {
        // OT-CONTAINER-KIT/redis-operator#1776: frames cut with `...`.
        let text =
            "panic: boom\n\ngoroutine 1 [running]:\nmain.a()\n...\nmain.b(...)\n\t/x/b.go:5 +0x2\n";
        assert!(restore(text.as_bytes()).is_none());
    }

    #[test]
    fn wrapped_lines() {
        let text = "goroutine 7 [chan receive,\n12 minutes]:\ngithub.com/acme/service/internal/pkg.(*Worker).run(0xc000123456,\n0xc000654321)\n\t/home/build/src/github.com/acme/service/internal/pkg/wor\nker.go:42 +0x1d\n";
        assert_eq!(
            restored(text),
            "goroutine 7 [chan receive, 12 minutes]:\ngithub.com/acme/service/internal/pkg.(*Worker).run(0xc000123456, 0xc000654321)\n\t/home/build/src/github.com/acme/service/internal/pkg/worker.go:42 +0x1d\n"
        );
    }
}
