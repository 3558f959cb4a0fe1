//! `godiag serve`: where a fleet's crashes land. Reports (crash text or
//! goroutine dumps, gzipped or not) are ingested over HTTP, diagnosed by the
//! engine, stored durably with their raw text and JSON report, and grouped
//! by a signature (docs/serve.md) so that one bug on 300 hosts is one group
//! with 300 occurrences.
//! New groups and regressions are alerted (Alertmanager, webhooks); its
//! metrics are served for Prometheus.

pub mod alerts;
mod api;
mod ingest;
mod metrics;
mod ratelimit;
pub mod signature;
mod state;
pub mod store;
mod web;

pub use alerts::{AlertOptions, ALERT_HOLD};
pub use api::{serve, ServeOptions};
