//! `panic: test timed out after D`: `go test`'s alarm went off. The alarm
//! is not the failure: the hung test is, a goroutine blocked in the
//! program's code. The harness's own goroutines (the alarm, `T.Run` waiting
//! for its subtest, `M.Run` under `TestMain`, parallel tests paused until
//! their turn) only wait for it, so they locate nothing; when no other
//! goroutine is in the input, the hang has no location.

use godiag_model::{Crash, Goroutine, TextArtifact};

use crate::frames::{name_in_package, user_frame};

/// `test timed out after 10m0s (running TestX)`: the message's first line
/// and the tests the reader found under `running tests:`.
pub(crate) fn timeout_headline(message: &str, c: &Crash<'_>) -> String {
    let first = message.lines().next().unwrap_or("").trim_end();
    if c.running_tests.is_empty() {
        first.to_string()
    } else {
        let shown: Vec<&str> = c.running_tests.iter().take(3).map(String::as_str).collect();
        format!("{first} (running {})", shown.join(", "))
    }
}

/// A goroutine of the testing package's own: the alarm, a test waiting for
/// its subtests or its turn, or `M.Run`.
fn is_harness(g: &Goroutine<'_>) -> bool {
    let first = g.frames.iter().find(|f| !f.is_runtime());
    first.is_some_and(|f| {
        f.function.starts_with("testing.(*M).startAlarm")
            || matches!(
                f.function,
                "testing.(*T).Run"
                    | "testing.(*T).Parallel"
                    | "testing.(*testContext).waitParallel"
                    | "testing.runTests"
                    | "testing.(*M).Run"
                    | "testing.tRunner"
            )
    })
}

/// Whether one of its frames is a running test's function or a closure of
/// it (`pkg.TestX`, `pkg.TestX.func1`; a subtest `TestX/case` runs in
/// `TestX`'s closures).
fn runs_test(g: &Goroutine<'_>, tests: &[String]) -> bool {
    g.frames.iter().any(|f| {
        let name = name_in_package(f.function);
        tests.iter().any(|t| {
            let top = t.split('/').next().unwrap_or(t);
            name == top || name.strip_prefix(top).is_some_and(|r| r.starts_with('.'))
        })
    })
}

/// The goroutine of the hung test: blocked, in the program's code, not the
/// harness's; one running a listed test first, then the longest waiting.
pub(crate) fn hung_test_goroutine<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<&'r Goroutine<'a>> {
    let tests = &t.crash.running_tests;
    t.goroutines
        .iter()
        .filter(|g| g.is_waiting() && !is_harness(g) && user_frame(&g.frames).is_some())
        .enumerate()
        .max_by_key(|(i, g)| {
            (
                runs_test(g, tests),
                g.wait_minutes.unwrap_or(0),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, g)| g)
}

/// What the hung test waits for, when it waits on a channel, a wait group
/// or a select and every goroutine it started is blocked at one place of
/// the program (a `Cond.Wait` nobody signals, a lock, a channel nobody
/// serves): there the test stalled, not at its own wait.
pub(crate) fn stalled_child<'r, 'a>(
    t: &'r TextArtifact<'a>,
    hung: &Goroutine<'a>,
) -> Option<&'r Goroutine<'a>> {
    let waits_for_others = hung.status.starts_with("chan ")
        || hung.status.starts_with("select")
        || matches!(hung.status, "sync.WaitGroup.Wait" | "semacquire");
    if !waits_for_others {
        return None;
    }
    let children: Vec<&Goroutine<'a>> = t
        .goroutines
        .iter()
        .filter(|g| g.parent == Some(hung.id) && g.id != hung.id)
        .collect();
    let first = children.first()?;
    let at = user_frame(&first.frames)?;
    children
        .iter()
        .all(|g| {
            g.is_waiting()
                && user_frame(&g.frames)
                    .is_some_and(|u| u.function == at.function && u.line == at.line)
        })
        .then_some(*first)
}
