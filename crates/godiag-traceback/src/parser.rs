//! The line-driven reader. See the crate documentation for its principles.

use std::borrow::Cow;

use godiag_model::{
    Ancestor, EndLine, FatalSignal, Goroutine, PanicEntry, RaceGoroutine, RaceReport, TextArtifact,
    Warning,
};

use crate::fold::{ParseLimits, StackFolder};
use crate::header::{parse_aggregated_header, parse_header, parse_labels, LabelForm};
use crate::last_line::LastLine;
use crate::lines::{
    fatal_signal_line, frame, function_line, gc_trace, is_sched_detail, looks_like_source,
    parse_dec, parse_hex, position, register_line, sched_trace, signal_line, windows_exception,
    Position,
};
use crate::shapes::{
    bare_position, bare_symbol, clipped_first_line, count_record_frame, count_record_header,
    cut_call, debugger_frame, frame_in_columns, frame_on_one_line, header_inside, logged_panic,
    panic_value_follows, position_glued_to_call, race_access, signal_inside, split_recovered,
};
use crate::version::{infer_version, SyntaxSeen};
use godiag_sniff::anchor::{is_symbol, GoroutineId};
use godiag_sniff::prefix::LinePrefix;
use godiag_sniff::process_end::{process_end, ProcessEnd};

/// `runtime.Stack(buf, true)` silently stops at 64 MiB (Go 1.21–1.27).
const DEBUG2_CAP: usize = 64 << 20;
/// How much of the input a line prefix is learned from.
const PREFIX_SAMPLE: usize = 256 << 10;

/// Where frames currently go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    None,
    Goroutine,
    Ancestor,
    RuntimeStack,
    RaceAccess,
    RaceGoroutine,
    CountRecord,
}

/// What the last `panic:` / `fatal error:` line may still be continued by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Message {
    None,
    Panic,
    Fatal,
}

struct Reader<'a> {
    out: TextArtifact<'a>,
    target: Target,
    /// A `FUNC(ARGS)` line waiting for its position line: (name, args, offset).
    pending: Option<(&'a str, &'a str, u64)>,
    /// The pending function is a `created by` line: (name, parent).
    pending_created: Option<(&'a str, Option<u64>, u64)>,
    message: Message,
    race: Option<RaceReport<'a>>,
    in_race_header: bool,
    skipped_invalid_utf8: u64,
    seen: SyntaxSeen,
    /// The fatal error line carried its prefix twice (interleaved output).
    interleaved_fatal: bool,
    /// The first panic a recovery handler logged, kept until the end: it is
    /// the failure only when the runtime printed none.
    logged_panic: Option<PanicEntry<'a>>,
    /// The logged panic's value ended its line on `:` (`http: panic serving
    /// ADDR: runtime error:`), or is the runtime's message: the paste may
    /// have wrapped it, the next line go on.
    logged_value_cut: bool,
    /// A line with text in it was read: the next is no longer the first.
    past_first_line: bool,
    /// Where a goroutine's stack starts inside a panic value (`debug.Stack()`
    /// re-panicked, its lines indented as the value's).
    value_stack_at: Option<u64>,
    /// The pending frame is a bare name outside any stack, kept only if its
    /// file line follows.
    pending_bare: bool,
    /// A blank line came right after a frame of a stack that had not ended:
    /// a frame on the next line goes on with it.
    resumable_after_blank: bool,
    /// The line before spoke of a leak and announced what follows: a stack
    /// on this line is the one the checker found.
    leak_heading: bool,
    /// A blank line came after a function line still waiting for its file.
    blank_after_pending: bool,
    /// A line of another writer was skipped after a function line.
    foreign_after_pending: bool,
    /// A leak checker (goleak, leaktest) introduced the next goroutine.
    leak_reported: bool,
    /// etcd's checker gave the next stack's number of goroutines.
    leak_instances: Option<u64>,
    /// The fatal error came from a `throw: ` line (Go 1.0's form), which a
    /// later `fatal error:` replaces.
    fatal_from_throw: bool,
    /// The pending call line was joined to a message (`... leaked: F(..)`):
    /// whether that message spoke of a leak, and whether the call's
    /// arguments are the words a traceback prints (`0xc000242a50, ...`).
    /// Such a call opens a stack when its file line follows, or without
    /// one when its arguments are printed words (a file line under a log
    /// prefix the reader did not learn); otherwise it is a log line's words.
    joined_call: Option<(bool, bool)>,
    /// `FILE:LINE (0xPC)` lines: a stack a recovery middleware printed
    /// from `runtime.Caller`, without goroutine or function names.
    caller_frames: usize,
    /// A handler's log line ended with `panic recovered:`: its value is
    /// the last line before the stack (gin prints the request between
    /// them in debug mode).
    panic_value_window: Option<ValueWindow<'a>>,
    /// Lines ending in a source position, and whether one is in the
    /// runtime's panic.go: a recovered panic's stack, printed position by
    /// position behind a logger's prefix (beego).
    trailing_positions: usize,
    through_panic: bool,
    /// A debugger's frame waits for its `at FILE:LINE` line.
    debugger_pending: bool,
    /// Folds goroutines past the limit into identical earlier ones.
    folder: StackFolder,
    /// Where the last line outside the runtime's output was (a log line,
    /// an exit status): between two reports, it parts two runs.
    last_foreign_at: Option<u64>,
    /// The earlier runs' failure lines, when the text holds several.
    earlier_runs: Vec<(String, u64)>,
    /// Where the run being read starts (its failure line).
    run_started_at: u64,
    /// Where the exit status after the run's whole report was.
    run_exited_at: Option<u64>,
    /// The run before the one being read.
    previous_run: Option<PreviousRun<'a>>,
}

/// A run let go for a later one, kept in case the later is the same
/// failure printed again and cut (its first line and start are the last of
/// `earlier_runs`).
struct PreviousRun<'a> {
    crash: godiag_model::Crash<'a>,
    goroutines: Vec<Goroutine<'a>>,
}

/// A report's first failure line as the runtime printed it.
fn first_failure_line(c: &godiag_model::Crash<'_>) -> Option<String> {
    c.panics
        .first()
        .map(|p| format!("panic: {}", p.value))
        .or_else(|| c.fatal_error.as_ref().map(|f| format!("fatal error: {f}")))
}

/// A report read whole (see `Reader::whole_report`).
struct WholeReport {
    /// Its first failure line, and where it starts.
    first_line: String,
    first_at: u64,
    /// Where the first stack under its failure lines starts.
    stack_at: u64,
}

/// Lines after a `panic recovered:` announcement, up to the stack.
struct ValueWindow<'a> {
    lines_left: u8,
    last: Option<(&'a str, u64)>,
}

/// Reads a text artifact. Never fails: what cannot be read is skipped and
/// counted, a cut at the end is flagged `partial` with a warning.
pub fn parse(input: &[u8]) -> TextArtifact<'_> {
    parse_with(input, ParseLimits::default())
}

/// [`parse`] with limits other than the defaults.
pub fn parse_with(input: &[u8], limits: ParseLimits) -> TextArtifact<'_> {
    let (mut out, value_stack_at) = read(input, limits);
    // A paste cut before the failing goroutine's own stack, whose panic
    // value holds one (`debug.Stack()` re-panicked by errgroup,
    // gohugoio/hugo#13853): the value's stack is the goroutine's. Read once,
    // not again inside it.
    if let Some(at) = value_stack_at.filter(|_| out.goroutines.is_empty()) {
        let from = usize::try_from(at).unwrap_or(input.len()).min(input.len());
        let (inner, _) = read(&input[from..], limits);
        out.goroutines = inner.goroutines;
        for g in &mut out.goroutines {
            g.offset += at;
        }
    }
    out
}

