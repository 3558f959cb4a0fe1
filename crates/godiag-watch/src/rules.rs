//! When a series of samples says something is wrong. Three rules, each
//! documented with its defaults in docs/watch.md:
//!
//! - **jump** (as mosn/holmes does): after `warmup` samples, the value is
//!   `growth_pct` % above the mean of the previous `window` samples and at
//!   least `floor` above it;
//! - **slope**: over the last `slope_window` samples the least-squares
//!   slope is at least `slope_per_minute`, the fit is good (R² ≥
//!   `slope_r2`), and the series grew by at least `floor` — a slow leak
//!   that never jumps;
//! - **threshold**: the value is at least `threshold`.
//!
//! After a rule fires for a metric, it stays quiet for `cooldown`.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Deserialize;

/// A rule set for one metric.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    pub warmup: usize,
    pub window: usize,
    pub growth_pct: f64,
    pub floor: f64,
    #[serde(with = "seconds")]
    pub cooldown: Duration,
    pub slope_window: usize,
    /// `None`: the slope rule is off.
    pub slope_per_minute: Option<f64>,
    pub slope_r2: f64,
    pub threshold: Option<f64>,
}

mod seconds {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs_f64(f64::deserialize(d)?.max(0.0)))
    }
}

impl RuleConfig {
    /// Defaults for the goroutine count.
    pub fn goroutines() -> Self {
        RuleConfig {
            warmup: 5,
            window: 10,
            growth_pct: 30.0,
            floor: 50.0,
            cooldown: Duration::from_secs(300),
            slope_window: 30,
            slope_per_minute: Some(20.0),
            slope_r2: 0.8,
            threshold: None,
        }
    }

    /// Defaults for heap in use (bytes).
    pub fn heap() -> Self {
        RuleConfig {
            warmup: 5,
            window: 10,
            growth_pct: 30.0,
            floor: 16.0 * 1024.0 * 1024.0,
            cooldown: Duration::from_secs(300),
            slope_window: 30,
            slope_per_minute: Some(8.0 * 1024.0 * 1024.0),
            slope_r2: 0.8,
            threshold: None,
        }
    }
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig::goroutines()
    }
}

/// Why a rule fired.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    Jump { value: f64, mean: f64 },
    Slope { per_minute: f64, r2: f64 },
    Threshold { value: f64, limit: f64 },
}

impl Trigger {
    pub fn rule(&self) -> &'static str {
        match self {
            Trigger::Jump { .. } => "jump",
            Trigger::Slope { .. } => "slope",
            Trigger::Threshold { .. } => "threshold",
        }
    }

    /// The value below which the condition no longer holds.
    pub fn holds_above(&self, cfg: &RuleConfig) -> f64 {
        match self {
            Trigger::Jump { mean, .. } => {
                (mean * (1.0 + cfg.growth_pct / 100.0)).max(mean + cfg.floor)
            }
            Trigger::Slope { .. } => f64::NEG_INFINITY,
            Trigger::Threshold { limit, .. } => *limit,
        }
    }

    pub fn describe(&self, metric: &str) -> String {
        match self {
            Trigger::Jump { value, mean } => {
                format!("{metric} jumped to {value:.0} from a mean of {mean:.0}")
            }
            Trigger::Slope { per_minute, r2 } => {
                format!("{metric} grows steadily by {per_minute:.0} a minute (R² {r2:.2})")
            }
            Trigger::Threshold { value, limit } => {
                format!("{metric} is {value:.0}, at or above {limit:.0}")
            }
        }
    }
}

/// The samples of one metric, `interval` apart, newest last.
#[derive(Clone, Debug, Default)]
pub struct Series {
    values: VecDeque<f64>,
}

