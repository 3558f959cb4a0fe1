//! A log-scale histogram of scheduler latencies, with percentiles.

/// Log-linear histogram of durations: 8 buckets per power of two.
pub(super) struct Histogram {
    pub(super) buckets: Vec<u64>,
}

impl Histogram {
    pub(super) fn new() -> Histogram {
        Histogram {
            buckets: vec![0; 64 * 8],
        }
    }
    pub(super) fn index(ns: u64) -> usize {
        if ns < 8 {
            return ns as usize;
        }
        let log = 63 - ns.leading_zeros() as usize;
        let sub = ((ns >> (log - 3)) & 7) as usize;
        log * 8 + sub
    }
    pub(super) fn upper(i: usize) -> u64 {
        if i < 8 {
            return i as u64;
        }
        let log = i / 8;
        if log < 3 {
            return 7; // unused: values below 8 have their own buckets
        }
        let sub = (i % 8) as u64;
        ((8 + sub + 1) << (log - 3)).saturating_sub(1)
    }
    pub(super) fn add(&mut self, ns: u64) {
        self.buckets[Self::index(ns)] += 1;
    }
    pub(super) fn quantile(&self, q: f64, total: u64) -> u64 {
        if total == 0 {
            return 0;
        }
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Self::upper(i);
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::Histogram;

    #[test]
    fn histogram_buckets_are_monotonic() {
        let mut last = 0;
        for i in 0..200 {
            let u = Histogram::upper(i);
            assert!(u >= last, "{i}");
            last = u;
        }
        for ns in [0u64, 7, 8, 9, 100, 1_000_000, 123_456_789] {
            let i = Histogram::index(ns);
            assert!(Histogram::upper(i) >= ns, "{ns}");
        }
    }
}