/// One reading of `input`, line by line, and where a stack inside a panic
/// value starts.
fn read(input: &[u8], limits: ParseLimits) -> (TextArtifact<'_>, Option<u64>) {
    let mut r = Reader {
        out: TextArtifact::default(),
        target: Target::None,
        pending: None,
        pending_created: None,
        message: Message::None,
        race: None,
        in_race_header: false,
        skipped_invalid_utf8: 0,
        seen: SyntaxSeen::default(),
        interleaved_fatal: false,
        logged_panic: None,
        logged_value_cut: false,
        past_first_line: false,
        value_stack_at: None,
        pending_bare: false,
        resumable_after_blank: false,
        leak_heading: false,
        blank_after_pending: false,
        foreign_after_pending: false,
        leak_reported: false,
        leak_instances: None,
        fatal_from_throw: false,
        joined_call: None,
        caller_frames: 0,
        panic_value_window: None,
        trailing_positions: 0,
        through_panic: false,
        debugger_pending: false,
        folder: StackFolder::new(limits),
        last_foreign_at: None,
        earlier_runs: Vec::new(),
        run_started_at: 0,
        run_exited_at: None,
        previous_run: None,
    };
    // Most inputs are valid UTF-8 throughout: validate once (fast, vectorised)
    // and slice lines from the `str`; otherwise validate line by line.
    let whole = std::str::from_utf8(input).ok();
    // A prefix on every line (a log collector's, a quote) is learned from
    // the first lines and sliced off each line.
    let head = &input[..input.len().min(PREFIX_SAMPLE)];
    let prefix = LinePrefix::learn(&String::from_utf8_lossy(head));
    // One goroutine per header: size the list once instead of growing it.
    r.out.goroutines.reserve(
        memchr::memmem::find_iter(input, b"\ngoroutine ")
            .count()
            .min(input.len() / 32)
            // Past the limit, most goroutines fold into earlier ones.
            .min(limits.full_goroutines.saturating_add(1)),
    );
    let mut pos = 0usize;
    while pos < input.len() {
        let (end, next, complete) = match memchr::memchr(b'\n', &input[pos..]) {
            Some(i) => (pos + i, pos + i + 1, true),
            None => (input.len(), input.len(), false),
        };
        if !complete {
            let text = String::from_utf8_lossy(&input[pos..]);
            let text = prefix.as_ref().map_or(&*text, |p| p.strip(&text));
            match crate::last_line::last_line(text, r.awaiting_file_line()) {
                LastLine::Whole => {}
                LastLine::NumberMayBeCut => {
                    r.out.partial = true;
                    r.warn(
                        pos as u64,
                        format!(
                            "input ends without a newline at byte {}: its last line was read as it stands, but the number it ends with may be cut",
                            input.len()
                        ),
                    );
                }
                LastLine::Cut => {
                    // A header, a call or a path not closed: not trusted.
                    r.out.partial = true;
                    r.out.warnings.push(Warning {
                        offset: pos as u64,
                        message: format!(
                            "input ends inside a line at byte {}; the last {} bytes were not read",
                            input.len(),
                            input.len() - pos
                        ),
                    });
                    r.mark_cut();
                    break;
                }
            }
        }
        let cr = usize::from(end > pos && input[end - 1] == b'\r');
        let line = match whole {
            Some(text) => text.get(pos..end - cr),
            None => std::str::from_utf8(&input[pos..end - cr]).ok(),
        };
        // The runtime ends no line with blanks: trailing ones are a
        // terminal's padding (a copy of a full-width screen).
        let line = line.map(|l| {
            prefix
                .as_ref()
                .map_or(l, |p| p.strip(l))
                .trim_end_matches([' ', '\t'])
        });
        match line {
            Some(line) => r.line(line, pos as u64),
            None => {
                r.skipped_invalid_utf8 += 1;
                r.out.other_lines += 1;
            }
        }
        pos = next;
    }
    r.finish(input.len());
    r.settle_folding(limits);
    (r.out, r.value_stack_at)
}

impl<'a> Reader<'a> {
    /// The last goroutine is folded like the others, and folding is told.
    fn settle_folding(&mut self, limits: ParseLimits) {
        self.folder.settle_last(&mut self.out.goroutines);
        if self.folder.folded > 0 {
            let offset = self.folder.first_folded_at.unwrap_or(0);
            self.warn(
                offset,
                format!(
                    "{} goroutines after the first {} were counted on earlier goroutines with the same stack and state (their ids and arguments are not kept); raise --full-goroutines to keep them all",
                    self.folder.folded, limits.full_goroutines
                ),
            );
        }
    }

    fn warn(&mut self, offset: u64, message: String) {
        if self.out.warnings.len() < 100 {
            self.out.warnings.push(Warning { offset, message });
        }
    }