impl Series {
    pub fn push(&mut self, v: f64, keep: usize) {
        self.values.push_back(v);
        while self.values.len() > keep.max(1) {
            self.values.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether a rule fires on the newest value.
    pub fn evaluate(&self, cfg: &RuleConfig, interval: Duration) -> Option<Trigger> {
        let &value = self.values.back()?;
        if let Some(limit) = cfg.threshold {
            if value >= limit {
                return Some(Trigger::Threshold { value, limit });
            }
        }
        let n = self.values.len();
        if n > cfg.warmup.max(1) {
            let before: Vec<f64> = self
                .values
                .iter()
                .rev()
                .skip(1)
                .take(cfg.window.max(1))
                .copied()
                .collect();
            let mean = before.iter().sum::<f64>() / before.len() as f64;
            if value > mean * (1.0 + cfg.growth_pct / 100.0) && value - mean >= cfg.floor {
                return Some(Trigger::Jump { value, mean });
            }
        }
        let want = cfg.slope_per_minute?;
        let k = cfg.slope_window.max(3);
        if n < k {
            return None;
        }
        let ys: Vec<f64> = self.values.iter().skip(n - k).copied().collect();
        let (slope, r2) = fit(&ys);
        let per_minute = slope * 60.0 / interval.as_secs_f64().max(1e-3);
        let grew = ys[k - 1] - ys[0];
        (per_minute >= want && r2 >= cfg.slope_r2 && grew >= cfg.floor)
            .then_some(Trigger::Slope { per_minute, r2 })
    }
}

/// Least-squares slope (per sample) and R² of `ys` against 0, 1, 2, ...
fn fit(ys: &[f64]) -> (f64, f64) {
    let n = ys.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        let dy = y - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return (0.0, 0.0);
    }
    (sxy / sxx, sxy * sxy / (sxx * syy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(vs: &[f64]) -> Series {
        let mut s = Series::default();
        for &v in vs {
            s.push(v, 100);
        }
        s
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn jump_fires_after_warmup_only_above_growth_and_floor() {
        let cfg = RuleConfig::goroutines();
        // Steady with noise: nothing.
        assert_eq!(
            series(&[100.0, 104.0, 98.0, 101.0, 103.0, 99.0, 102.0]).evaluate(&cfg, SECOND),
            None
        );
        // A jump during warm-up: nothing.
        assert_eq!(series(&[100.0, 100.0, 400.0]).evaluate(&cfg, SECOND), None);
        // After warm-up: fires.
        let t = series(&[100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 200.0]).evaluate(&cfg, SECOND);
        assert_eq!(
            t,
            Some(Trigger::Jump {
                value: 200.0,
                mean: 100.0
            })
        );
        // 60% growth but under the floor of 50: nothing.
        assert_eq!(
            series(&[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 16.0]).evaluate(&cfg, SECOND),
            None
        );
    }

    #[test]
    fn slope_catches_a_slow_leak_that_never_jumps() {
        let cfg = RuleConfig::goroutines();
        // +2 goroutines a sample at 1 s: 120 a minute, never 30% over the mean.
        let vs: Vec<f64> = (0..40).map(|i| 1000.0 + 2.0 * f64::from(i)).collect();
        match series(&vs).evaluate(&cfg, SECOND) {
            Some(Trigger::Slope { per_minute, r2 }) => {
                assert!((per_minute - 120.0).abs() < 1e-6 && r2 > 0.99);
            }
            t => panic!("{t:?}"),
        }
        // Growth under the floor over the window: +1 a sample is 29 in 30.
        let small: Vec<f64> = (0..40).map(|i| 1000.0 + f64::from(i)).collect();
        assert_eq!(series(&small).evaluate(&cfg, SECOND), None);
        // The same growth at a 10 s interval is 12 a minute: under 20.
        assert_eq!(series(&vs).evaluate(&cfg, Duration::from_secs(10)), None);
        // Noise around a level: a poor fit.
        let noise: Vec<f64> = (0..40)
            .map(|i| 1000.0 + if i % 2 == 0 { 40.0 } else { -40.0 })
            .collect();
        assert_eq!(series(&noise).evaluate(&cfg, SECOND), None);
    }

    #[test]
    fn threshold_and_its_hold() {
        let cfg = RuleConfig {
            threshold: Some(500.0),
            ..RuleConfig::goroutines()
        };
        let t = series(&[10.0, 600.0]).evaluate(&cfg, SECOND).unwrap();
        assert_eq!(t.rule(), "threshold");
        assert_eq!(t.holds_above(&cfg), 500.0);
        let j = Trigger::Jump {
            value: 200.0,
            mean: 100.0,
        };
        assert_eq!(j.holds_above(&RuleConfig::goroutines()), 150.0);
    }
}
