//! The daemon: a thread per target (sample, evaluate, capture, alert), a
//! supervisor that follows file-based discovery, the /metrics server, and a
//! clean stop on SIGTERM or SIGINT (a capture in progress is finished; one
//! cut by a kill is removed at the next start).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};

use crate::capture::{self, Captured, FoundIssue};
use crate::config::{Config, Target};
use crate::metrics::{FindingLabels, Metrics, TriggerLabels};
use crate::rules::{RuleConfig, Series, Trigger};
use crate::sample;
use godiag_alert::{Alert, Receivers};

/// Longest wait between retries of a target that is down.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How long a bundle serves every rule of its target that fires: a debug=2
/// dump stops the world, and `collect` takes at most one per 30 s.
const SHARED_CAPTURE: Duration = Duration::from_secs(30);

/// Runs until SIGTERM or SIGINT.
pub fn watch(config: Config) -> Result<()> {
    std::fs::create_dir_all(&config.out)
        .with_context(|| format!("creating {}", config.out.display()))?;
    capture::remove_partials(&config.out);
    let metrics = Arc::new(Metrics::new());
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let signalled = Arc::clone(&stop);
    runtime.spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return,
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("stopping: finishing what is in progress");
        signalled.store(true, Ordering::SeqCst);
    });
    if let Some(addr) = config.listen {
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .with_context(|| format!("listening on {addr}"))?;
        tracing::info!(%addr, "serving /metrics");
        let m = Arc::clone(&metrics);
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let m = Arc::clone(&m);
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        m.encode(),
                    )
                }
            }),
        );
        runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the /metrics server stopped");
            }
        });
    }
    let receivers = Arc::new(Receivers::new(
        config.alertmanager.clone(),
        config.webhooks.clone(),
    ));
    let config = Arc::new(config);
    let mut running: HashMap<String, (Arc<AtomicBool>, std::thread::JoinHandle<()>)> =
        HashMap::new();
    while !stop.load(Ordering::SeqCst) {
        // Targets as configured and as discovered now.
        let mut wanted: Vec<Target> = config.targets.clone();
        wanted.extend(config.discovered());
        let names: Vec<String> = wanted.iter().map(|t| t.name.clone()).collect();
        for t in wanted {
            if running.contains_key(&t.name) {
                continue;
            }
            tracing::info!(target_name = %t.name, url = %t.url, "watching");
            let own_stop = Arc::new(AtomicBool::new(false));
            let ctx = Worker {
                config: Arc::clone(&config),
                receivers: Arc::clone(&receivers),
                metrics: Arc::clone(&metrics),
                stop: Arc::clone(&stop),
                own_stop: Arc::clone(&own_stop),
            };
            let name = t.name.clone();
            let handle = std::thread::Builder::new()
                .name(format!("watch {name}"))
                .spawn(move || ctx.run(t))
                .context("starting a target's thread")?;
            running.insert(name, (own_stop, handle));
        }
        let gone: Vec<String> = running
            .keys()
            .filter(|n| !names.contains(n))
            .cloned()
            .collect();
        for n in gone {
            if let Some((s, h)) = running.remove(&n) {
                tracing::info!(target_name = %n, "no longer listed: stopping");
                s.store(true, Ordering::SeqCst);
                let _ = h.join();
            }
        }
        sleep_unless(
            || stop.load(Ordering::SeqCst),
            config.interval.max(Duration::from_millis(200)),
        );
    }
    for (_, (_, h)) in running {
        let _ = h.join();
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Sleeps `d`, waking early once `stopping` says so.
fn sleep_unless(stopping: impl Fn() -> bool, d: Duration) {
    let until = Instant::now() + d;
    while !stopping() {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            return;
        };
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}

struct Worker {
    config: Arc<Config>,
    receivers: Arc<Receivers>,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
    own_stop: Arc<AtomicBool>,
}

/// A metric a target is watched on.
struct Watched {
    name: &'static str,
    series: Series,
    last_fired: Option<Instant>,
    firing: Option<Firing>,
}

/// An alert being kept fresh.
struct Firing {
    alert: Alert,
    holds_above: f64,
    event: serde_json::Value,
}

impl Worker {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.own_stop.load(Ordering::SeqCst)
    }

    fn run(self, target: Target) {
        let label = Metrics::target(&target.name);
        let client = godiag_collect::Client::new(&target.http);
        let base = match godiag_collect::pprof_base(&target.url) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(target_name = %target.name, error = %format!("{e:#}"), "not a service address");
                return;
            }
        };
        let interval = self.config.interval;
        let mut watched = [
            Watched {
                name: "goroutines",
                series: Series::default(),
                last_fired: None,
                firing: None,
            },
            Watched {
                name: "heap_inuse",
                series: Series::default(),
                last_fired: None,
                firing: None,
            },
        ];
        let mut failures: u32 = 0;
        // The last bundle of this target: a rule firing soon after another
        // shares it rather than stop the world for another debug=2 dump.
        let mut last_capture: Option<(Instant, Captured)> = None;
        while !self.stopping() {
            let started = Instant::now();
            let s = match sample::take(&client, &base, interval.max(Duration::from_secs(5))) {
                Ok(s) => s,
                Err(e) => {
                    failures = failures.saturating_add(1);
                    self.metrics.scrape_errors.get_or_create(&label).inc();
                    self.metrics.up.get_or_create(&label).set(0);
                    let backoff = interval
                        .saturating_mul(1 << failures.min(6))
                        .min(MAX_BACKOFF);
                    tracing::warn!(target_name = %target.name, error = %format!("{e:#}"), retry_in_s = backoff.as_secs_f64(), "sample failed");
                    self.nap(backoff);
                    continue;
                }
            };
            failures = 0;
            self.metrics.samples.get_or_create(&label).inc();
            self.metrics.up.get_or_create(&label).set(1);
            if let Some(g) = s.goroutines {
                self.metrics.goroutines.get_or_create(&label).set(g);
            }
            if let Some(h) = s.heap_inuse {
                self.metrics.heap_inuse.get_or_create(&label).set(h);
            }
            tracing::debug!(target_name = %target.name, goroutines = ?s.goroutines, heap_inuse = ?s.heap_inuse, threads = ?s.threads, gc_cpu = ?s.gc_cpu_fraction, "sample");
            for w in &mut watched {
                let (value, cfg) = match w.name {
                    "goroutines" => (s.goroutines, &target.rules.goroutines),
                    _ => (s.heap_inuse, &target.rules.heap),
                };
                let Some(value) = value else { continue };
                w.series.push(value, cfg.window.max(cfg.slope_window) + 1);
                self.keep_or_resolve(w, value);
                if w.firing.is_some() || w.last_fired.is_some_and(|t| t.elapsed() < cfg.cooldown) {
                    continue;
                }
                if let Some(trigger) = w.series.evaluate(cfg, interval) {
                    w.last_fired = Some(Instant::now());
                    self.fire(&target, w, &trigger, cfg, &mut last_capture);
                }
                if self.stopping() {
                    break;
                }
            }
            self.nap(interval.saturating_sub(started.elapsed()));
        }
    }

    /// Sleeps `d`, waking early when told to stop.
    fn nap(&self, d: Duration) {
        sleep_unless(|| self.stopping(), d);
    }

    /// Refreshes a firing alert while its condition holds; resolves it when
    /// it stops.
    fn keep_or_resolve(&self, w: &mut Watched, value: f64) {
        let Some(f) = &w.firing else { return };
        let now = SystemTime::now();
        if value >= f.holds_above {
            self.receivers
                .alertmanager(&f.alert, now + self.config.interval * 4);
        } else {
            tracing::info!(
                metric = w.name,
                value,
                "condition stopped: resolving the alert"
            );
            self.receivers.alertmanager(&f.alert, now);
            let mut event = f.event.clone();
            event["status"] = "resolved".into();
            self.receivers.webhooks(&event);
            w.firing = None;
        }
    }

    /// A new bundle and its findings in the metrics; retention applied.
    fn count_bundle(&self, target: &Target, captured: &Captured) {
        let label = Metrics::target(&target.name);
        for f in &captured.findings {
            self.metrics
                .findings
                .get_or_create(&FindingLabels {
                    target: target.name.clone(),
                    kind: f.kind.clone(),
                })
                .inc();
        }
        self.metrics.bundles.get_or_create(&label).inc();
        let kept =
            capture::apply_retention(&self.config.out.join(&target.name), &self.config.retention);
        self.metrics
            .bundle_bytes
            .get_or_create(&label)
            .set(i64::try_from(kept).unwrap_or(i64::MAX));
    }

    fn fire(
        &self,
        target: &Target,
        w: &mut Watched,
        trigger: &Trigger,
        cfg: &RuleConfig,
        last_capture: &mut Option<(Instant, Captured)>,
    ) {
        let why = trigger.describe(w.name);
        tracing::info!(target_name = %target.name, metric = w.name, rule = trigger.rule(), %why, "rule fired: capturing a bundle");
        self.metrics
            .triggers
            .get_or_create(&TriggerLabels {
                target: target.name.clone(),
                metric: w.name.to_string(),
                rule: trigger.rule().to_string(),
            })
            .inc();
        let recent = last_capture
            .as_ref()
            .filter(|(at, _)| at.elapsed() < SHARED_CAPTURE)
            .map(|(_, c)| c.clone());
        let fresh = recent.is_none();
        let captured = match recent {
            Some(c) => {
                tracing::info!(target_name = %target.name, metric = w.name, bundle = %c.dir.display(), "a bundle was taken moments ago: the alert shares it");
                c
            }
            None => {
                match capture::capture(target, &self.config.out, self.config.capture_interval) {
                    Ok(c) => {
                        *last_capture = Some((Instant::now(), c.clone()));
                        c
                    }
                    Err(e) => {
                        tracing::warn!(target_name = %target.name, error = %format!("{e:#}"), "capture failed");
                        return;
                    }
                }
            }
        };
        if fresh {
            self.count_bundle(target, &captured);
        }
        let finding = pick(&captured, w.name);
        tracing::info!(target_name = %target.name, kind = %finding.as_ref().map_or("none", |f| f.kind.as_str()), bundle = %captured.dir.display(), "bundle diagnosed");
        let (alert, event) = alert_of(target, w.name, trigger, &why, &captured, finding.as_ref());
        let now = SystemTime::now();
        self.receivers
            .alertmanager(&alert, now + self.config.interval * 4);
        self.receivers.webhooks(&event);
        w.firing = Some(Firing {
            alert,
            holds_above: trigger.holds_above(cfg),
            event,
        });
    }
}

