//! Minimum mutator utilisation over windows of several sizes.

use super::state::UtilInterval;

/// Minimum mutator utilization for a few window sizes. GC takes a whole P while a
/// dedicated or fractional worker or an assist runs, and every P during a
/// stop-the-world; utilization is what is left, averaged over the window.
pub(super) fn mmu(util: &[UtilInterval], procs: f64, start: u64, end: u64) -> Vec<(u64, f64)> {
    if end <= start {
        return Vec::new();
    }
    // Piecewise-constant GC load from the intervals.
    let mut edges: Vec<(u64, f64)> = Vec::with_capacity(util.len() * 2);
    let mut stw_edges: Vec<(u64, i64)> = Vec::new();
    for &UtilInterval {
        from: a,
        to: b,
        weight: w,
    } in util
    {
        if w.is_infinite() {
            stw_edges.push((a, 1));
            stw_edges.push((b, -1));
        } else {
            edges.push((a, w));
            edges.push((b, -w));
        }
    }
    let mut points: Vec<u64> = edges
        .iter()
        .map(|e| e.0)
        .chain(stw_edges.iter().map(|e| e.0))
        .collect();
    points.push(start);
    points.push(end);
    points.sort_unstable();
    points.dedup();
    edges.sort_by_key(|e| e.0);
    stw_edges.sort_by_key(|e| e.0);
    // Utilization on [points[i], points[i+1]).
    let mut seg_util = Vec::with_capacity(points.len());
    let (mut ei, mut si) = (0, 0);
    let (mut load, mut stw) = (0.0f64, 0i64);
    for w in points.windows(2) {
        while ei < edges.len() && edges[ei].0 <= w[0] {
            load += edges[ei].1;
            ei += 1;
        }
        while si < stw_edges.len() && stw_edges[si].0 <= w[0] {
            stw += stw_edges[si].1;
            si += 1;
        }
        let u = if stw > 0 {
            0.0
        } else {
            (1.0 - load / procs).clamp(0.0, 1.0)
        };
        seg_util.push(u);
    }
    // Prefix integral of utilization.
    let mut prefix = Vec::with_capacity(points.len());
    prefix.push(0.0f64);
    for (i, w) in points.windows(2).enumerate() {
        let last = *prefix.last().unwrap_or(&0.0);
        prefix.push(last + seg_util[i] * (w[1] - w[0]) as f64);
    }
    let integral = |x: u64| -> f64 {
        let i = match points.binary_search(&x) {
            Ok(i) => return prefix[i],
            Err(i) => i.saturating_sub(1),
        };
        prefix[i] + seg_util.get(i).copied().unwrap_or(1.0) * (x - points[i]) as f64
    };
    let mut out = Vec::new();
    for window in [1_000_000u64, 10_000_000, 100_000_000, 1_000_000_000] {
        if window > end - start {
            break;
        }
        let mut min = 1.0f64;
        for &p in &points {
            for (a, b) in [(Some(p), p + window), (p.checked_sub(window), p)] {
                let Some(a) = a else { continue };
                if a < start || b > end {
                    continue;
                }
                let u = (integral(b) - integral(a)) / window as f64;
                min = min.min(u);
            }
        }
        out.push((window, min.max(0.0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mmu;
    use crate::analysis::state::UtilInterval;

    #[test]
    fn mmu_of_a_stop_the_world() {
        // 10 ms STW in a 1 s trace: the 10 ms window sees 0, the 1 s window 0.99.
        let util = [UtilInterval {
            from: 100_000_000,
            to: 110_000_000,
            weight: f64::INFINITY,
        }];
        let m = mmu(&util, 4.0, 0, 1_000_000_000);
        assert_eq!(m[0], (1_000_000, 0.0));
        assert_eq!(m[1], (10_000_000, 0.0));
        assert!((m[3].1 - 0.99).abs() < 1e-9);
    }
}
