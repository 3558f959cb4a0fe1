//! `godiag serve`: where a fleet's crashes land. Reports (crash text or
//! goroutine dumps, gzipped or not) are ingested over HTTP, diagnosed by the
//! engine, stored durably with their raw text and JSON report, and grouped
//! by a signature (docs/serve.md) so that one bug on 300 hosts is one group
//! with 300 occurrences.
//!
//! This first part: SQLite and PostgreSQL stores with versioned
//! migrations, ingest, signatures, the groups API, tokens, a size limit and
//! the web UI. Not yet: bundles (tar) as reports, `run --report`, metrics
//! and alerts, rate limits.

mod api;
pub mod signature;
mod state;
pub mod store;
mod web;

pub use api::{router, serve, ServeOptions};
