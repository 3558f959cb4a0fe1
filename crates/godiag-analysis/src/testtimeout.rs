//! `panic: test timed out after D`: `go test`'s alarm went off. The alarm
//! is not the failure: the hung test is, a goroutine blocked in the
//! program's code. The harness's own goroutines (the alarm, `T.Run` waiting
//! for its subtest, `M.Run` under `TestMain`) only wait for it, so they
//! locate nothing; when no other goroutine is in the input, the hang has
//! no location.

use godiag_model::{Goroutine, TextArtifact};

use crate::frames::user_frame;

pub(crate) fn is_test_timeout(message: &str) -> bool {
    message.starts_with("test timed out after ")
}

/// `test timed out after 10m0s (running TestX)`: the first line, with the
/// tests Go 1.21+ lists under `running tests:` (`\tTestX (10m0s)`).
pub(crate) fn timeout_headline(message: &str) -> String {
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("").trim_end();
    let running: Vec<&str> = lines
        .skip_while(|l| l.trim() != "running tests:")
        .skip(1)
        .map_while(|l| {
            l.trim()
                .split(" (")
                .next()
                .filter(|n| n.starts_with("Test"))
        })
        .take(3)
        .collect();
    if running.is_empty() {
        first.to_string()
    } else {
        format!("{first} (running {})", running.join(", "))
    }
}

/// A goroutine of the testing package's own: the alarm, or one whose code
/// below the runtime is `testing`'s waiting for a test to finish.
fn is_harness(g: &Goroutine<'_>) -> bool {
    let first = g.frames.iter().find(|f| !f.is_runtime());
    first.is_some_and(|f| {
        f.function.starts_with("testing.(*M).startAlarm")
            || matches!(
                f.function,
                "testing.(*T).Run" | "testing.runTests" | "testing.(*M).Run" | "testing.tRunner"
            )
    })
}

/// The goroutine of the hung test: blocked, in the program's code, not the
/// harness's; the longest waiting first.
pub(crate) fn hung_test_goroutine<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<&'r Goroutine<'a>> {
    t.goroutines
        .iter()
        .filter(|g| g.is_waiting() && !is_harness(g) && user_frame(&g.frames).is_some())
        .enumerate()
        .max_by_key(|(i, g)| (g.wait_minutes.unwrap_or(0), std::cmp::Reverse(*i)))
        .map(|(_, g)| g)
}
