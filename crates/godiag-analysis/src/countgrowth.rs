//! Goroutine leaks from two or more `debug=1` goroutine profiles of one
//! process: a site of the program whose goroutines grew from the first
//! profile to the last (the records carry no wait state; the growth is the
//! leak's shape by itself).

use rustc_hash::FxHashMap;

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::input::TextInput;
use crate::steps::steps_after_comparing_dumps;
use godiag_model::{CountRecordFrame, TextArtifact};

/// Goroutines per site of the program (its records' pile-ups), and one
/// frame to name each by.
fn by_site<'r, 'a>(
    t: &'r TextArtifact<'a>,
) -> FxHashMap<(&'a str, u32), (u64, &'r CountRecordFrame<'a>)> {
    crate::stackrules::pileups(t)
        .into_iter()
        .filter_map(|p| {
            let site = p.site?;
            Some(((site.function, site.line), (p.count, site)))
        })
        .collect()
}

pub(crate) fn count_profile_growth(inputs: &[TextInput<'_, '_>], out: &mut Vec<Finding>) {
    let profiles: Vec<&TextInput<'_, '_>> = inputs
        .iter()
        .filter(|i| !i.artifact.count_records.is_empty() && !i.artifact.count_leaked)
        .collect();
    if profiles.len() < 2 {
        return;
    }
    // In capture order where every one has a time, else as given (count
    // records carry no goroutine ids to order them by).
    let profiles = crate::leakrules::in_capture_order_all(&profiles);
    let sites: Vec<_> = profiles.iter().map(|p| by_site(p.artifact)).collect();
    let (first, last) = (&sites[0], &sites[sites.len() - 1]);
    let Some((key, (after, frame))) = last
        .iter()
        .map(|(k, v)| (k, *v))
        .filter(|(k, (n, _))| *n >= 10 && *n > first.get(k).map_or(0, |e| e.0))
        .max_by_key(|(k, (n, _))| (n.saturating_sub(first.get(k).map_or(0, |e| e.0)), *k))
    else {
        return;
    };
    let counts: Vec<u64> = sites
        .iter()
        .map(|s| s.get(key).map_or(0, |e| e.0))
        .collect();
    // Growth that fell back between profiles is churn, not a leak.
    if counts.windows(2).any(|w| w[1] < w[0]) {
        return;
    }
    let mut f = Finding::new(
        FindingKind::GoroutineLeak,
        format!(
            "goroutine leak: {after} goroutines at {} {}",
            frame.function,
            crate::leakrules::growth_words(&counts, "goroutine profiles")
        ),
        Confidence::High,
    );
    f.location = Some(Location {
        function: frame.function.to_string(),
        file: frame.file.to_string(),
        line: frame.line,
    });
    for (p, n) in profiles.iter().zip(&counts) {
        f.confirm(Evidence {
            source: p.source(),
            summary: format!("{n} goroutines at {}:{}", frame.file, frame.line),
            input: p.index,
            offset: None,
            lines: Vec::new(),
            goroutines: Some(*n),
        });
    }
    f.next_steps = steps_after_comparing_dumps(FindingKind::GoroutineLeak);
    out.push(f);
}
