//! A triggered capture: a bundle taken with `collect` into a `.partial-`
//! directory, diagnosed by the engine, its reports written beside it
//! (`report.json`, `report.html`), then renamed into place — so a bundle is
//! whole or absent, never half-written. Retention by count and bytes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use godiag_collect::CollectOptions;

use crate::config::{Retention, Target};

/// A finding of a captured bundle, as alerts carry it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FoundIssue {
    pub kind: String,
    pub title: String,
    pub location: Option<String>,
    pub confidence: String,
}

/// A bundle kept, with what its diagnosis found (most likely first).
#[derive(Clone, Debug)]
pub struct Captured {
    pub dir: PathBuf,
    pub findings: Vec<FoundIssue>,
    pub bytes: u64,
}

const PARTIAL: &str = ".partial-";

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_bytes(&e.path()),
                    _ => e.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Removes what a killed watcher left half-written under `out`.
pub fn remove_partials(out: &Path) {
    let Ok(targets) = std::fs::read_dir(out) else {
        return;
    };
    for t in targets.flatten() {
        let Ok(bundles) = std::fs::read_dir(t.path()) else {
            continue;
        };
        for b in bundles.flatten() {
            if b.file_name().to_string_lossy().starts_with(PARTIAL) {
                let _ = std::fs::remove_dir_all(b.path());
            }
        }
    }
}

/// Captures, diagnoses and keeps a bundle of `target` under
/// `out/<target>/<time>/`.
pub fn capture(target: &Target, out: &Path, snapshot_interval: Duration) -> Result<Captured> {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let parent = out.join(&target.name);
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let partial = parent.join(format!("{PARTIAL}{stamp}"));
    let result = (|| {
        godiag_collect::collect(&CollectOptions {
            url: target.url.clone(),
            out: Some(partial.clone()),
            seconds: 1,
            snapshots: 2,
            interval: snapshot_interval,
            timeout: Duration::from_secs(30),
            cpu: false,
            trace: false,
            frequent_dumps: false,
            progress: false,
            http: target.http.clone(),
        })?;
        let findings = diagnose_into(&partial)?;
        let mut dir = parent.join(&stamp);
        let mut n = 1;
        while dir.exists() {
            n += 1;
            dir = parent.join(format!("{stamp}-{n}"));
        }
        std::fs::rename(&partial, &dir)
            .with_context(|| format!("renaming into {}", dir.display()))?;
        Ok(Captured {
            bytes: dir_bytes(&dir),
            dir,
            findings,
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}

/// Diagnoses the bundle in `dir`; writes `report.json` and `report.html`.
fn diagnose_into(dir: &Path) -> Result<Vec<FoundIssue>> {
    let inputs = godiag_engine::inputs_from_paths(&[dir.to_path_buf()], 0)?;
    let d = godiag_engine::diagnose(inputs, &godiag_engine::Options::default());
    let report = d.report();
    std::fs::write(dir.join("report.json"), godiag_engine::render_json(report))?;
    std::fs::write(dir.join("report.html"), godiag_report::render_html(report))?;
    Ok(report
        .findings
        .iter()
        .map(|f| FoundIssue {
            kind: f.kind.name().to_string(),
            title: f.title.clone(),
            location: f
                .location
                .as_ref()
                .map(|l| format!("{} {}:{}", l.function, l.file, l.line)),
            confidence: format!("{:?}", f.confidence).to_lowercase(),
        })
        .collect())
}

/// Keeps at most `max_bundles` bundles of one target, and `max_bytes` in
/// all, the oldest going first; the bytes kept.
pub fn apply_retention(parent: &Path, retention: &Retention) -> u64 {
    let mut bundles: Vec<(String, PathBuf, u64)> = std::fs::read_dir(parent)
        .map(|rd| {
            rd.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        e.path(),
                        dir_bytes(&e.path()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    bundles.sort();
    let mut total: u64 = bundles.iter().map(|b| b.2).sum();
    while !bundles.is_empty()
        && (bundles.len() > retention.max_bundles || total > retention.max_bytes)
    {
        let (_, path, bytes) = bundles.remove(0);
        if std::fs::remove_dir_all(&path).is_ok() {
            total -= bytes;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(parent: &Path, name: &str, bytes: usize) {
        let d = parent.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("goroutines.txt"), vec![b'x'; bytes]).unwrap();
    }

    #[test]
    fn retention_keeps_the_newest_by_count_then_by_bytes() {
        let root =
            std::env::temp_dir().join(format!("godiag-watch-retention-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let parent = root.join("api-1");
        for (i, size) in [100, 200, 300, 400, 500].iter().enumerate() {
            bundle(&parent, &format!("20261206T00000{i}Z"), *size);
        }
        // A capture in progress is not a bundle: never counted or removed here.
        bundle(&parent, ".partial-20261206T000009Z", 10_000);
        let by_count = Retention {
            max_bundles: 3,
            max_bytes: u64::MAX,
        };
        assert_eq!(apply_retention(&parent, &by_count), 300 + 400 + 500);
        let by_bytes = Retention {
            max_bundles: 10,
            max_bytes: 950,
        };
        assert_eq!(apply_retention(&parent, &by_bytes), 400 + 500);
        let mut left: Vec<String> = std::fs::read_dir(&parent)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".partial-20261206T000009Z",
                "20261206T000003Z",
                "20261206T000004Z"
            ]
        );
        // A watcher that starts again removes what a killed one left.
        remove_partials(&root);
        assert!(!parent.join(".partial-20261206T000009Z").exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}
