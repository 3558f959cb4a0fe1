//! `serve`'s own metrics, in the Prometheus text format
//! (prometheus-client): reports ingested, new groups and regressions by
//! kind, refusals by reason, and the groups in the store by kind (read from
//! the store at each scrape, so every replica reports the whole fleet's).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: String,
}

pub struct Metrics {
    registry: Registry,
    pub reports: Family<KindLabel, Counter>,
    pub new_groups: Family<KindLabel, Counter>,
    pub regressions: Family<KindLabel, Counter>,
    pub refused: Family<ReasonLabel, Counter>,
    pub groups: Family<KindLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("godiag_serve");
        let m = Metrics {
            reports: Family::default(),
            new_groups: Family::default(),
            regressions: Family::default(),
            refused: Family::default(),
            groups: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "reports",
            "Reports ingested by this process, by the kind of their group",
            m.reports.clone(),
        );
        registry.register(
            "new_groups",
            "Groups this process created, by kind",
            m.new_groups.clone(),
        );
        registry.register(
            "regressions",
            "Reports that reopened a resolved group, by kind",
            m.regressions.clone(),
        );
        registry.register(
            "refused",
            "Reports refused, by reason (token, rate, empty, unreadable)",
            m.refused.clone(),
        );
        registry.register("groups", "Groups in the store, by kind", m.groups.clone());
        Metrics { registry, ..m }
    }

    pub fn kind(kind: &str) -> KindLabel {
        KindLabel {
            kind: kind.to_string(),
        }
    }

    pub fn refuse(&self, reason: &str) {
        self.refused
            .get_or_create(&ReasonLabel {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// The metrics as Prometheus (OpenMetrics) text, with the store's
    /// group counts as they are now.
    pub fn encode(&self, groups_by_kind: &[(String, i64)]) -> String {
        self.groups.clear();
        for (kind, n) in groups_by_kind {
            self.groups.get_or_create(&Self::kind(kind)).set(*n);
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
