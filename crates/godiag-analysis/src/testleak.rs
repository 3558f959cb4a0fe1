//! Goroutines a test's leak checker (goleak, leaktest) listed as still
//! running after the test ended: a leak by the checker's verdict, one
//! finding over all of them, located where the first listed one with a frame
//! of the program waits.

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, past_runtime, share_sentence, user_frame};
use crate::input::TextInput;

/// What to do about goroutines a test left behind.
const STEPS: &[&str] = &[
    "Stop what the test started before it returns: cancel its contexts, close the clients, servers, channels and tickers it made (`t.Cleanup`, `defer`).",
    "Run the one test alone with the checker (`goleak.VerifyNone(t)`, `-run`, `-count=1`) to see which of its goroutines is left, then follow that goroutine's `created by` line to the code that started it.",
];

pub(crate) fn checker_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let listed: Vec<_> = input
        .groups
        .iter()
        .filter(|g| g.outlived_test > 0)
        .collect();
    let first = listed.first()?;
    // Placed at the first listed goroutine the program can change; one of
    // the standard library's alone (a Transport's connection loop) is
    // placed where it waits. A leaked database handle lists its
    // `connectionOpener` before the program's own loop
    // (gravitational/teleport#13841).
    let placed = listed
        .iter()
        .find(|g| user_frame(&g.frames).is_some())
        .unwrap_or(first);
    let total: usize = listed.iter().map(|g| g.outlived_test).sum();
    // Some checkers (etcd's) print the stacks without their headers.
    let state = |g: &godiag_model::GoroutineGroup<'_>| {
        (g.status != "unknown").then(|| format!("in [{}]", g.status))
    };
    let placed_state = state(placed).map(|s| {
        let which = match listed.len() {
            1 => "",
            _ if std::ptr::eq(*placed, *first) => "the first ",
            _ => "one ",
        };
        format!(", {which}{s}")
    });
    let mut f = Finding::new(
        FindingKind::GoroutineLeak,
        format!(
            "goroutine leak: {} still running after the test ended{} (a leak checker's report)",
            if total == 1 {
                "a goroutine was".to_string()
            } else {
                format!("{total} goroutines were")
            },
            placed_state.unwrap_or_default(),
        ),
        Confidence::High,
    );
    f.location = user_frame(&placed.frames)
        .or_else(|| past_runtime(&placed.frames))
        .map(Location::from);
    for g in listed.iter().take(4) {
        f.confirm(Evidence {
            source: input.source(),
            summary: format!(
                "{}, listed by the checker{}",
                share_sentence(g.count),
                state(g).map(|s| format!(", {s}")).unwrap_or_default()
            ),
            input: input.index,
            offset: None,
            lines: g.frames.iter().take(4).map(frame_line).collect(),
            goroutines: Some(g.outlived_test as u64),
        });
    }
    f.next_steps = STEPS.iter().map(|s| s.to_string()).collect();
    Some(f)
}