    fn line(&mut self, line: &'a str, offset: u64) {
        // A position line completes a pending function line.
        if self.awaiting_file_line() {
            // Double-spaced pastes put a blank line between a function
            // line and its file line: the blank waits for what follows.
            if line.is_empty() && !self.blank_after_pending {
                self.blank_after_pending = true;
                return;
            }
            // Markdown pastes strip the tab: a file line may start the line.
            // A debugger puts `at ` before it.
            let debugger = std::mem::take(&mut self.debugger_pending)
                .then(|| line.trim_start().strip_prefix("at "))
                .flatten()
                .and_then(|at| position(at.trim_end()));
            if let Some(pos) = debugger
                .or_else(|| indented_position(line, self.target))
                .or_else(|| bare_position(line))
            {
                self.blank_after_pending = false;
                self.foreign_after_pending = false;
                self.complete_frame(pos);
                return;
            }
            if let Some((pos, at)) = position_glued_to_call(line) {
                self.blank_after_pending = false;
                self.complete_frame(pos);
                self.line(&line[at..], offset + at as u64);
                return;
            }
            // One line another writer put between a function line and its
            // file line (a log record written meanwhile): the file line
            // still follows.
            if !std::mem::take(&mut self.foreign_after_pending) && written_meanwhile(line) {
                self.foreign_after_pending = true;
                self.out.other_lines += 1;
                return;
            }
            self.keep_pending_without_position();
            if std::mem::take(&mut self.blank_after_pending) {
                self.blank();
            }
        }
        // A leak checker's heading holds for the line right under it.
        if std::mem::take(&mut self.leak_heading) {
            let t = line.trim_start_matches([' ', '\t']);
            let stack = godiag_sniff::anchor::is_header(t) || symbol_call(t).is_some();
            self.leak_reported |= stack;
        }
        if std::mem::take(&mut self.logged_value_cut) && !line.is_empty() {
            let stack = godiag_sniff::anchor::is_caller_frame(line)
                || godiag_sniff::anchor::find(line).is_some();
            // The runtime's one-line message broken between words
            // (perkeep/perkeep#466: `runtime error: invalid` over `memory
            // address or nil pointer dereference`) goes on in plain words.
            // Not how the process ended (`exit status 2`), read as such.
            let goes_on = |value: &str| {
                value.ends_with(':')
                    || (is_plain_words(line.trim()) && process_end(line, 0).is_none())
            };
            if let Some(p) = self
                .logged_panic
                .as_mut()
                .filter(|p| !stack && goes_on(&p.value))
            {
                // Broken inside a word or between two, it keeps the break
                // (a word cut as `addres` / `s or nil ...`, robfig/cron#301).
                let at = if p.value.ends_with(':') { ' ' } else { '\n' };
                p.value = joined(std::mem::take(&mut p.value), at, line.trim());
                return;
            }
        }
        if line.is_empty() {
            self.blank();
            return;
        }
        if std::mem::take(&mut self.resumable_after_blank) && self.target == Target::None {
            let t = line.trim_start_matches([' ', '\t']);
            // A frame only ever on top of a stack (a park, a semaphore
            // wait) starts another one.
            let frame = t.starts_with("created by ")
                || (!godiag_sniff::anchor::is_header(t)
                    && symbol_call(t).is_some_and(|(name, _)| {
                        !name.starts_with("runtime.gopark") && !name.starts_with("sync.runtime_")
                    }));
            if frame {
                self.target = Target::Goroutine;
            }
        }
        // Before any runtime line: the paste's selection may start a
        // character or two late, below a line of the reporter's own
        // (aquasecurity/tracee#3230: `Error (hard to reproduce):` over
        // `anic: sync: WaitGroup is reused ...`). Past the paste's first
        // line only one lost character is taken: `nic: eth0` is a key.
        let nothing_read = self.out.goroutines.is_empty()
            && self.out.crash.panics.is_empty()
            && self.out.crash.fatal_error.is_none();
        let first_line = !std::mem::replace(&mut self.past_first_line, true);
        if nothing_read {
            match clipped_first_line(line, if first_line { 2 } else { 1 }) {
                Some((true, msg)) => return self.set_fatal(msg, offset, false),
                Some((false, value)) => return self.push_panic(value, offset),
                None => {}
            }
        }
        if let Some(w) = self.panic_value_window.as_mut() {
            let stack = godiag_sniff::anchor::is_caller_frame(line)
                || godiag_sniff::anchor::find(line).is_some();
            if stack || w.lines_left == 0 {
                self.close_value_window();
            } else {
                w.last = Some((line.trim(), offset));
                w.lines_left -= 1;
            }
        }
        let first = line.as_bytes()[0];
        let record_frame = self.target == Target::CountRecord
            && (first == b'#'
                || (matches!(first, b'0' | b'\\') && count_record_frame(line).is_some()));
        if first == b'\t' || first == b' ' || record_frame {
            self.indented(line, offset);
            return;
        }
        if self.message != Message::None && self.continuation(line, offset) {
            return;
        }
        self.message = Message::None;
        if (self.in_race_header || self.race.is_some()) && self.race_line(line, offset) {
            return;
        }
        // Pastes often lose the ruler above the report, some the warning too.
        if let Some(after) = line.strip_prefix("WARNING: DATA RACE") {
            let access = after.trim_start();
            if access.trim_end().is_empty() {
                self.start_race(offset);
                return;
            }
            // The first access run into the warning's line, its break lost
            // with whatever prefixed it (sijms/go-ora#297: `WARNING: DATA
            // RACE  [2023-01-25T13:41:44.263Z] Write at 0x.. by goroutine
            // 687:`).
            if let Some(at) = godiag_sniff::anchor::race_access_start(access) {
                let skip = line.len() - access.len() + at;
                self.start_race(offset);
                self.race_line(&line[skip..], offset + skip as u64);
                return;
            }
        }
        // An access line opening the line (`Read at 0x.. by goroutine N:`)
        // opens a report that lost its `WARNING: DATA RACE`.
        if godiag_sniff::anchor::race_access_start(line) == Some(0) {
            self.start_race(offset);
            self.race_line(line, offset);
            return;
        }
        if let Some(rest) = line.strip_prefix("goroutine ") {
            if let Some((g, form)) = parse_header(line, offset) {
                match form {
                    LabelForm::Inside => self.seen.labels_inside = true,
                    LabelForm::Outside => self.seen.labels_outside = true,
                    LabelForm::None => {}
                }
                self.start_goroutine(g);
                return;
            }
            if let Some(total) = rest.strip_prefix("profile: total ") {
                self.out.count_total = parse_dec(total);
                self.target = Target::None;
                return;
            }
            // A header whose line end was lost before its first frame
            // (`goroutine 1 [running]:github.com/...F(...)`, apache/beam#13720).
            if let Some(at) = line.find("]:").map(|at| at + 2) {
                let call = line[at..].trim_start();
                if symbol_call(call).is_some() && parse_header(&line[..at], offset).is_some() {
                    self.line(&line[..at], offset);
                    self.line(call, offset + (line.len() - call.len()) as u64);
                    return;
                }
            }
        }
        if line.starts_with("panic: ") || line.starts_with("fatal error: ") {
            // Pastes that lost a line end: `panic: X goroutine 1 [running]:`,
            // `panic: X[signal SIGSEGV: ...]` (concourse/concourse#5077).
            // The signal comes before the header: the line is cut at the first.
            let header = header_inside(line);
            let before_header = &line[..header.unwrap_or(line.len())];
            if let Some(at) = signal_inside(before_header).or(header) {
                self.top_level(line[..at].trim_end(), offset);
                self.line(&line[at..], offset + at as u64);
                return;
            }
            self.top_level(line, offset);
            return;
        }
        if line.as_bytes()[0].is_ascii_digit() && line.ends_with("]:") {
            if let Some(g) = parse_aggregated_header(line, offset) {
                self.start_goroutine(g);
                return;
            }
        }
        if let Some(total) = line.strip_prefix("goroutineleak profile: total ") {
            self.out.count_total = parse_dec(total);
            self.out.count_leaked = true;
            self.target = Target::None;
            return;
        }
        if let Some(rest) = line.strip_prefix("created by ") {
            if matches!(self.target, Target::Goroutine | Target::Ancestor) {
                let (name, parent) = match rest.rsplit_once(' ') {
                    Some((head, p)) if head.ends_with(" in goroutine") => {
                        (&head[..head.len() - " in goroutine".len()], parse_dec(p))
                    }
                    _ => (rest, None),
                };
                self.pending_created = Some((name, parent, offset));
                return;
            }
        }
        let call = function_line(line).or_else(|| bare_symbol(line));
        // A frame and its file on one line (abridged pastes).
        if call.is_none() {
            if let Some((name, args, pos)) = frame_on_one_line(line) {
                if self.target == Target::None {
                    self.start_headerless(offset);
                }
                self.pending = Some((name, args, offset));
                self.complete_frame(pos);
                return;
            }
        }
        if let Some((name, args)) = call.or_else(|| cut_call(line)) {
            if matches!(
                self.target,
                Target::Goroutine | Target::Ancestor | Target::RuntimeStack
            ) || (self.target == Target::None && is_symbol(name))
            {
                // Outside a goroutine, frames without a header (an excerpt)
                // start one when their file line follows.
                self.pending = Some((name, args, offset));
                // A dotted word alone there (`golang-1.6.3-1.el7_2.1.x86_64`
                // of an `rpm -q`, xudongzheng/gitstreak#3) is a frame only
                // with its file line.
                self.pending_bare = self.target == Target::None && !line.contains('(');
                return;
            }
        }
        self.top_level(line, offset);
    }

    /// A failure line after a whole report (its failure and a stack under
    /// it) starts another run of the program: a log of a service that
    /// restarted, crash texts pasted one after the other. The runtime
    /// prints every failure line of one death before its stacks. Parted
    /// from the report by a line that is not the runtime's (`exit status
    /// 2`, the next run's log), or another failure than the report's (a
    /// second goroutine's throw of the same message can print after the
    /// first's stacks). The last run is the one read: the latest death.
    fn start_next_run_at(&mut self, line: &str, offset: u64) {
        let Some(report) = self.whole_report() else {
            return;
        };
        // A paste's stray backtick or period after either is no other failure.
        let words = |l: &str| {
            l.trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_string()
        };
        let same = report.first_line.lines().next().map(words) == Some(words(line));
        if same && self.last_foreign_at.is_none_or(|at| at < report.stack_at) {
            return;
        }
        self.begin_run(report, offset);
    }

    /// The report read so far, when it is whole: a failure line and a
    /// stack under it.
    fn whole_report(&self) -> Option<WholeReport> {
        let c = &self.out.crash;
        let failed: Vec<u64> = c
            .panics
            .iter()
            .map(|p| p.offset)
            .chain(c.fatal_error_offset)
            .collect();
        let (first_at, last_at) = (*failed.iter().min()?, *failed.iter().max()?);
        let stack_at = self
            .out
            .goroutines
            .iter()
            .find(|g| g.offset > last_at && !g.frames.is_empty())?
            .offset;
        let first_line = first_failure_line(c).unwrap_or_default();
        Some(WholeReport {
            first_line,
            first_at,
            stack_at,
        })
    }

    /// Lets the report read so far go as an earlier run's; the next run
    /// starts at `offset`.
    fn begin_run(&mut self, earlier: WholeReport, offset: u64) {
        self.end_record();
        self.folder.forget_stacks();
        self.earlier_runs
            .push((earlier.first_line, earlier.first_at));
        // Kept until the next run is read: if that one is the same failure
        // printed again and cut, this fuller copy is the one to read.
        self.previous_run = Some(PreviousRun {
            crash: std::mem::take(&mut self.out.crash),
            goroutines: std::mem::take(&mut self.out.goroutines),
        });
        self.run_started_at = offset;
        self.run_exited_at = None;
        self.target = Target::None;
        self.message = Message::None;
        self.value_stack_at = None;
        self.logged_panic = None;
        self.interleaved_fatal = false;
        self.fatal_from_throw = false;
    }

