//! How reports are grouped, as Go's crash monitor (x/telemetry) groups
//! them: by the finding's kind and the failing goroutine's top user frames
//! (function and line), so that one bug across Go versions, hosts and
//! rebuilds that do not move it is one group. The finding is the engine's
//! most likely root cause, so a secondary failure (a fatal error raised
//! while a panic unwound) groups by the failure it hides. Deadlocks and
//! leaks, which have no failing goroutine, group by the site the finding
//! names.

use godiag_engine::Report;
use godiag_model::Frame;

/// Top user frames in a signature.
const FRAMES: usize = 3;

/// A report's group key, and what the group shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Stable text: `kind|function:line|function:line…`.
    pub key: String,
    pub kind: String,
    pub title: String,
    /// `function file:line` of the finding.
    pub location: Option<String>,
}

fn user_frames<'f>(frames: &'f [Frame<'f>]) -> impl Iterator<Item = &'f Frame<'f>> {
    frames
        .iter()
        .filter(|f| !f.is_stdlib() && !f.function.is_empty())
}

/// The signature of a diagnosed report; `None` when nothing was found.
pub fn of(report: &Report<'_>) -> Option<Signature> {
    let f = report.findings.first()?;
    let kind = f.kind.name().to_string();
    let mut parts = vec![kind.clone()];
    let failing = f.goroutine.and_then(|id| {
        report
            .inputs
            .iter()
            .filter_map(|i| i.text())
            .find_map(|t| t.goroutines.iter().find(|g| g.id == id))
    });
    let crash_kind = !matches!(kind.as_str(), "deadlock" | "goroutine-leak" | "heap-leak");
    if let Some(g) = failing.filter(|_| crash_kind) {
        parts.extend(
            user_frames(&g.frames)
                .take(FRAMES)
                .map(|fr| format!("{}:{}", fr.function, fr.line)),
        );
    }
    if parts.len() == 1 {
        if let Some(l) = &f.location {
            parts.push(format!("{}:{}", l.function, l.line));
        }
    }
    Some(Signature {
        key: parts.join("|"),
        kind,
        title: f.title.clone(),
        location: f
            .location
            .as_ref()
            .map(|l| format!("{} {}:{}", l.function, l.file, l.line)),
    })
}
