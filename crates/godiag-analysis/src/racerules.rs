//! Findings from the race detector's reports.

use godiag_model::Source;

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, user_frame};
use crate::input::TextInput;
use crate::steps::next_steps;

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
    if let Some(a) = current {
        f.goroutine = Some(a.goroutine);
        f.location = user_frame(&a.frames)
            .or(a.frames.first())
            .map(Location::from);
        if let (Some(p), Some(loc)) = (previous, &f.location) {
            let prev_loc = user_frame(&p.frames).or(p.frames.first());
            f.title = format!(
                "data race: {} in {} and {} in {}",
                a.op,
                loc.function,
                p.op,
                prev_loc.map_or("?", |x| x.function)
            );
        }
    }
    let mut lines = Vec::new();
    for a in &race.accesses {
        lines.push(format!(
            "{}{}{} by goroutine {}{}",
            if a.previous { "previous " } else { "" },
            a.op,
            // Releases before Go 1.6 printed no address.
            if a.addr == 0 {
                String::new()
            } else {
                format!(" at {:#x}", a.addr)
            },
            a.goroutine,
            user_frame(&a.frames)
                .map(|x| format!(": {}", frame_line(x)))
                .unwrap_or_default()
        ));
    }
    for g in &race.goroutines {
        lines.push(format!(
            "goroutine {} ({}) created at {}",
            g.id,
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
