//! Profiles of one kind compared pairwise (what `go tool pprof -base`
//! shows), in capture order.

use crate::report::{InputReport, ProfileComparison};

/// Profiles of one kind, ordered by capture time (else as given), compared
/// pairwise: each with the next.
pub(crate) fn compare_profiles(inputs: &[InputReport<'_>]) -> Vec<ProfileComparison> {
    let mut by_kind: Vec<(godiag_pprof::ProfileKind, Vec<usize>)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(p) = input.profile() else { continue };
        match by_kind.iter_mut().find(|(k, _)| *k == p.kind()) {
            Some((_, v)) => v.push(i),
            None => by_kind.push((p.kind(), vec![i])),
        }
    }
    let mut out = Vec::new();
    for (_, mut idx) in by_kind {
        let time = |i: &usize| inputs[*i].profile().map_or(0, |p| p.raw.time_nanos);
        idx.sort_by_key(time);
        for w in idx.windows(2) {
            let (Some(a), Some(b)) = (inputs[w[0]].profile(), inputs[w[1]].profile()) else {
                continue;
            };
            let index = b.default_sample_index();
            let (ty, unit) = b.sample_types().get(index).copied().unwrap_or(("", ""));
            let Some(ai) = a.sample_index(ty) else {
                continue;
            };
            let rows = godiag_pprof::diff_top(
                a.top_rows(ai, godiag_pprof::Granularity::Function),
                b.top_rows(index, godiag_pprof::Granularity::Function),
            );
            out.push(ProfileComparison {
                earlier: w[0],
                later: w[1],
                sample_type: ty.to_string(),
                unit: unit.to_string(),
                rows,
            });
        }
    }
    out
}