    /// A kill or a kill for memory after a whole report and more of the
    /// program's log (past the run's exit status, when one was printed):
    /// the death of a later run, which the runtime could not report.
    fn killed_in_a_later_run(&mut self, offset: u64) {
        let Some(report) = self.whole_report() else {
            return;
        };
        // The program's log went on after the report: a process the
        // runtime's report ended writes no more, so another run did.
        let after = self.run_exited_at.unwrap_or(report.stack_at);
        if self.last_foreign_at.is_some_and(|at| at > after) {
            self.begin_run(report, offset);
        }
    }

    /// Frames with no goroutine header above them.
    fn start_headerless(&mut self, offset: u64) {
        self.start_goroutine(Goroutine {
            status: "unknown",
            headerless: true,
            offset,
            ..Goroutine::default()
        });
    }

    fn top_level(&mut self, line: &'a str, offset: u64) {
        // `panic("")` prints `panic: ` with nothing after it (and pastes
        // lose the trailing blank).
        if let Some(v) = line
            .strip_prefix("panic: ")
            .or((line == "panic:").then_some(""))
        {
            self.start_next_run_at(line, offset);
            self.push_panic(v, offset);
            return;
        }
        // Blanks after it are trimmed: its message may be on the next line.
        if let Some(msg) = line
            .strip_prefix("fatal error: ")
            .or((line == "fatal error:").then_some(""))
        {
            self.start_next_run_at(line, offset);
            self.set_fatal(msg, offset, false);
            return;
        }
        // The runtime's few messages written directly, not through throw
        // (`fatal: morestack on g0`); other `fatal: ` lines are a program's
        // (git's, klog's, a log.Fatal wrapper's) and say nothing of a crash.
        if let Some(msg) = line
            .strip_prefix("fatal: ")
            .filter(|m| m.starts_with("morestack on ") || m.starts_with("bad g in signal handler"))
        {
            // `fatal: morestack on g0` (written directly, not via throw).
            self.set_fatal(msg, offset, false);
            return;
        }
        // Go 1.0's runtime printed its throws as `throw: MSG` (howeyc/
        // fsnotify#4: `throw: all goroutines are asleep - deadlock!`;
        // ha/doozerd#30: `throw: runtime: out of memory`).
        if let Some(msg) = line.strip_prefix("throw: ") {
            // Weak: a program's own log line can start so too, and a
            // runtime's `fatal error:` after it is the failure.
            let first = self.out.crash.fatal_error.is_none();
            self.set_fatal(msg, offset, false);
            self.fatal_from_throw = first;
            return;
        }
        if line.starts_with("[signal ") {
            if let Some(s) = signal_line(line, offset) {
                self.out.crash.signal = Some(s);
                self.target = Target::None;
                return;
            }
            // The header after it on the same line (a lost line end).
            if let Some(at) = header_inside(line) {
                if signal_line(&line[..at], offset).is_some() {
                    self.line(&line[..at], offset);
                    self.line(&line[at..], offset + at as u64);
                    return;
                }
            }
        }
        if line.contains(": internal compiler error: ")
            || line.starts_with("internal compiler error: ")
        {
            if self.out.crash.compiler_error.is_none() {
                self.out.crash.compiler_error = Some(line);
            }
            return;
        }
        if line == "runtime stack:" {
            self.target = Target::RuntimeStack;
            return;
        }
        if let Some(rest) = line.strip_prefix("runtime: ") {
            if rest.starts_with("goroutine stack exceeds")
                || rest.starts_with("out of memory")
                || rest.starts_with("sp=")
                || self.out.crash.runtime_messages.len() < 64
            {
                self.out.crash.runtime_messages.push(line);
            }
            return;
        }
        // The kernel refused a futex wake: the runtime prints the error and
        // faults on purpose (tailscale/tailscale#19039, XTLS/Xray-core#5882).
        if line.starts_with("futexwakeup addr=") && line.contains(" returned ") {
            if self.out.crash.runtime_messages.len() < 64 {
                self.out.crash.runtime_messages.push(line);
            }
            return;
        }
        // The object a bad pointer was found in: its span's state tells a
        // stack (the runtime's own) from the heap.
        if line.starts_with("object=")
            && self
                .out
                .crash
                .runtime_messages
                .last()
                .is_some_and(|m| m.starts_with("runtime: found in object"))
        {
            self.out.crash.runtime_messages.push(line);
            return;
        }
        if let Some(rest) = line.strip_prefix("unexpected fault address ") {
            self.out.crash.fault_address = parse_hex(rest.trim());
            return;
        }
        // Windows says "external code" where Unix says "cgo".
        if line == "signal arrived during cgo execution"
            || line == "[signal arrived during cgo execution]"
            || line == "signal arrived during external code execution"
        {
            if let Some(fs) = &mut self.out.crash.fatal_signal {
                fs.during_cgo = true;
            } else {
                self.out.crash.runtime_messages.push(line);
            }
            return;
        }
        if let Some(rest) = line.strip_prefix("PC=") {
            // Only the first signal's: under GOTRACEBACK=crash the other
            // threads print their own `SIGQUIT: quit` / `PC=` blocks after it.
            if let Some(fs) = &mut self.out.crash.fatal_signal {
                if fs.pc.is_some() {
                    return;
                }
                fs.pc = rest.split(' ').next().and_then(parse_hex);
                for w in rest.split(' ').skip(1) {
                    if let Some(v) = w.strip_prefix("m=") {
                        fs.m = parse_dec(v);
                    } else if let Some(v) = w.strip_prefix("sigcode=") {
                        fs.sigcode = v.parse().ok();
                    } else if let Some(v) = w.strip_prefix("addr=") {
                        fs.addr = parse_hex(v);
                    }
                }
                return;
            }
        }
        if let Some(e) = windows_exception(line) {
            if self.out.crash.fatal_signal.is_none() {
                self.out.crash.fatal_signal = Some(FatalSignal {
                    name: e.name,
                    description: e.description,
                    pc: Some(e.pc),
                    m: None,
                    // Not a Unix si_code: the access kind is Windows' own.
                    sigcode: None,
                    addr: e.addr,
                    during_cgo: false,
                    offset,
                });
            }
            self.target = Target::None;
            return;
        }
        if let Some((name, description)) = fatal_signal_line(line) {
            if self.out.crash.fatal_signal.is_none() {
                self.out.crash.fatal_signal = Some(FatalSignal {
                    name,
                    description,
                    pc: None,
                    m: None,
                    sigcode: None,
                    addr: None,
                    during_cgo: false,
                    offset,
                });
            }
            self.target = Target::None;
            return;
        }
        if let Some(g) = gc_trace(line, offset) {
            self.out.gc_traces.push(g);
            return;
        }
        if let Some(s) = sched_trace(line, offset) {
            self.out.sched_traces.push(s);
            return;
        }
        if let Some(rest) = line.strip_prefix("...") {
            if self.elision(rest) {
                return;
            }
        }
        if let Some(rest) = line.strip_prefix("[originating from goroutine ") {
            if let Some(id) = rest.strip_suffix("]:").and_then(parse_dec) {
                if let Some(g) = self.out.goroutines.last_mut() {
                    g.ancestors.push(Ancestor {
                        goroutine: id,
                        ..Ancestor::default()
                    });
                    self.target = Target::Ancestor;
                    return;
                }
            }
        }
        if line == "==================" {
            self.in_race_header = true;
            return;
        }
        if let Some(rest) = line.strip_prefix("Found ") {
            if let Some(n) = rest.strip_suffix(" data race(s)").and_then(parse_dec) {
                self.out.races_found = Some(n);
                return;
            }
        }
        if line == "-----" {
            // GOTRACEBACK=crash separates the dumps of each M.
            self.target = Target::None;
            return;
        }
        if let Some(rec) = count_record_header(line, offset) {
            self.out.count_records.push(rec);
            self.target = Target::CountRecord;
            return;
        }
        if let Some((name, value)) = register_line(line) {
            if !self.out.goroutines.is_empty() || self.out.crash.fatal_signal.is_some() {
                self.out.crash.registers.push((name, value));
                self.target = Target::None;
                return;
            }
        }
        self.unrecognised(line, offset);
    }