/// The finding the alert is about: the first that speaks of the metric
/// that moved, else the most likely one.
fn pick(c: &Captured, metric: &str) -> Option<FoundIssue> {
    let related: &[&str] = match metric {
        "goroutines" => &["goroutine-leak", "deadlock"],
        _ => &["heap-leak", "out-of-memory", "gc-pressure"],
    };
    c.findings
        .iter()
        .find(|f| related.contains(&f.kind.as_str()))
        .or(c.findings.first())
        .cloned()
}

fn alert_of(
    target: &Target,
    metric: &str,
    trigger: &Trigger,
    why: &str,
    c: &Captured,
    finding: Option<&FoundIssue>,
) -> (Alert, serde_json::Value) {
    let report = c.dir.join("report.html").display().to_string();
    let kind = finding.map_or_else(
        || format!("{}-growth", metric.trim_end_matches("_inuse")),
        |f| f.kind.clone(),
    );
    let severity = match finding.map(|f| f.confidence.as_str()) {
        Some("high") => "critical",
        Some("medium") => "warning",
        _ => "info",
    };
    let mut labels: BTreeMap<String, String> = target.labels.clone();
    labels.insert("alertname".into(), "GodiagFinding".into());
    labels.insert("kind".into(), kind.clone());
    labels.insert("severity".into(), severity.into());
    labels.insert("target".into(), target.name.clone());
    let mut annotations = BTreeMap::new();
    annotations.insert(
        "title".into(),
        finding.map_or_else(
            || format!("{why}; the bundle's diagnosis found nothing more"),
            |f| f.title.clone(),
        ),
    );
    if let Some(loc) = finding.and_then(|f| f.location.clone()) {
        annotations.insert("location".into(), loc);
    }
    annotations.insert("report".into(), report.clone());
    annotations.insert("trigger".into(), why.to_string());
    let event = serde_json::json!({
        "status": "firing",
        "target": target.name,
        "url": target.url,
        "labels": target.labels,
        "kind": kind,
        "trigger": { "metric": metric, "rule": trigger.rule(), "why": why },
        "finding": finding,
        "findings": c.findings,
        "report": report,
        "bundle": c.dir.display().to_string(),
    });
    let generator_url = format!(
        "godiag://watch/{}",
        labels.get("instance").map_or("", String::as_str)
    );
    (
        Alert {
            labels,
            annotations,
            starts_at: SystemTime::now(),
            generator_url,
        },
        event,
    )
}
