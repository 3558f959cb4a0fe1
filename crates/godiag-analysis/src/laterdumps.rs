//! What a later dump of the same process says about a deadlock an earlier
//! one showed: goroutines of a deadlock never move again, so one that did
//! (another state, another line, or gone) contradicts it: the program was
//! slow, not stuck.

use godiag_model::Goroutine;

use crate::finding::{Confidence, Evidence, Finding, FindingKind};
use crate::frames::user_frame;
use crate::input::TextInput;

/// Checks each deadlock among named goroutines against the dumps that did
/// not show it and were captured after the first one that did (by capture
/// time when both have one, else in the order given).
pub fn check_later_dumps(findings: &mut [Finding], inputs: &[TextInput<'_, '_>]) {
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == FindingKind::Deadlock && !f.goroutines.is_empty())
    {
        let shown_in: Vec<usize> = f.evidence.iter().map(|e| e.input).collect();
        let Some(first) = inputs.iter().find(|i| shown_in.contains(&i.index)) else {
            continue;
        };
        // A later dump that showed the deadlock too may still show its
        // goroutines moved on: a shorter wait at the same place.
        let mut contradicted = false;
        for later in inputs
            .iter()
            .filter(|i| i.index != first.index && captured_after(i, first))
        {
            if let Some(moved) = moved_on(&f.goroutines, first, later) {
                contradict(f, later, moved);
                contradicted = true;
                break;
            }
        }
        if contradicted {
            continue;
        }
        // A later dump of the same process with every named goroutine it
        // holds still where the deadlock had it: nothing moved in between,
        // which one dump cannot show.
        if let Some(later) = inputs
            .iter()
            .filter(|i| i.index != first.index && captured_after(i, first))
            .find(|later| still_stuck(&f.goroutines, first, later))
        {
            confirm_still_stuck(f, later);
        }
    }
}

/// Every named goroutine `later` holds is the same goroutine in the same
/// state at the same line as in `first`, waiting at least as long, and the
/// later dump shows a wait of a minute or more: the same place alone could
/// be a goroutine that moved on and came back (a slow holder, a lock taken
/// in a loop), a wait that went on could not.
fn still_stuck(ids: &[u64], first: &TextInput<'_, '_>, later: &TextInput<'_, '_>) -> bool {
    let mut timed = false;
    for &id in ids {
        let (Some(before), Some(after)) = (goroutine(first, id), goroutine(later, id)) else {
            continue;
        };
        if !same_goroutine(before, after)
            || before.status != after.status
            || place(before) != place(after)
            || after.wait_minutes.unwrap_or(0) < before.wait_minutes.unwrap_or(0)
        {
            return false;
        }
        timed |= after.wait_minutes.is_some();
    }
    timed
}

fn confirm_still_stuck(f: &mut Finding, later: &TextInput<'_, '_>) {
    let waited = later
        .artifact
        .goroutines
        .iter()
        .filter(|g| f.goroutines.contains(&g.id))
        .filter_map(|g| g.wait_minutes)
        .max()
        .map(|m| format!(" ({m} minutes waiting)"))
        .unwrap_or_default();
    f.evidence.push(Evidence {
        source: later.source(),
        summary: format!(
            "a later dump shows the same goroutines in the same states at the same lines{waited}: nothing moved in between"
        ),
        input: later.index,
        offset: None,
        lines: Vec::new(),
        goroutines: None,
    });
    f.confidence = match f.confidence {
        Confidence::Low => Confidence::Medium,
        _ => Confidence::High,
    };
    // The second dump the steps would ask for is this one.
    f.next_steps
        .retain(|s| !crate::steps::asks_for_a_later_dump(s));
}

/// `later` was captured after `first`.
fn captured_after(later: &TextInput<'_, '_>, first: &TextInput<'_, '_>) -> bool {
    match (later.captured_at, first.captured_at) {
        (Some(l), Some(f)) => l > f,
        _ => later.index > first.index,
    }
}

/// The first named goroutine that `later` shows elsewhere than `first`
/// did: the goroutine in both (same id, started by the same `go`
/// statement, so the same goroutine of the same process), and a line for
/// the evidence. A goroutine `later` lacks is not counted: a dump may be
/// an excerpt.
fn moved_on(ids: &[u64], first: &TextInput<'_, '_>, later: &TextInput<'_, '_>) -> Option<String> {
    for &id in ids {
        let (Some(before), Some(after)) = (goroutine(first, id), goroutine(later, id)) else {
            continue;
        };
        if !same_goroutine(before, after) {
            // Ids are reused across processes: another run, not a later dump.
            return None;
        }
        // A shorter wait than before: woken and parked again at the same
        // place (a lock taken and released meanwhile).
        let waited_less = before
            .wait_minutes
            .is_some_and(|b| after.wait_minutes.unwrap_or(0) < b);
        if before.status != after.status || place(before) != place(after) || waited_less {
            let at = user_frame(&after.frames)
                .map(|f| format!(" at {} ({}:{})", f.function, f.file, f.line))
                .unwrap_or_default();
            let same_place = before.status == after.status && place(before) == place(after);
            return Some(match (same_place, before.wait_minutes) {
                (true, Some(b)) => format!(
                    "goroutine {id} [{}]{at} waiting {}, where the earlier dump had it waiting {b} minutes",
                    after.status,
                    after
                        .wait_minutes
                        .map_or("under a minute".to_string(), |a| format!("{a} minutes"))
                ),
                _ => format!(
                    "goroutine {id} [{}]{at}, where the deadlock had it [{}]",
                    after.status, before.status
                ),
            });
        }
    }
    None
}

fn goroutine<'i, 'a>(input: &'i TextInput<'_, 'a>, id: u64) -> Option<&'i Goroutine<'a>> {
    input
        .artifact
        .goroutines
        .iter()
        .find(|g| g.id == id && !g.id_hidden)
}

/// Where a goroutine is: its program's innermost frame.
fn place<'a>(g: &Goroutine<'a>) -> Option<(&'a str, u32)> {
    user_frame(&g.frames).map(|f| (f.function, f.line))
}

fn same_goroutine(a: &Goroutine<'_>, b: &Goroutine<'_>) -> bool {
    match (&a.created_by, &b.created_by) {
        (Some(x), Some(y)) => x.function == y.function && x.line == y.line,
        (None, None) => true,
        _ => false,
    }
}

fn contradict(f: &mut Finding, later: &TextInput<'_, '_>, moved: String) {
    let source = later.source();
    f.contradict(
        Evidence {
            source,
            summary: format!(
                "a later dump shows {moved}: it moved on, so these goroutines were waiting, not deadlocked (slow holders, a lock or channel contended)"
            ),
            input: later.index,
            offset: None,
            lines: Vec::new(),
            goroutines: None,
        },
        "a later dump",
    );
    f.confidence = Confidence::Low;
}