    /// A line no grammar claimed at its start: runtime text further on,
    /// a debugger's frame, a panic a handler logged, or something else.
    fn unrecognised(&mut self, line: &'a str, offset: u64) {
        // Runtime text after something else on its line (`>fatal error:`,
        // a stray backtick, `leaktest: leaked goroutine: goroutine 7 [...]`):
        // read from where its grammar starts. A `panic` after words is a
        // handler's log line, read below.
        if let Some(a) = godiag_sniff::anchor::find(line).filter(|a| a.strong && a.at > 0) {
            let (before, rest) = line.split_at(a.at);
            let words = before.bytes().any(|b| b.is_ascii_alphabetic());
            let logged = words && rest.starts_with("panic: ");
            if !(rest.starts_with("created by ") || logged) {
                self.leak_reported |= mentions_leak(before);
                // `[PANIC RECOVER] VALUE goroutine 7 [running]:`: what a
                // handler logged before the stack it joined to its line.
                if words {
                    self.note_logged_panic(line, offset);
                }
                self.line(rest, offset + a.at as u64);
                return;
            }
        }
        let end = process_end(line, offset);
        if end.is_some() {
            self.last_foreign_at = Some(offset);
        }
        if matches!(end, Some(ProcessEnd::Exit(_))) && self.whole_report().is_some() {
            self.run_exited_at = Some(offset);
        }
        if matches!(end, Some(ProcessEnd::Killed(_) | ProcessEnd::OomKill(_))) {
            self.killed_in_a_later_run(offset);
        }
        match end {
            Some(ProcessEnd::Exit(n)) => {
                // Go's failure status over any other, a failing one over a
                // clean one: a journal holds several runs.
                let status = &mut self.out.crash.exit_status;
                if n == 2 || status.is_none_or(|s| s == 0) {
                    *status = Some(n);
                }
                return;
            }
            Some(ProcessEnd::OomKill(k)) => {
                self.out.crash.oom_kill.get_or_insert(k);
                return;
            }
            // The last of them: the run that ended the journal.
            Some(ProcessEnd::Killed(k)) => {
                self.out.crash.killed_by = Some(k);
                return;
            }
            Some(ProcessEnd::UsageError(line)) => {
                self.out.crash.usage_error = Some(EndLine { line, offset });
                return;
            }
            Some(ProcessEnd::StopTimedOut(line)) => {
                self.out.crash.stop_timed_out = Some(EndLine { line, offset });
                return;
            }
            None => {}
        }
        // goleak: `Goroutine 7 in state chan receive, with F on top of the
        // stack:`, each opening a bracket in its error's list (`[Goroutine`).
        let t = line.trim_start().trim_start_matches('[');
        if t.starts_with("Goroutine ") && line.ends_with("on top of the stack:") {
            self.leak_reported = true;
            return;
        }
        // A checker's heading over the stack it found (net/http's own
        // `Test appears to have leaked a Transport:`, golang/go#10457):
        // a line that speaks of a leak and ends announcing what follows,
        // when a stack follows right under it (not an issue's sentence
        // over a dump, or a test's log line).
        if t.trim_end().ends_with(':') && mentions_leak(t) {
            self.leak_heading = true;
            return;
        }
        // etcd's checker (`Unexpected goroutines running after all
        // test(s).`): `N instances of:` over each distinct stack, printed
        // without its goroutine header.
        if let Some(n) = instances_line(t) {
            self.end_record();
            self.target = Target::None;
            self.leak_reported = true;
            self.leak_instances = Some(n);
            return;
        }
        if let Some((name, pos)) = debugger_frame(line) {
            if self.target == Target::None {
                self.start_headerless(offset);
            }
            self.pending = Some((name, "", offset));
            match pos {
                Some(pos) => self.complete_frame(pos),
                None => self.debugger_pending = true,
            }
            return;
        }
        self.caller_frames += usize::from(godiag_sniff::anchor::is_caller_frame(line));
        if let Some(p) = godiag_sniff::anchor::trailing_position(line) {
            self.trailing_positions += 1;
            self.through_panic |= godiag_sniff::anchor::is_panic_position(p);
        }
        self.note_logged_panic(line, offset);
        self.out.other_lines += 1;
        self.last_foreign_at = Some(offset);
        // A frame's call line joined to a message after its last `: `
        // (pingcap's testleak: `... appears to have leaked: pkg.f(0x1, 0x2)`
        // over the frame's file line): read like a call line alone, opening
        // a stack once its file line follows.
        if self.target == Target::None {
            if let Some((before, call)) = line.rsplit_once(": ") {
                if let Some((name, args)) = symbol_call(call) {
                    self.joined_call = Some((mentions_leak(before), printed_words(args)));
                    self.pending = Some((name, args, offset + (before.len() + 2) as u64));
                }
            }
        }
    }

    /// A line starting with a tab or spaces.
    fn indented(&mut self, line: &'a str, offset: u64) {
        let t = line.trim_start_matches([' ', '\t']);
        if self.message != Message::None && self.continuation(line, offset) {
            return;
        }
        self.message = Message::None;
        if let Some(v) = t.strip_prefix("panic: ").or((t == "panic:").then_some("")) {
            self.push_panic(v, offset);
            return;
        }
        // A race report the paste indented as a whole (mindersec/minder
        // #3397: `  Write at 0x.. by goroutine 36:` under ` WARNING: DATA
        // RACE`): its own lines are read as unindented ones.
        if self.race.is_some() && is_race_structure(t) {
            let at = offset + (line.len() - t.len()) as u64;
            if self.race_line(t, at) {
                return;
            }
        }
        if let Some(msg) = t.strip_prefix("fatal error: ") {
            self.set_fatal(msg, offset, !self.out.crash.panics.is_empty());
            return;
        }
        match self.target {
            Target::RaceAccess | Target::RaceGoroutine => {
                if let Some((name, args)) = function_line(t) {
                    self.pending = Some((name, args, offset));
                    return;
                }
                // A frame with its file on its line (a CI page's copy,
                // kubernetes/kubernetes#103246).
                if let Some((name, args, pos)) = frame_on_one_line(t) {
                    self.pending = Some((name, args, offset));
                    self.complete_frame(pos);
                    return;
                }
                if let Some((name, pos)) = frame_in_columns(t) {
                    self.pending = Some((name, "", offset));
                    self.complete_frame(pos);
                    return;
                }
                if t == "[failed to restore the stack]" {
                    return;
                }
            }
            Target::CountRecord => {
                if let Some(rest) = t.strip_prefix("# labels: {") {
                    if let (Some(rec), Some(body)) =
                        (self.out.count_records.last_mut(), rest.strip_suffix('}'))
                    {
                        rec.labels = parse_labels(body);
                    }
                    return;
                }
                if let Some(f) = count_record_frame(t) {
                    if let Some(rec) = self.out.count_records.last_mut() {
                        rec.frames.push(f);
                    }
                    return;
                }
            }
            Target::Goroutine if t == "goroutine running on other thread; stack unavailable" => {
                if let Some(g) = self.out.goroutines.last_mut() {
                    g.stack_unavailable = true;
                }
                return;
            }
            // A paste that indented its frames (spaces before every line,
            // or a leading blank left by a quote): the grammar is the same.
            // Outside a goroutine too: a call line waits for its file line
            // before it opens a stack without a header (googleapis/
            // google-cloud-go#1944: ` cloud.google.com/...Single(0x0, ...)`).
            // A header indented alone (a stray blank, iotaledger/hornet#590).
            Target::Goroutine | Target::Ancestor | Target::RuntimeStack | Target::None
                if t.starts_with("created by ")
                    || godiag_sniff::anchor::is_header(t)
                    || symbol_call(t).is_some() =>
            {
                self.line(t, offset + (line.len() - t.len()) as u64);
                return;
            }
            _ => {}
        }
        if is_sched_detail(line) {
            return;
        }
        if t == "WARNING: DATA RACE" {
            self.start_race(offset);
            return;
        }
        // A fatal signal's or Windows exception's first line that the paste
        // indented more than its other lines (lxn/walk#483: `\t Exception
        // 0xc0000005 ...` where every other line has the tab alone).
        if windows_exception(t).is_some() || godiag_sniff::anchor::signal_header_start(t) == Some(0)
        {
            self.line(t, offset + (line.len() - t.len()) as u64);
            return;
        }
        self.unrecognised(t, offset + (line.len() - t.len()) as u64);
    }

