//! Deadlocks a dump shows without a cycle: every goroutine of the program
//! waiting for another, or a lock no one released for minutes.

use godiag_model::{Frame, Goroutine, GoroutineGroup, TextArtifact};

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, user_frame};
use crate::input::TextInput;
use crate::steps::next_steps;
use crate::testtimeout::{hung_test_goroutine, stalled_child};

pub(crate) fn deadlock_goroutine<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<&'r Goroutine<'a>> {
    // The goroutine holding everyone up is usually main; failing that the
    // first blocked goroutine with user code, then any with user code.
    // Main waiting for a wait group is held up by the goroutines it waits
    // for, when they are blocked elsewhere.
    awaited_by_main(t)
        .map(|a| a.goroutine)
        .or_else(|| reader_behind_writer(t).map(|r| r.blamed()))
        // In a test binary main is the harness: the test's goroutine, or
        // the one it started and waits for, stalled at one place.
        .or_else(|| {
            let main = t.goroutines.iter().find(|g| g.id == 1)?;
            if user_frame(&main.frames).is_some() {
                return None;
            }
            let hung = hung_test_goroutine(t)?;
            Some(stalled_child(t, hung).unwrap_or(hung))
        })
        .or_else(|| {
            t.goroutines
                .iter()
                .find(|g| g.id == 1 && user_frame(&g.frames).is_some())
        })
        .or_else(|| {
            t.goroutines
                .iter()
                .find(|g| g.is_waiting() && user_frame(&g.frames).is_some())
        })
        // A deadlock raised as a panic (testing/synctest's "all goroutines
        // in bubble are blocked") may show only the goroutine that ran the
        // bubble.
        .or_else(|| {
            t.goroutines
                .iter()
                .find(|g| user_frame(&g.frames).is_some())
        })
}
/// What main waits for in `sync.WaitGroup.Wait`, or in a standard-library
/// call that waits for goroutines it started, when the program's other
/// blocked goroutines show where the work stalled.
pub(crate) struct Awaited<'r, 'a> {
    /// The call main waits in.
    pub waits_in: &'a str,
    /// The goroutine where it stalled.
    pub goroutine: &'r Goroutine<'a>,
    /// How many goroutines main waits for.
    pub count: usize,
    /// Of them, those queued on a lock the stalled goroutine holds.
    pub behind_its_lock: usize,
}

impl Awaited<'_, '_> {
    /// How the title says what main waits for.
    pub(crate) fn words(&self) -> String {
        let g = self.goroutine;
        if self.waits_in != WAIT_GROUP_WAIT {
            return format!(
                "main waits in {} for goroutines {} started; {} of them {} blocked in [{}] in the program's {}",
                self.waits_in,
                godiag_model::goroutine::package_of(self.waits_in),
                self.count,
                if self.count == 1 { "is" } else { "are" },
                g.status,
                user_frame(&g.frames).map_or("code", |f| f.function)
            );
        }
        if self.behind_its_lock > 0 {
            format!(
                "main waits in [sync.WaitGroup.Wait] for {} goroutines: {} is blocked in [{}] holding the lock the {} other{} wait for",
                self.count,
                g.name(),
                g.status,
                self.behind_its_lock,
                if self.behind_its_lock == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "main waits in [sync.WaitGroup.Wait] for {} goroutine{} blocked in [{}]",
                self.count,
                if self.count == 1 { "" } else { "s" },
                g.status
            )
        }
    }
}

