//! What the text's syntax says about the Go version that printed it.
//!
//! Each row is a feature that first appeared in a release (see
//! `shared/reference/traceback.md` §1.12); the newest feature seen gives a
//! lower bound. A GOROOT path that names a release (`/go1.24.11/src/`) gives
//! the exact version.

use godiag_model::TextArtifact;

/// Goroutines looked at for a feature: every goroutine of one dump prints
/// the same header syntax, so a sample of a huge dump is enough.
const SCAN: usize = 4096;

/// (minor version, test) — a feature first printed by Go 1.<minor>;
/// listed newest first.
type Feature = (u32, fn(&TextArtifact<'_>) -> bool);

const FEATURES: &[Feature] = &[
    (26, |t| {
        t.goroutines.iter().take(SCAN).any(|g| g.leaked) || t.crash.fatal_under_panic
    }),
    (26, |t| {
        t.gc_traces
            .iter()
            .any(|g| g.raw.contains("(checking for goroutine leaks)"))
    }),
    (25, |t| {
        t.crash.panics.iter().any(|p| p.repanicked && p.recovered)
    }),
    (25, |t| t.goroutines.iter().take(SCAN).any(|g| g.durable)),
    (25, |t| {
        t.sched_traces.iter().any(|s| s.raw.contains("schedticks="))
    }),
    (24, |t| {
        t.goroutines
            .iter()
            .any(|g| g.status == "sync.WaitGroup.Wait")
    }),
    (24, |t| {
        // The innermost frames are where these packages show; a few
        // goroutines' worth are enough.
        t.goroutines.iter().take(SCAN).any(|g| {
            g.frames.iter().take(4).any(|f| {
                f.function.starts_with("internal/runtime/maps.")
                    || f.function.starts_with("internal/sync.")
            })
        })
    }),
    (22, |t| {
        t.goroutines.iter().take(SCAN).any(|g| g.gp.is_some())
    }),
    (21, |t| {
        t.goroutines
            .iter()
            .any(|g| g.parent.is_some() || matches!(g.elided, Some((_, n)) if n > 0))
    }),
];

/// Header syntax seen while reading, which the model does not keep.
#[derive(Clone, Copy, Debug, Default)]
pub struct SyntaxSeen {
    /// `[status labels:{...}]` (Go 1.26).
    pub labels_inside: bool,
    /// `[status] {...}:` (Go 1.27+).
    pub labels_outside: bool,
}

/// Returns (exact version from a GOROOT path, lower bound from syntax).
pub fn infer_version(t: &TextArtifact<'_>, seen: SyntaxSeen) -> (Option<String>, Option<String>) {
    // Runtime frames carry GOROOT paths; a few of them are enough.
    let exact = t
        .crash
        .runtime_stack
        .iter()
        .chain(t.goroutines.iter().take(SCAN).flat_map(|g| g.frames.iter()))
        .filter(|f| f.in_runtime_package())
        .take(16)
        .find_map(|f| goroot_version(f.file));
    // Newest feature first: the first one present is the bound.
    let mut at_least = FEATURES
        .iter()
        .find(|(_, test)| test(t))
        .map(|(minor, _)| *minor);
    if seen.labels_outside {
        at_least = Some(27);
    } else if seen.labels_inside {
        at_least = at_least.max(Some(26));
    }
    (exact, at_least.map(|m| format!("1.{m}")))
}

/// `/usr/local/go1.24.11/src/runtime/panic.go` → `1.24.11`.
fn goroot_version(file: &str) -> Option<String> {
    let src = file.rfind("/src/runtime/")?;
    let dir = &file[..src];
    let name = &dir[dir.rfind('/').map_or(0, |i| i + 1)..];
    let v = name.strip_prefix("go")?;
    let ok = !v.is_empty()
        && v.split('.').count() >= 2
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn goroot() {
        assert_eq!(
            super::goroot_version("/usr/local/go1.24.11/src/runtime/panic.go").as_deref(),
            Some("1.24.11")
        );
        assert_eq!(
            super::goroot_version("/usr/local/go/src/runtime/panic.go"),
            None
        );
        assert_eq!(super::goroot_version("/home/x/src/runtime/main.go"), None);
    }
}
