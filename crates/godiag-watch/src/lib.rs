//! `godiag watch`: keeps an eye on live Go services. Every interval each
//! target is sampled cheaply (goroutine count, heap in use, GC CPU share,
//! threads; never a debug=2 dump). Rules (a jump over the rolling mean, a
//! steady slope, plain thresholds) decide when something goes wrong; then a
//! bundle is captured with `collect`, diagnosed by the engine and kept with
//! its reports, an alert goes to Alertmanager (and webhooks) and is kept
//! fresh while the condition holds, and resolved when it stops. Its own
//! metrics are served for Prometheus.

pub mod capture;
pub mod config;
pub mod metrics;
pub mod rules;
pub mod run;
pub mod sample;

pub use config::{Config, Target};
pub use run::watch;