/// Main parked in `sync.WaitGroup.Wait` while goroutines of the program
/// are blocked elsewhere (a `Cond.Wait` no one signals, a channel, a
/// lock), all at one place: those are what main waits on, and what
/// stalled. Or at two or more places of one function, all but one queued
/// on a lock above the other's line: that one passed the lock and holds it
/// while blocked (a send made under the lock that nobody receives).
pub(crate) fn awaited_by_main<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<Awaited<'r, 'a>> {
    let in_wait_group = |g: &Goroutine<'_>| waits_in_library(g, |f| f == WAIT_GROUP_WAIT);
    let main = t.goroutines.iter().find(|g| g.id == 1)?;
    if !in_wait_group(main) {
        return awaited_in_library(t, main);
    }
    let mut places: Vec<((&str, u32), usize, &Goroutine<'a>)> = Vec::new();
    for g in t
        .goroutines
        .iter()
        .filter(|g| g.id != 1 && g.is_waiting() && !in_wait_group(g) && !is_bystander(g))
    {
        let Some(u) = user_frame(&g.frames) else {
            continue;
        };
        let place = (u.function, u.line);
        match places.iter_mut().find(|(p, _, _)| *p == place) {
            Some(entry) => entry.1 += 1,
            None => places.push((place, 1, g)),
        }
    }
    let count = places.iter().map(|(_, n, _)| n).sum();
    // All at one place: there the work stalled. Spread over several, the
    // program's own coordination is in question (a wait group's Add racing
    // its Wait, evanw/esbuild#2485), and main's wait is the one reported,
    // unless the lock's holder shows.
    if let [(_, _, g)] = places.as_slice() {
        return Some(Awaited {
            waits_in: WAIT_GROUP_WAIT,
            goroutine: g,
            count,
            behind_its_lock: 0,
        });
    }
    let (queued, others): (Vec<_>, Vec<_>) = places
        .iter()
        .partition(|(_, _, g)| waits_in_library(g, is_lock_call));
    let [((function, line), _, holder)] = others.as_slice() else {
        return None;
    };
    let behind = queued
        .iter()
        .all(|((f, l), _, _)| f == function && l < line);
    (behind && !queued.is_empty()).then(|| Awaited {
        waits_in: WAIT_GROUP_WAIT,
        goroutine: holder,
        count,
        behind_its_lock: queued.iter().map(|(_, n, _)| n).sum(),
    })
}

pub(crate) const WAIT_GROUP_WAIT: &str = "sync.(*WaitGroup).Wait";

/// A call among a goroutine's standard-library frames above the program's
/// (above them, as the runtime's parking frames come first in a core's
/// stacks) that `is` picks: what the goroutine waits in.
fn waits_in_library(g: &Goroutine<'_>, is: impl Fn(&str) -> bool) -> bool {
    g.frames
        .iter()
        .take_while(|f| f.is_stdlib())
        .any(|f| is(f.function))
}

/// A goroutine queued in `RWMutex.RLock` while another of the same package
/// waits in `RWMutex.Lock`: a reader blocks only behind a waiting writer,
/// and the writer waits for the read lock's holders. When a holder is the
/// queued reader itself, taking the read lock again (which `sync.RWMutex`
/// forbids), neither moves (authzed/spicedb#1485: rudd's `ismarked` under
/// `allnodesfrom`'s read lock, a finalizer's Lock between them). The
/// reader is the one to change; the writer only waits.
///
/// When one other goroutine of that package is blocked elsewhere (on a
/// channel, a wait group), it likely holds the read lock across that wait:
/// it is blamed instead, and the reader is innocent. With several, which
/// one holds it is unknown, and none is.
pub(crate) struct ReaderBehindWriter<'r, 'a> {
    pub reader: &'r Goroutine<'a>,
    pub writer: &'r Goroutine<'a>,
    /// The one goroutine of the package blocked elsewhere.
    pub holder: Option<&'r Goroutine<'a>>,
}

pub(crate) fn reader_behind_writer<'r, 'a>(
    t: &'r TextArtifact<'a>,
) -> Option<ReaderBehindWriter<'r, 'a>> {
    let waiting_in =
        |g: &Goroutine<'_>, call: &str| g.is_waiting() && waits_in_library(g, |f| f == call);
    let package = |g: &Goroutine<'a>| {
        user_frame(&g.frames).map(|u| godiag_model::goroutine::package_of(u.function))
    };
    let mut writers = t
        .goroutines
        .iter()
        .filter(|g| waiting_in(g, "sync.(*RWMutex).Lock"));
    let writer = writers.next()?;
    let lock_package = package(writer)?;
    if writers.any(|w| package(w) != Some(lock_package)) {
        return None;
    }
    let reader = t
        .goroutines
        .iter()
        .find(|g| waiting_in(g, "sync.(*RWMutex).RLock") && package(g) == Some(lock_package))?;
    // Another goroutine of that package blocked elsewhere (on a channel,
    // a wait group) may be the one holding the read lock across its wait:
    // then the queued reader is innocent.
    // A goroutine waiting for the others to finish (`WaitGroup.Wait`,
    // main as a rule) is not taken for the holder.
    let mut elsewhere = t.goroutines.iter().filter(|g| {
        g.is_waiting()
            && !waiting_in(g, "sync.(*RWMutex).Lock")
            && !waiting_in(g, "sync.(*RWMutex).RLock")
            && !waiting_in(g, WAIT_GROUP_WAIT)
            && package(g) == Some(lock_package)
    });
    let holder = elsewhere.next();
    if elsewhere.next().is_some() {
        return None;
    }
    Some(ReaderBehindWriter {
        reader,
        writer,
        holder,
    })
}

