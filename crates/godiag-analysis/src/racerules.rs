//! Findings from the race detector's reports.

use godiag_model::Source;

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, past_runtime, user_frame};
use crate::input::TextInput;
use crate::steps::next_steps;

/// The first frame past the runtime and the race detector's own helpers
/// (`internal/race.WriteRange` under `syscall.Read`).
fn racing_std_frame<'g, 'a>(
    frames: &'g [godiag_model::Frame<'a>],
) -> Option<&'g godiag_model::Frame<'a>> {
    let helpers = frames
        .iter()
        .take_while(|f| f.in_runtime_package() || f.function.starts_with("internal/race."))
        .count();
    past_runtime(&frames[helpers..])
}

pub(crate) fn race_finding(
    input: &TextInput<'_, '_>,
    race: &godiag_model::RaceReport<'_>,
) -> Finding {
    let current = race
        .accesses
        .iter()
        .find(|a| !a.previous)
        .or(race.accesses.first());
    let previous = race.accesses.iter().find(|a| a.previous);
    let mut f = Finding::new(FindingKind::DataRace, "data race", Confidence::High);
    // The program's code in the current access; when that access is the
    // standard library's alone (net/http finishing a response the program
    // still writes to), the program's code in the previous one.
    let placed = current
        .into_iter()
        .chain(previous)
        .find_map(|a| user_frame(&a.frames).map(|frame| (a, frame)))
        .or_else(|| {
            // Else the standard library's code that raced, not the
            // runtime's map or copy routine it called (golang/go#31352).
            current.and_then(|a| {
                racing_std_frame(&a.frames)
                    .or(a.frames.first())
                    .map(|frame| (a, frame))
            })
        });
    if let Some((a, frame)) = placed {
        // 0: a placeholder of an abridged report, no goroutine's id.
        f.goroutine = Some(a.goroutine).filter(|&g| g != 0);
        f.location = Some(Location::from(frame));
    }
    if let (Some(a), Some(p)) = (current.filter(|a| !a.frames.is_empty()), previous) {
        let name = |frames| {
            user_frame(frames)
                .or_else(|| racing_std_frame(frames))
                .or(frames.first())
                .map_or("?", |x| x.function)
        };
        f.title = format!(
            "data race: {} in {} and {} in {}",
            a.op,
            name(&a.frames),
            p.op,
            name(&p.frames)
        );
    }
    let mut lines = Vec::new();
    for a in &race.accesses {
        lines.push(format!(
            "{}{}{} by {}{}",
            if a.previous { "previous " } else { "" },
            a.op,
            // Releases before Go 1.6 printed no address.
            if a.addr == 0 {
                String::new()
            } else {
                format!(" at {:#x}", a.addr)
            },
            goroutine_name(a.goroutine),
            user_frame(&a.frames)
                .map(|x| format!(": {}", frame_line(x)))
                .unwrap_or_default()
        ));
    }
    for g in &race.goroutines {
        lines.push(format!(
            "{} ({}) created at {}",
            goroutine_name(g.id),
            g.state,
            user_frame(&g.created_at)
                .map(frame_line)
                .unwrap_or_default()
        ));
    }
    f.confirm(Evidence {
        source: Source::Race,
        summary: "the race detector saw two unsynchronised accesses to one address".into(),
        input: input.index,
        offset: Some(race.offset),
        lines,
        goroutines: None,
    });
    f.next_steps = next_steps(FindingKind::DataRace);
    f
}

/// `goroutine N`; an abridged report's placeholder (read as 0) names none.
fn goroutine_name(id: u64) -> String {
    match id {
        0 => "a goroutine".into(),
        n => format!("goroutine {n}"),
    }
}
