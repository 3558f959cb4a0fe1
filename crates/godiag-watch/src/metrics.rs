//! `watch`'s own metrics, in the Prometheus text format
//! (prometheus-client): samples and scrape errors per target, whether each
//! target is up, rule triggers, findings by kind, bundle bytes kept, and
//! the last goroutine count and heap in use seen.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TargetLabel {
    pub target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TriggerLabels {
    pub target: String,
    pub metric: String,
    pub rule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FindingLabels {
    pub target: String,
    pub kind: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    pub samples: Family<TargetLabel, Counter>,
    pub scrape_errors: Family<TargetLabel, Counter>,
    pub up: Family<TargetLabel, Gauge>,
    pub triggers: Family<TriggerLabels, Counter>,
    pub findings: Family<FindingLabels, Counter>,
    pub bundles: Family<TargetLabel, Counter>,
    pub bundle_bytes: Family<TargetLabel, Gauge>,
    pub goroutines: Family<TargetLabel, FloatGauge>,
    pub heap_inuse: Family<TargetLabel, FloatGauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("godiag_watch");
        let m = Metrics {
            samples: Family::default(),
            scrape_errors: Family::default(),
            up: Family::default(),
            triggers: Family::default(),
            findings: Family::default(),
            bundles: Family::default(),
            bundle_bytes: Family::default(),
            goroutines: Family::default(),
            heap_inuse: Family::default(),
            registry: Registry::default(),
        };
        registry.register("samples", "Samples taken per target", m.samples.clone());
        registry.register(
            "scrape_errors",
            "Samples that failed per target",
            m.scrape_errors.clone(),
        );
        registry.register(
            "target_up",
            "1 when the target's last sample succeeded",
            m.up.clone(),
        );
        registry.register(
            "rule_triggers",
            "Rules that fired, per target, metric and rule",
            m.triggers.clone(),
        );
        registry.register(
            "findings",
            "Findings of captured bundles, by kind",
            m.findings.clone(),
        );
        registry.register("bundles", "Bundles captured and kept", m.bundles.clone());
        registry.register(
            "bundle_bytes",
            "Bytes of the bundles kept per target",
            m.bundle_bytes.clone(),
        );
        registry.register(
            "goroutines",
            "Goroutines at the last sample",
            m.goroutines.clone(),
        );
        registry.register(
            "heap_inuse_bytes",
            "Heap in use at the last sample",
            m.heap_inuse.clone(),
        );
        Metrics { registry, ..m }
    }

    /// The metrics as Prometheus (OpenMetrics) text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    pub fn target(name: &str) -> TargetLabel {
        TargetLabel {
            target: name.to_string(),
        }
    }
}
