//! How reports are grouped, as Go's crash monitor (x/telemetry) groups
//! them: by the finding's kind and the failing goroutine's top user frames
//! (function and line), so that one bug across Go versions, hosts and
//! rebuilds that do not move it is one group. The finding is the engine's
//! most likely root cause, so a secondary failure (a fatal error raised
//! while a panic unwound) groups by the failure it hides. Deadlocks and
//! leaks, which have no failing goroutine, group by the set of sites their
//! goroutines are blocked at: the same cycle or the same leaking sites,
//! however many goroutines pile up behind them.

use godiag_engine::Report;
use godiag_model::Frame;

/// Top user frames in a signature.
const FRAMES: usize = 3;
/// Blocked sites in a deadlock's or leak's signature at most.
const SITES: usize = 16;

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
    let texts = || report.inputs.iter().filter_map(|i| i.text());
    let by_id = |id: u64| texts().find_map(|t| t.goroutines.iter().find(|g| g.id == id));
    let site = |frames: &[Frame<'_>]| {
        user_frames(frames)
            .next()
            .map(|fr| format!("{}:{}", fr.function, fr.line))
    };
    match kind.as_str() {
        "deadlock" => {
            // The cycle and who waits behind it; with no cycle named (all
            // goroutines asleep), every goroutine of the program that waits.
            let mut ids: Vec<u64> = f
                .goroutine
                .into_iter()
                .chain(f.goroutines.iter().copied())
                .collect();
            ids.dedup();
            let sites: Vec<String> = if ids.len() >= 2 {
                ids.iter()
                    .filter_map(|&id| by_id(id))
                    .filter_map(|g| site(&g.frames))
                    .collect()
            } else {
                texts()
                    .flat_map(|t| t.goroutines.iter())
                    .filter(|g| !matches!(g.status, "running" | "runnable"))
                    .filter_map(|g| site(&g.frames))
                    .collect()
            };
            parts.extend(distinct(sites));
        }
        "goroutine-leak" | "heap-leak" => {
            // Every site the report finds leaking, not only the largest.
            let sites = report
                .findings
                .iter()
                .filter(|o| o.kind == f.kind)
                .filter_map(|o| o.location.as_ref())
                .map(|l| format!("{}:{}", l.function, l.line));
            parts.extend(distinct(sites.collect()));
        }
        _ => {
            if let Some(g) = f.goroutine.and_then(by_id) {
                parts.extend(
                    user_frames(&g.frames)
                        .take(FRAMES)
                        .map(|fr| format!("{}:{}", fr.function, fr.line)),
                );
            }
        }
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

/// Sorted, each once, at most [`SITES`].
fn distinct(mut sites: Vec<String>) -> Vec<String> {
    sites.sort();
    sites.dedup();
    sites.truncate(SITES);
    sites
}