    /// The value a `panic recovered:` line announced: the last line seen
    /// before the stack.
    fn close_value_window(&mut self) {
        let Some(w) = self.panic_value_window.take() else {
            return;
        };
        if let (None, Some((value, offset))) = (&self.logged_panic, w.last) {
            self.logged_panic = Some(PanicEntry::logged(Cow::Borrowed(value), offset));
        }
    }

    /// Keeps the first panic a recovery handler logged (see `finish`).
    fn note_logged_panic(&mut self, line: &'a str, offset: u64) {
        if self.logged_panic.is_none() {
            if panic_value_follows(line) {
                self.panic_value_window = Some(ValueWindow {
                    lines_left: 32,
                    last: None,
                });
            }
            if let Some(value) = logged_panic(line) {
                self.logged_value_cut =
                    value.ends_with(':') || value.starts_with("runtime error: ");
                self.logged_panic = Some(PanicEntry::logged(Cow::Borrowed(value), offset));
            }
        }
    }

    /// `WARNING: DATA RACE`, with or without the ruler above it.
    fn start_race(&mut self, offset: u64) {
        if let Some(r) = self.race.take() {
            self.out.races.push(r);
        }
        self.in_race_header = false;
        self.race = Some(RaceReport {
            offset,
            ..RaceReport::default()
        });
        self.target = Target::None;
    }

    /// A continuation line of a multi-line panic value or fatal message.
    /// Go 1.23+ indents them with a tab; 1.21–1.22 print them raw.
    fn continuation(&mut self, line: &'a str, offset: u64) -> bool {
        // One space is not the value's indentation (a tab, or the 2, 4 or 8
        // spaces a copy made of it) but a paste's stray blank
        // (iotaledger/hornet#590: ` goroutine 289 [running]:`).
        let line = match line.strip_prefix(' ') {
            Some(rest) if !rest.starts_with([' ', '\t']) => rest,
            _ => line,
        };
        let starts_known = line.starts_with("goroutine ")
            || line.starts_with("[signal ")
            || line.starts_with("panic: ")
            || line.starts_with("\tpanic: ")
            || line.starts_with("fatal error: ")
            || line.starts_with("\tfatal error: ")
            || line.starts_with("runtime: ")
            || line == "runtime stack:"
            || line.starts_with("SIG")
            || line.starts_with("PC=")
            || line.starts_with("[originating from goroutine");
        // A stack pasted right under the message, without its goroutine
        // header: its first call line (`pkg.F(...)`, flush left) is read
        // as a frame. Indented lines stay the message's: Go 1.23+ indents a
        // value's own lines, a stack inside the value (`debug.Stack()`
        // re-panicked) included, and a copy may have turned tabs to spaces.
        let frame_line =
            !line.starts_with(['\t', ' ']) && godiag_sniff::anchor::is_call(line.trim_end());
        if starts_known || frame_line {
            return false;
        }
        let text = line.strip_prefix('\t').unwrap_or(line);
        match self.message {
            Message::Panic => {
                if self.value_stack_at.is_none()
                    && godiag_sniff::anchor::is_header(text.trim_start())
                {
                    self.value_stack_at = Some(offset);
                }
                if let Some(p) = self.out.crash.panics.last_mut() {
                    let v = joined(std::mem::take(&mut p.value), '\n', text);
                    let (value, recovered, repanicked) = split_recovered(v);
                    p.value = value;
                    p.recovered |= recovered;
                    p.repanicked |= repanicked;
                }
            }
            Message::Fatal => {
                if self.interleaved_fatal && self.out.crash.fatal_error.as_deref() == Some(text) {
                    self.interleaved_fatal = false;
                    self.warn(
                        0,
                        "two goroutines printed the fatal error at once (interleaved output)"
                            .into(),
                    );
                    return true;
                }
                if let Some(f) = self.out.crash.fatal_error.take() {
                    self.out.crash.fatal_error = Some(joined(f, '\n', text));
                }
            }
            Message::None => return false,
        }
        true
    }

    fn push_panic(&mut self, v: &'a str, offset: u64) {
        self.end_record();
        let (value, recovered, mut repanicked) = split_recovered(Cow::Borrowed(v));
        // ≤1.24 prints a re-panic of the same value as `X [recovered]` then `\tpanic: X`.
        if let Some(prev) = self.out.crash.panics.last() {
            if prev.recovered && prev.value == value {
                repanicked = true;
            }
        }
        self.out.crash.panics.push(PanicEntry {
            value,
            recovered,
            repanicked,
            logged: false,
            value_unread: false,
            offset,
        });
        self.message = Message::Panic;
    }

    fn set_fatal(&mut self, msg: &'a str, offset: u64, under_panic: bool) {
        self.end_record();
        // Two goroutines throwing at once interleave their output byte-wise:
        // `fatal error: fatal error: concurrent map writes` then the second
        // copy of the message on the next line.
        let mut msg = msg;
        while let Some(rest) = msg.strip_prefix("fatal error: ") {
            msg = rest;
            self.interleaved_fatal = true;
        }
        if std::mem::take(&mut self.fatal_from_throw) {
            self.out.crash.fatal_error = None;
        }
        if self.out.crash.fatal_error.is_none() {
            self.out.crash.fatal_error = Some(Cow::Borrowed(msg));
            self.out.crash.fatal_error_offset = Some(offset);
            self.out.crash.fatal_under_panic = under_panic;
            self.message = Message::Fatal;
        }
    }

    fn elision(&mut self, rest: &str) -> bool {
        let n = if rest == "additional frames elided..." {
            0
        } else {
            match rest
                .strip_suffix(" frames elided...")
                .and_then(parse_dec::<u64>)
            {
                Some(n) => n,
                None => return false,
            }
        };
        match self.target {
            Target::Goroutine => {
                if let Some(g) = self.out.goroutines.last_mut() {
                    g.elided = Some((g.frames.len(), n));
                }
            }
            Target::Ancestor => {
                if let Some(a) = self
                    .out
                    .goroutines
                    .last_mut()
                    .and_then(|g| g.ancestors.last_mut())
                {
                    a.elided = true;
                }
            }
            _ => return false,
        }
        true
    }

    fn start_goroutine(&mut self, mut g: Goroutine<'a>) {
        self.end_record();
        self.folder.settle_last(&mut self.out.goroutines);
        // A leak checker's report of this goroutine, and how many
        // goroutines its stack stands for when the checker counted them.
        g.outlived_test |= std::mem::take(&mut self.leak_reported);
        if let Some(n) = self.leak_instances.take() {
            g.aggregated = Some(n);
        }
        self.out.goroutines.push(g);
        self.target = Target::Goroutine;
    }

    fn blank(&mut self) {
        self.message = Message::None;
        match self.target {
            // A race access and its stack are followed by a blank line before
            // the next section of the same report.
            Target::RaceAccess | Target::RaceGoroutine => {}
            // A header and then a blank line (a paste spaced out): the
            // frames that follow are still this goroutine's.
            Target::Goroutine
                if self
                    .out
                    .goroutines
                    .last()
                    .is_some_and(|g| g.frames.is_empty() && !g.stack_unavailable) => {}
            // A blank between two frames of one stack (a paste that put
            // one after every frame, miniflux/v2#3570): the stack may go on
            // if the next line is a frame. One that ended (`created by`,
            // `main.main`, `goexit`) goes on no further.
            Target::Goroutine => {
                // Stacks without headers (an excerpt's) are not: each may
                // be another goroutine's.
                self.resumable_after_blank = self.out.goroutines.last().is_some_and(|g| {
                    !g.headerless
                        && g.created_by.is_none()
                        && !g.stack_unavailable
                        && g.frames
                            .last()
                            .is_some_and(|f| !matches!(f.function, "main.main" | "runtime.goexit"))
                });
                self.target = Target::None;
            }
            _ => self.target = Target::None,
        }
    }

