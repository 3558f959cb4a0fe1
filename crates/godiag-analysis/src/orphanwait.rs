//! A `sync.WaitGroup.Wait` nothing can end: the goroutines that would call
//! `Done` are those the waiting function started, and none of them is left
//! (one returned without `Done`), nor was any other goroutine passed the
//! wait group. The runtime cannot see it while other goroutines run.

use godiag_model::Goroutine;

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, user_frame};
use crate::input::TextInput;
use crate::steps::next_steps;
use crate::waitgraph::first_address;

use crate::deadlockrules::WAIT_GROUP_WAIT as WAIT;

/// The wait group's address: `Wait`'s receiver, when printed and saved.
fn wait_group_of(g: &Goroutine<'_>) -> Option<u64> {
    let f = g.frames.iter().take(8).find(|f| f.function == WAIT)?;
    first_address(f)
}

/// Started by `function` or one of its closures (`F.func1`, `F.gowrap2`).
fn started_by(g: &Goroutine<'_>, function: &str) -> bool {
    g.created_by.as_ref().is_some_and(|c| {
        c.function == function
            || c.function
                .strip_prefix(function)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

pub(crate) fn orphaned_wait_group(input: &TextInput<'_, '_>) -> Option<Finding> {
    let all = &input.artifact.goroutines;
    // A dump of every goroutine: an excerpt may have left the workers out.
    if !all.iter().any(|g| g.id == 1) || all.iter().any(|g| g.aggregated.is_some()) {
        return None;
    }
    let (g, at, wg) = all.iter().find_map(|g| {
        if !g.is_waiting() || !g.frames.iter().take(8).any(|f| f.function == WAIT) {
            return None;
        }
        let at = user_frame(&g.frames)?;
        Some((g, at, wait_group_of(g)))
    })?;
    let waiter = at.function;
    if all.iter().any(|o| started_by(o, waiter)) {
        return None;
    }
    // Nor was the wait group (or a struct holding it) passed elsewhere,
    // where its address was printed; a local group's often is not.
    let passed_elsewhere = wg.is_some_and(|wg| {
        all.iter().filter(|o| o.id != g.id).any(|o| {
            o.frames
                .iter()
                .flat_map(|f| f.arg_words())
                .filter_map(|w| w.value)
                .any(|a| a <= wg && wg - a < 256)
        })
    });
    // Nor is the program working elsewhere: a pool started by another
    // function, running or in I/O, may hold the group's Done.
    // The goroutine writing the dump (`runtime/pprof`) is not such work.
    let writes_the_dump = |o: &Goroutine<'_>| {
        o.frames
            .iter()
            .any(|f| f.function.starts_with("runtime/pprof."))
    };
    let working_elsewhere = all.iter().filter(|o| o.id != g.id).any(|o| {
        user_frame(&o.frames).is_some()
            && !writes_the_dump(o)
            && (matches!(o.status, "running" | "runnable" | "syscall")
                || o.status.starts_with("IO wait"))
    });
    if passed_elsewhere || working_elsewhere {
        return None;
    }
    let minutes = g.wait_minutes.unwrap_or(0);
    let mut f = Finding::new(
        FindingKind::Deadlock,
        format!(
            "deadlock: {waiter} waits in sync.WaitGroup.Wait{}, and no goroutine it started is left to call Done",
            if minutes > 0 {
                format!(" for {minutes} minutes")
            } else {
                String::new()
            }
        ),
        // Waiting minutes rules out workers just finishing.
        if minutes >= 1 {
            Confidence::Medium
        } else {
            Confidence::Low
        },
    );
    f.location = Some(Location::from(at));
    f.goroutine = g.known_id();
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "goroutine {} waits on the wait group{}; no goroutine was created by {waiter}, no other was passed the group, and none of the program's is running",
            g.id,
            wg.map(|a| format!(" {a:#x}")).unwrap_or_default()
        ),
        input: input.index,
        offset: None,
        lines: g.frames.iter().take(4).map(frame_line).collect(),
        goroutines: Some(1),
    });
    f.next_steps = next_steps(FindingKind::Deadlock);
    Some(f)
}