impl<'r, 'a> ReaderBehindWriter<'r, 'a> {
    /// The goroutine to change: the holder blocked elsewhere, else the
    /// reader that took the lock again.
    pub(crate) fn blamed(&self) -> &'r Goroutine<'a> {
        self.holder.unwrap_or(self.reader)
    }

    /// How a title says it.
    pub(crate) fn words(&self) -> String {
        if let Some(h) = self.holder {
            return format!(
                "{} waits in [{}] for the read lock's holders and {} is queued behind it in [{}]; {}, blocked in [{}], likely holds the read lock across that wait",
                self.writer.name(),
                self.writer.status,
                self.reader.name(),
                self.reader.status,
                h.name(),
                h.status
            );
        }
        format!(
            "{} waits in [{}] behind {}'s pending Lock in [{}]: a goroutine that takes a read lock it already holds blocks once a writer waits, and the writer waits for it",
            self.reader.name(),
            self.reader.status,
            self.writer.name(),
            self.writer.status
        )
    }
}

/// Main parked inside a standard-library call that waits for goroutines
/// that package started (`os/exec.(*Cmd).Wait` for the copiers
/// `(*Cmd).Start` made), while those run the program's code given to it (an
/// `io.Writer`) and are blocked there, all at one place: there the work
/// stalled, not in main (rs/curlie#76: a `Write` that waits on a channel
/// no one sends to).
fn awaited_in_library<'r, 'a>(
    t: &'r TextArtifact<'a>,
    main: &'r Goroutine<'a>,
) -> Option<Awaited<'r, 'a>> {
    // The test harness waits for the test it started: not a library
    // waiting on the program's callbacks (the test's own waits are read
    // as a program's).
    let calls: Vec<&Frame<'a>> = main
        .frames
        .iter()
        .take_while(|f| f.is_stdlib())
        .filter(|f| !f.is_runtime() && !f.function.starts_with("sync."))
        .collect();
    if calls.iter().any(|f| f.function.starts_with("testing.")) {
        return None;
    }
    // Named by what the program called (`os/exec.(*Cmd).Run`), not the
    // package's inner wait (`awaitGoroutines`).
    let call = calls.last()?;
    let package_of = godiag_model::goroutine::package_of;
    let mut stalled: Option<(&Goroutine<'a>, (&str, u32))> = None;
    let mut count = 0;
    for g in t.goroutines.iter().filter(|g| g.id != 1 && g.is_waiting()) {
        let started_there = g.created_by.as_ref().is_some_and(|c| {
            let package = package_of(c.function);
            calls.iter().any(|f| package_of(f.function) == package)
        });
        let Some(u) = user_frame(&g.frames).filter(|_| started_there) else {
            continue;
        };
        // Waiting for a lock, its goroutine waits for the holder, main
        // likely (a lock held across the call): the cycle is main's.
        if waits_in_library(g, is_lock_call) {
            return None;
        }
        match stalled {
            Some((_, place)) if place != (u.function, u.line) => return None,
            Some(_) => {}
            None => stalled = Some((g, (u.function, u.line))),
        }
        count += 1;
    }
    let (goroutine, _) = stalled?;
    Some(Awaited {
        waits_in: call.function,
        goroutine,
        count,
        behind_its_lock: 0,
    })
}

/// Goroutines parked taking a `sync.Mutex` or `sync.RWMutex` (the status
/// names it since Go 1.20; before, `semacquire` under a Lock frame).
pub(crate) fn is_lock_wait(g: &GoroutineGroup<'_>) -> bool {
    matches!(
        g.status,
        "sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock"
    ) || (g.status == "semacquire"
        && g.frames
            .iter()
            .take(4)
            .any(|f| is_lock_call(f.function) || f.function.starts_with("sync.(*Mutex).lockSlow")))
}

/// `sync`'s calls that take a lock.
fn is_lock_call(function: &str) -> bool {
    matches!(
        function,
        "sync.(*Mutex).Lock" | "sync.(*RWMutex).Lock" | "sync.(*RWMutex).RLock"
    )
}

pub(crate) fn stuck_lock_finding(
    input: &TextInput<'_, '_>,
    g: &GoroutineGroup<'_>,
    minutes: u32,
) -> Finding {
    // A reporter's excerpt may show a lock waiter without its wait time.
    let waiting = match minutes {
        0 => "waiting".to_string(),
        1 => "waiting at least 1 minute".to_string(),
        m => format!("waiting at least {m} minutes"),
    };
    let mut f = Finding::new(
        FindingKind::Deadlock,
        format!(
            "possible deadlock: {} goroutine{} {waiting} for a lock ([{}]): its holder never released it",
            g.count,
            if g.count == 1 { "" } else { "s" },
            g.status
        ),
        if minutes >= 10 {
            Confidence::Medium
        } else {
            Confidence::Low
        },
    );
    f.location = user_frame(&g.frames).map(Location::from);
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "{}, blocked taking a lock{}",
            crate::frames::share_sentence(g.count),
            if minutes == 0 {
                String::new()
            } else {
                format!(" for {minutes}+ minutes")
            }
        ),
        input: input.index,
        offset: None,
        lines: g.frames.iter().take(4).map(frame_line).collect(),
        goroutines: Some(g.count as u64),
    });
    f.next_steps = vec![
        "Find the goroutine that holds the lock: in the same dump, one that passed this Lock and is blocked elsewhere (on a channel, I/O, or another lock)".into(),
        "A core dump or `godiag` on a second dump shows whether the waiters ever move".into(),
    ]
    .into_iter()
    .chain(next_steps(FindingKind::Deadlock))
    .collect();
    f
}