    fn end_record(&mut self) {
        self.pending = None;
        self.pending_created = None;
        if matches!(
            self.target,
            Target::Goroutine | Target::Ancestor | Target::RuntimeStack
        ) {
            self.target = Target::None;
        }
    }

    /// A function line whose file line never came (a paste that dropped
    /// it, an excerpt cut there): the frame is kept, with no position.
    fn keep_pending_without_position(&mut self) {
        if std::mem::take(&mut self.pending_bare) {
            self.pending = None;
        }
        // `created by F` still names the creator when its file line was
        // cut (tendermint/tendermint#2721's paste ends there).
        if self.pending_created.is_some() {
            self.complete_frame(Position {
                file: "",
                line: 0,
                pc_offset: None,
                pc: None,
            });
        }
        // Printed words are completed below, which takes the flag.
        if let Some((_, false)) = self.joined_call {
            self.joined_call = None;
            self.pending = None;
            return;
        }
        if self.pending.is_some()
            && matches!(
                self.target,
                Target::Goroutine | Target::Ancestor | Target::RuntimeStack | Target::None
            )
        {
            self.complete_frame(Position {
                file: "",
                line: 0,
                pc_offset: None,
                pc: None,
            });
        }
        self.pending = None;
    }

    fn complete_frame(&mut self, pos: Position<'a>) {
        self.pending_bare = false;
        if let Some((name, parent, _)) = self.pending_created.take() {
            let f = frame(name, "", pos);
            match self.target {
                Target::Goroutine => {
                    if let Some(g) = self.out.goroutines.last_mut() {
                        g.created_by = Some(f);
                        g.parent = parent;
                    }
                }
                Target::Ancestor => {
                    if let Some(a) = self
                        .out
                        .goroutines
                        .last_mut()
                        .and_then(|g| g.ancestors.last_mut())
                    {
                        a.created_by = Some(f);
                    }
                }
                _ => {}
            }
            return;
        }
        let Some((name, args, offset)) = self.pending.take() else {
            return;
        };
        if let Some((leak, _)) = self.joined_call.take() {
            self.leak_reported |= leak;
        }
        if self.target == Target::None {
            self.start_headerless(offset);
        }
        let f = frame(name, args, pos);
        match self.target {
            Target::Goroutine => {
                if let Some(g) = self.out.goroutines.last_mut() {
                    g.frames.push(f);
                }
            }
            Target::Ancestor => {
                if let Some(a) = self
                    .out
                    .goroutines
                    .last_mut()
                    .and_then(|g| g.ancestors.last_mut())
                {
                    a.frames.push(f);
                }
            }
            Target::RuntimeStack => self.out.crash.runtime_stack.push(f),
            Target::RaceAccess => {
                if let Some(a) = self.race.as_mut().and_then(|r| r.accesses.last_mut()) {
                    a.frames.push(f);
                }
            }
            Target::RaceGoroutine => {
                if let Some(g) = self.race.as_mut().and_then(|r| r.goroutines.last_mut()) {
                    g.created_at.push(f);
                }
            }
            Target::None | Target::CountRecord => {}
        }
    }

    /// Lines of a race report (between `==================` rulers).
    fn race_line(&mut self, line: &'a str, offset: u64) -> bool {
        if line == "WARNING: DATA RACE" {
            self.start_race(offset);
            return true;
        }
        self.in_race_header = false;
        let Some(report) = self.race.as_mut() else {
            return false;
        };
        if line == "==================" {
            if let Some(r) = self.race.take() {
                self.out.races.push(r);
            }
            self.target = Target::None;
            return true;
        }
        if let Some(access) = race_access(line) {
            report.accesses.push(access);
            self.target = Target::RaceAccess;
            return true;
        }
        if let Some(rest) = line.strip_prefix("Goroutine ") {
            if let Some(body) = rest.strip_suffix(" created at:") {
                if let Some((id, state)) = body.split_once(" (") {
                    // A placeholder of an abridged report (`Goroutine G1
                    // (running) created at:`) is an unknown id.
                    let id = godiag_sniff::anchor::goroutine_id(id).map(|id| match id {
                        GoroutineId::Known(id) => id,
                        GoroutineId::Hidden => 0,
                    });
                    if let Some(id) = id {
                        report.goroutines.push(RaceGoroutine {
                            id,
                            state: state.trim_end_matches(')'),
                            created_at: Vec::new(),
                        });
                        self.target = Target::RaceGoroutine;
                        return true;
                    }
                }
            }
        }
        if line.starts_with("Heap block ") || line.starts_with("Global var ") {
            report.location = Some(line);
            self.target = Target::RaceAccess;
            return true;
        }
        // A report pasted without its indentation (gravitational/
        // teleport#4826): its frames start their lines (their file lines
        // complete them as any pending frame's do). A panic after a report
        // that lost its closing ruler starts the panic's own stack.
        if matches!(self.target, Target::RaceAccess | Target::RaceGoroutine) {
            if line.starts_with("panic: ") || line.starts_with("fatal error: ") {
                self.target = Target::None;
                return false;
            }
            if let Some((name, args)) = function_line(line).filter(|(name, _)| is_symbol(name)) {
                self.pending = Some((name, args, offset));
                return true;
            }
        }
        false
    }

    /// A frame's call or a `created by` line waits for its file line.
    fn awaiting_file_line(&self) -> bool {
        self.pending.is_some() || self.pending_created.is_some()
    }

    /// The input was cut inside a line.
    fn mark_cut(&mut self) {
        if let Some(g) = self.out.goroutines.last_mut() {
            if matches!(self.target, Target::Goroutine | Target::Ancestor) {
                g.truncated = true;
            }
        }
    }

    /// A `\tfatal error: ` line under a panic is Go 1.26's fatal error
    /// raised by a deferred call while the panic unwound, or a line of a
    /// multi-line panic value, which Go 1.23+ indents with a tab (an error
    /// carrying a child's log). A deferred call runs inside `panic`: with
    /// stacks read and no `panic` frame among them, it was the value's.
    fn fatal_line_of_the_value(&mut self) {
        let c = &mut self.out.crash;
        let unwinding =
            |f: &godiag_model::Frame<'_>| matches!(f.function, "panic" | "runtime.gopanic");
        if !c.fatal_under_panic
            || self.out.goroutines.is_empty()
            || self
                .out
                .goroutines
                .iter()
                .any(|g| g.frames.iter().any(unwinding))
        {
            return;
        }
        let (Some(fatal), Some(p)) = (c.fatal_error.take(), c.panics.last_mut()) else {
            return;
        };
        p.value = Cow::Owned(format!("{}\nfatal error: {fatal}", p.value));
        c.fatal_error_offset = None;
        c.fatal_under_panic = false;
    }