/// Goroutines that are not the program's own: the runtime's (GC workers,
/// finalizers, g0 in SIGQUIT dumps). The goroutine writing a debug=2 dump is
/// the program's: while it runs, the program is not deadlocked.
fn is_bystander(g: &Goroutine<'_>) -> bool {
    (g.id == 0 && !g.headerless && !g.id_hidden)
        || (g.frames.iter().all(|f| f.is_runtime())
            && g.created_by.as_ref().is_none_or(|c| c.is_runtime()))
}

/// A dump (no crash) in which every goroutine of the program waits for
/// another one: nothing running, runnable, sleeping or in I/O. The runtime only
/// reports a deadlock when *all* goroutines are asleep; this also finds the
/// case it cannot see (a timer or the network poller keeps it quiet).
pub(crate) fn dump_deadlock(input: &TextInput<'_, '_>) -> Option<Finding> {
    let t = input.artifact;
    if (t.crash.is_failure() && !t.is_dump_request()) || t.goroutines.is_empty() {
        return None;
    }
    // Every dump of a live program holds its main goroutine: without it,
    // this is an excerpt, and what the rest of the program did is unknown.
    if !t.goroutines.iter().any(|g| g.id == 1) {
        return None;
    }
    // Cheap test first: one goroutine of the program that is not waiting
    // for a peer rules the finding out.
    if t.goroutines
        .iter()
        .any(|g| !blocked_on_peer(g.status) && !is_bystander(g))
    {
        return None;
    }
    let program: Vec<&Goroutine<'_>> = t.goroutines.iter().filter(|g| !is_bystander(g)).collect();
    if program.is_empty() {
        return None;
    }
    // A select may have a timer case, a receive may be on a ticker: from text
    // alone that cannot be ruled out.
    let timers_possible = program
        .iter()
        .any(|g| g.status.starts_with("select") && g.status != "select (no cases)");
    // Main idling in `select {}` is a server kept alive on purpose; with a
    // select that may wait on a timer (a ticker's channel), the runtime
    // itself would not call it dead, and nothing here says it is
    // (attach to a server with 20,000 workers on a ticker).
    let main_idles = program
        .iter()
        .any(|g| g.id == 1 && g.status == "select (no cases)");
    if main_idles && timers_possible {
        return None;
    }
    // Main waiting for workers all stalled at one place: that place.
    let awaited = awaited_by_main(t);
    let main = awaited
        .as_ref()
        .map(|a| a.goroutine)
        .or_else(|| program.iter().find(|g| g.id == 1).copied())
        .or(program.first().copied())?;
    let program_total: u64 = program.iter().map(|g| g.weight()).sum();
    let mut f = Finding::new(
        FindingKind::Deadlock,
        if program_total == 1 {
            format!(
                "possible deadlock: the program's only goroutine, {}, waits in [{}] with nothing left to wake it",
                main.id, main.status
            )
        } else {
            match &awaited {
                Some(a) => format!(
                    "possible deadlock: all {} goroutines of the program are blocked; {}",
                    program_total,
                    a.words()
                ),
                None => format!(
                    "possible deadlock: all {} goroutines of the program wait for each other; {} waits in [{}]",
                    program_total,
                    main.name(),
                    main.status
                ),
            }
        },
        if timers_possible {
            Confidence::Low
        } else {
            Confidence::Medium
        },
    );
    f.goroutine = main.known_id();
    f.location = user_frame(&main.frames).map(Location::from);
    let mut by_status: Vec<(&str, u64)> = Vec::new();
    for g in &program {
        match by_status.iter_mut().find(|(s, _)| *s == g.status) {
            Some((_, n)) => *n += g.weight(),
            None => by_status.push((g.status, g.weight())),
        }
    }
    let waits = crate::corerules::wait_fact(std::iter::once(main), &t.goroutines)
        .map(|w| format!("; {}: {}", main.name(), w.sentence))
        .unwrap_or_default();
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "no goroutine is running, runnable, sleeping or in I/O: {}{waits}",
            by_status
                .iter()
                .map(|(s, n)| format!("{n} in [{s}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        input: input.index,
        offset: Some(main.offset),
        lines: user_frame(&main.frames)
            .map(frame_line)
            .into_iter()
            .collect(),
        goroutines: None,
    });
    f.next_steps = next_steps(FindingKind::Deadlock);
    if timers_possible {
        f.next_steps.insert(
            0,
            "A goroutine in [select] may be waiting on a timer: take a second dump a minute later; if nothing moved, it is stuck".into(),
        );
    }
    Some(f)
}

/// The wait of a goroutine pasted without its header (status `unknown`):
/// the blocking call of the runtime or `sync` its top frames show
/// (charmbracelet/bubbletea#741 pasted a stack from `sync.(*Mutex).Lock`
/// down, its header cut).
pub(crate) fn wait_of_headless(frames: &[Frame<'_>]) -> Option<&'static str> {
    frames.iter().take(4).find_map(|f| match f.function {
        // An empty select reads as a select here.
        "runtime.block" => Some("select"),
        name => godiag_model::goroutine::wait_of_blocking_call(name),
    })
}

/// Statuses in which a goroutine waits for another goroutine (not for I/O or time).
pub(crate) fn blocked_on_peer(status: &str) -> bool {
    status.starts_with("chan ")
        || status.starts_with("select")
        || status.starts_with("sync.")
        || status == "semacquire"
}