    /// The last run's failure printed twice, the second time cut before
    /// any frame of the program (an abridged stack, then the full one
    /// clipped by a collector): the copy with the program's frames is read.
    fn fuller_copy_of_the_last_failure(&mut self) {
        let Some(previous) = self.previous_run.take() else {
            return;
        };
        let Some((first_line, started_at)) = self.earlier_runs.last().cloned() else {
            return;
        };
        let programs =
            |gs: &[Goroutine<'_>]| gs.iter().any(|g| g.frames.iter().any(|f| !f.is_stdlib()));
        let last = first_failure_line(&self.out.crash);
        // The same failure, or its line quoted with more words after it.
        let same = last.is_some_and(|l| l.starts_with(&first_line) || first_line.starts_with(&l));
        if !same || programs(&self.out.goroutines) || !programs(&previous.goroutines) {
            return;
        }
        // Its process-end lines (`exit status 2`) came after both copies.
        let end = std::mem::take(&mut self.out.crash);
        self.out.crash = godiag_model::Crash {
            exit_status: end.exit_status.or(previous.crash.exit_status),
            killed_by: end.killed_by.or(previous.crash.killed_by),
            ..previous.crash
        };
        self.out.goroutines = previous.goroutines;
        self.earlier_runs.pop();
        self.run_started_at = started_at;
        self.warn(
            started_at,
            "the failure is printed again further on, cut before the program's frames: this fuller copy is read".into(),
        );
    }

    fn finish(&mut self, len: usize) {
        // A call joined to a log line's words at the very end: no frame.
        if self.joined_call.take().is_some() {
            self.pending = None;
        }

        if self.awaiting_file_line() {
            let off = self
                .pending
                .map(|p| p.2)
                .or(self.pending_created.map(|p| p.2))
                .unwrap_or(0);
            self.out.partial = true;
            self.warn(
                off,
                "input ends after a function line without its file:line".into(),
            );
            self.keep_pending_without_position();
            self.mark_cut();
        }
        if self.target == Target::Goroutine {
            let partial = self.out.partial;
            let cut = self.out.goroutines.last_mut().and_then(|g| {
                let cut = g.frames.is_empty() && !g.stack_unavailable && !partial;
                g.truncated |= cut;
                cut.then_some((g.offset, g.id))
            });
            if let Some((off, id)) = cut {
                self.out.partial = true;
                self.warn(
                    off,
                    format!("input ends right after the header of goroutine {id}"),
                );
            }
        }
        if let Some(r) = self.race.take() {
            self.out.partial = true;
            self.warn(r.offset, "input ends inside a race report".into());
            self.out.races.push(r);
        }
        if len == DEBUG2_CAP {
            self.out.partial = true;
            self.warn(
                len as u64,
                "input is exactly 64 MiB, where runtime.Stack and debug=2 dumps are silently cut"
                    .into(),
            );
        }
        if self.skipped_invalid_utf8 > 0 {
            let n = self.skipped_invalid_utf8;
            self.warn(0, format!("{n} lines were not UTF-8 and were skipped"));
        }
        self.fatal_line_of_the_value();
        self.fuller_copy_of_the_last_failure();
        if !self.earlier_runs.is_empty() {
            let earlier: Vec<String> = self
                .earlier_runs
                .iter()
                .take(3)
                .map(|(line, at)| format!("`{line}` at byte {at}"))
                .collect();
            let n = self.earlier_runs.len();
            let message = format!(
                "the input holds {} deaths of the program, one per run; the last, from here, is read; before it: {}{}",
                n + 1,
                earlier.join(", "),
                if n > 3 { ", ..." } else { "" }
            );
            self.warn(self.run_started_at, message);
        }
        // A panic a handler logged is the failure when the runtime printed
        // none and a stack came with it.
        self.close_value_window();
        // A value whose first line was empty (`panic: ` over the lines of a
        // multi-line message) starts at its first words.
        for p in &mut self.out.crash.panics {
            let words = p.value.trim_start();
            if words.len() != p.value.len() {
                p.value = Cow::Owned(words.to_string());
            }
        }
        // So does a fatal error's (`fatal error:` and blanks, the message on
        // the next line: golang/go#19473).
        if let Some(f) = self.out.crash.fatal_error.as_mut() {
            let words = f.trim_start();
            if words.len() != f.len() && !words.is_empty() {
                *f = Cow::Owned(words.to_string());
            }
        }
        self.out.crash.running_tests = self
            .out
            .crash
            .panics
            .iter()
            .find(|p| godiag_model::text::is_test_timeout(&p.value))
            .map(|p| running_tests(&p.value))
            .unwrap_or_default();
        // A stack through panic.go with no panic line read: a handler
        // recovered it and logged its value in words godiag does not read.
        let positions_through_panic = self.through_panic && self.trailing_positions >= 3;
        if self.logged_panic.is_none() && positions_through_panic {
            self.logged_panic = Some(PanicEntry {
                value_unread: true,
                ..PanicEntry::logged(Cow::Borrowed(""), 0)
            });
        }
        if let Some(p) = self.logged_panic.take() {
            // Without any stack, only a runtime error's message (a failed
            // type assertion's has no `runtime error: `) is trusted to be one.
            let trusted = !self.out.goroutines.is_empty()
                || self.caller_frames >= 2
                || positions_through_panic
                || p.value.starts_with("runtime error: ")
                || p.value.starts_with("interface conversion: ");
            if !self.out.crash.is_failure() && trusted {
                self.out.crash.panics.push(p);
            }
        }
        let (exact, at_least) = infer_version(&self.out, self.seen);
        self.out.go_version = exact;
        self.out.go_version_at_least = at_least;
    }
}

/// `running tests:` under a test timeout's message, one `TestX (10m0s)`
/// per line: the names.
fn running_tests(value: &str) -> Vec<String> {
    value
        .lines()
        .skip_while(|l| l.trim() != "running tests:")
        .skip(1)
        .map_while(|l| {
            let (name, rest) = l.trim().split_once(" (")?;
            (rest.ends_with(')') && !name.contains(' ')).then(|| name.to_string())
        })
        .take(16)
        .collect()
}

/// A position line, indented as the current record expects.
fn indented_position(line: &str, target: Target) -> Option<Position<'_>> {
    let t = match target {
        Target::RaceAccess | Target::RaceGoroutine => line.strip_prefix("    ")?.trim_start(),
        _ => line.strip_prefix('\t').or_else(|| {
            // Pasted dumps often have tabs turned into spaces.
            let t = line.trim_start_matches(' ');
            (t.len() + 2 <= line.len()).then_some(t)
        })?,
    };
    position(t)
}

/// A race report's own lines, not its frames: an access, a goroutine's
/// creation, the racing memory's description, the closing ruler.
fn is_race_structure(t: &str) -> bool {
    race_access(t).is_some()
        || (t.starts_with("Goroutine ") && t.ends_with(" created at:"))
        || t.starts_with("Heap block ")
        || t.starts_with("Global var ")
        || t == "=================="
}

/// A function line of a Go symbol (`pkg.F(args)`): its name and arguments.
fn symbol_call(line: &str) -> Option<(&str, &str)> {
    function_line(line).filter(|(name, _)| is_symbol(name))
}

/// Whether a leak checker's words stand before a stack (`leaked
/// goroutine`, grpc's `Leaked goroutine:`), in any case.
/// A line no part of a traceback: not indented (a file line), with no
/// runtime text anywhere in it, no call or bare name (a paste's frames
/// without arguments), not how the process ended.
fn written_meanwhile(line: &str) -> bool {
    !line.is_empty()
        && !line.starts_with(['\t', ' '])
        && godiag_sniff::anchor::find(line).is_none()
        && symbol_call(line).is_none()
        && !is_symbol(line.trim_end())
        && bare_position(line).is_none()
        && !ends_in_a_file_line(line)
        && process_end(line, 0).is_none()
}

/// A file line behind a prefix not learned (`[x] \t/a/f.go:1`).
fn ends_in_a_file_line(line: &str) -> bool {
    line.rsplit_once('\t')
        .and_then(|(_, last)| position(last))
        .is_some_and(|p| looks_like_source(p.file))
}

fn mentions_leak(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"leak"))
}

/// `value` and `more` after it, `between` them: a message read over
/// several lines.
fn joined<'a>(value: Cow<'a, str>, between: char, more: &str) -> Cow<'a, str> {
    let mut v = value.into_owned();
    v.push(between);
    v.push_str(more);
    Cow::Owned(v)
}

/// Whether a call's arguments are what a traceback prints: words in hex
/// (`0xc000242a50`, `0x0?`), elisions and braces (`{0x1, ...}`), at least one.
fn printed_words(args: &str) -> bool {
    !args.trim().is_empty()
        && args
            .split(',')
            .all(|w| godiag_model::ArgWord::parse(w).is_some())
}

/// `3 instances of:`: a leak checker's count over the stack below it.
fn instances_line(line: &str) -> Option<u64> {
    line.trim_end()
        .strip_suffix(" instances of:")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
}

/// Lower-case words only (`memory address or nil pointer dereference`):
/// the rest of a message, not a line of its own.
fn is_plain_words(line: &str) -> bool {
    line.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'[' | b']' | b'_' | b'-'))
}
