//! `godiag watch` against real services and real receivers: two lab
//! services (lab/cmd/leaky) behave for 20 s, then one leaks goroutines at
//! main.notify and the other heap at main.(*cache).remember. A real
//! Alertmanager (Debian's prometheus-alertmanager) must hold an alert of
//! the right kind for each within warm-up + 2 intervals of its leak, none
//! before, each with a report that names the site; the goroutine alert is
//! resolved when that service heals. A real Prometheus scrapes watch's
//! /metrics. SIGTERM stops watch cleanly.

mod common;

use std::io::BufRead;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{prometheus_value, Proc};

fn get(url: &str) -> Option<Value> {
    let client = godiag::collect::Client::new(&Default::default());
    let r = client.get(url, Duration::from_secs(5)).ok()?;
    (r.status == 200)
        .then(|| serde_json::from_slice(&r.body).ok())
        .flatten()
}

/// A lab service and the times its lines arrived.
struct Service {
    proc: Proc,
    url: String,
    lines: mpsc::Receiver<(Instant, String)>,
    seen: Vec<(Instant, String)>,
}

impl Service {
    fn start(bin: &Path, args: &[&str]) -> Service {
        let (child, lines) = common::spawn_lines(bin, args);
        let (_, first) = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the service starts");
        let url = first
            .strip_prefix("listening on ")
            .expect("listening on URL")
            .to_string();
        Service {
            proc: Proc(child),
            url,
            lines,
            seen: Vec::new(),
        }
    }

    /// When it printed `line`, if it did yet.
    fn when(&mut self, line: &str) -> Option<Instant> {
        self.seen.extend(self.lines.try_iter());
        self.seen.iter().find(|(_, l)| l == line).map(|(t, _)| *t)
    }

    fn target(&self) -> String {
        godiag_watch_name(&self.url)
    }
}

/// The target name watch gives a URL (`host_port`).
fn godiag_watch_name(url: &str) -> String {
    url.trim_start_matches("http://").replace(':', "_")
}

#[test]
#[ignore = "needs Go, Alertmanager and Prometheus: run scripts/test.sh"]
fn watch_alerts_on_leaks_and_is_scraped() {
    let dir = common::scratch("watch-leaks");
    let bin = dir.join("leaky");
    let status = Command::new(common::toolchain().1)
        .current_dir(common::lab_dir())
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .args(["build", "-o"])
        .arg(&bin)
        .arg("./cmd/leaky")
        .status()
        .unwrap();
    assert!(status.success());

    // Alertmanager, with no clustering and a receiver that drops.
    let (_am, am_url) = common::alertmanager(&dir);

    // A webhook receiver: the JSON bodies POSTed to it.
    let hook = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_url = format!("http://{}/hook", hook.local_addr().unwrap());
    let (hook_tx, hook_events) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for conn in hook.incoming().map_while(Result::ok) {
            let mut r = std::io::BufReader::new(conn);
            let mut len = 0usize;
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0u8; len];
            let _ = std::io::Read::read_exact(&mut r, &mut body);
            let _ = std::io::Write::write_all(
                r.get_mut(),
                b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
            );
            if let Ok(v) = serde_json::from_slice(&body) {
                let _ = hook_tx.send(v);
            }
        }
    });

    let mut leak_g = Service::start(
        &bin,
        &[
            "-behave",
            "20s",
            "-leak",
            "goroutines",
            "-heal-after",
            "14s",
        ],
    );
    let mut leak_h = Service::start(&bin, &["-behave", "20s", "-leak", "heap"]);
    // Both metrics grow at once: both rules fire, one bundle serves both.
    let leak_b = Service::start(&bin, &["-behave", "20s", "-leak", "both"]);
    let out = dir.join("out");
    let metrics_port = common::free_port();
    let interval = Duration::from_secs(2);
    let mut watch = Proc(
        Command::new(env!("CARGO_BIN_EXE_godiag"))
            .args([
                "watch",
                &leak_g.url,
                &leak_h.url,
                &leak_b.url,
                "--interval",
                "2",
                "--out",
            ])
            .arg(&out)
            .args([
                "--alertmanager",
                &am_url,
                "--listen",
                &format!("127.0.0.1:{metrics_port}"),
            ])
            .args(["--webhook", &hook_url, "--log-format", "json"])
            .stderr(std::fs::File::create(dir.join("watch.log")).unwrap())
            .spawn()
            .unwrap(),
    );

    // Prometheus scrapes watch's /metrics every second.
    let (_prom, prom) = common::prometheus(&dir, "godiag-watch", metrics_port);

    // Warm-up (5 samples) + 2 intervals.
    let allowed = interval * 7;
    let mut first_alert: [Option<(Instant, Value)>; 2] = [None, None];
    let until = Instant::now() + Duration::from_secs(90);
    let services = [(&mut leak_g, "goroutine-leak"), (&mut leak_h, "heap-leak")];
    let mut services = services;
    while first_alert.iter().any(Option::is_none) && Instant::now() < until {
        let alerts = get(&format!("{am_url}/api/v2/alerts")).unwrap_or(Value::Null);
        let now = Instant::now();
        for (i, (svc, kind)) in services.iter_mut().enumerate() {
            let target = svc.target();
            let mine: Vec<&Value> = alerts
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| a["labels"]["target"] == target.as_str())
                .collect();
            let leaking = svc.when("leaking");
            if !mine.is_empty() {
                let started = leaking
                    .unwrap_or_else(|| panic!("an alert for {target} before its leak: {mine:?}"));
                assert_eq!(mine[0]["labels"]["kind"], *kind, "{:#}", mine[0]);
                if first_alert[i].is_none() {
                    assert!(
                        now - started <= allowed,
                        "{kind}: alert {:?} after the leak",
                        now - started
                    );
                    first_alert[i] = Some((now, mine[0].clone()));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let log = std::fs::read_to_string(dir.join("watch.log")).unwrap_or_default();
    // --log-format json: one JSON object a line.
    for line in log.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            v["level"].is_string() && v["fields"]["message"].is_string(),
            "{line}"
        );
    }
    assert!(log.contains("rule fired: capturing a bundle"), "{log}");
    for (i, (kind, site)) in [
        ("goroutine-leak", "main.notify"),
        ("heap-leak", "main.(*cache).remember"),
    ]
    .iter()
    .enumerate()
    {
        let (_, alert) = first_alert[i]
            .as_ref()
            .unwrap_or_else(|| panic!("no {kind} alert; watch log:\n{log}"));
        assert_eq!(alert["labels"]["alertname"], "GodiagFinding");
        assert!(alert["labels"]["instance"].is_string() && alert["labels"]["severity"].is_string());
        assert!(
            alert["annotations"]["location"]
                .as_str()
                .is_some_and(|l| l.starts_with(site)),
            "{alert:#}"
        );
        // The bundle's report names the site.
        let report = alert["annotations"]["report"].as_str().unwrap();
        assert!(Path::new(report).exists(), "{report}");
        let json: Value = serde_json::from_slice(
            &std::fs::read(report.replace("report.html", "report.json")).unwrap(),
        )
        .unwrap();
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["kind"] == *kind && f["location"]["function"] == *site),
            "{kind}: {:#}",
            json["findings"]
        );
    }

    // The service leaking both: an alert for each metric, from one bundle
    // (a second debug=2 dump seconds after the first would stop its world
    // again).
    let target_b = leak_b.target();
    let until = Instant::now() + Duration::from_secs(60);
    let mut both: Vec<Value> = Vec::new();
    while Instant::now() < until && both.len() < 2 {
        let alerts = get(&format!("{am_url}/api/v2/alerts")).unwrap_or(Value::Null);
        both = alerts
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["labels"]["target"] == target_b.as_str())
            .cloned()
            .collect();
        std::thread::sleep(Duration::from_millis(250));
    }
    let log = std::fs::read_to_string(dir.join("watch.log")).unwrap_or_default();
    let mut kinds: Vec<&str> = both
        .iter()
        .filter_map(|a| a["labels"]["kind"].as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["goroutine-leak", "heap-leak"], "{both:#?}\n{log}");
    assert_eq!(
        both[0]["annotations"]["report"], both[1]["annotations"]["report"],
        "{both:#?}"
    );
    let bundles = std::fs::read_dir(out.join(&target_b))
        .map(|d| d.flatten().count())
        .unwrap_or(0);
    assert_eq!(bundles, 1, "{log}");
    assert!(log.contains("the alert shares it"), "{log}");

    // The webhook got each finding with its report's path.
    let events: Vec<Value> = hook_events.try_iter().collect();
    for kind in ["goroutine-leak", "heap-leak"] {
        let e = events
            .iter()
            .find(|e| e["kind"] == kind && e["status"] == "firing")
            .unwrap_or_else(|| panic!("no {kind} webhook event: {events:#?}"));
        assert_eq!(e["finding"]["kind"], kind);
        assert!(
            e["report"].as_str().is_some_and(|r| Path::new(r).exists()),
            "{e:#}"
        );
    }

    // Healed: the goroutine alert is resolved (its end set to now, well
    // before the 4 intervals a refresh gives).
    let target_g = leak_g.target();
    let until = Instant::now() + Duration::from_secs(40);
    let mut resolved = false;
    while Instant::now() < until && !resolved {
        if leak_g.when("healed").is_some() {
            let alerts = get(&format!("{am_url}/api/v2/alerts?active=true")).unwrap_or(Value::Null);
            resolved = !alerts.as_array().into_iter().flatten().any(|a| {
                a["labels"]["target"] == target_g.as_str() && a["status"]["state"] == "active"
            });
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        resolved,
        "the goroutine alert was not resolved after the service healed"
    );

    // Prometheus has scraped watch's metrics.
    let target_h = leak_h.target();
    let until = Instant::now() + Duration::from_secs(30);
    let q = |q: &str| prometheus_value(&prom, q);
    let findings =
        format!("godiag_watch_findings_total{{kind=\"goroutine-leak\",target=\"{target_g}\"}}");
    let samples = format!("godiag_watch_samples_total{{target=\"{target_h}\"}}");
    while Instant::now() < until && (q(&findings).is_none() || q(&samples).is_none()) {
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(q(&findings), Some(1.0), "findings counter in Prometheus");
    assert!(
        q(&samples).is_some_and(|n| n >= 10.0),
        "samples in Prometheus: {:?}",
        q(&samples)
    );

    // A target that goes down shows in the metrics.
    let _ = leak_h.proc.0.kill();
    let up = format!("godiag_watch_target_up{{target=\"{target_h}\"}}");
    let errors = format!("godiag_watch_scrape_errors_total{{target=\"{target_h}\"}}");
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until && !(q(&up) == Some(0.0) && q(&errors).is_some_and(|e| e >= 1.0)) {
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(q(&up), Some(0.0), "target_up of a target that is down");

    // SIGTERM: a clean stop, nothing half-written.
    let pid = watch.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = watch.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    for t in std::fs::read_dir(&out).unwrap().flatten() {
        for b in std::fs::read_dir(t.path()).unwrap().flatten() {
            let name = b.file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".partial-"), "left half-written: {name}");
            assert!(b.path().join("report.html").exists() && b.path().join("bundle.json").exists());
        }
    }
}

/// The shipped Prometheus and Alertmanager configs pass their own tools'
/// checks, and the Grafana dashboard queries only metrics watch serves.
#[test]
#[ignore = "needs Alertmanager and Prometheus: run scripts/test.sh"]
fn deploy_configs_are_valid() {
    let deploy = common::lab_dir().join("../deploy");
    let promtool = Command::new("promtool")
        .args(["check", "config"])
        .arg(deploy.join("prometheus.yml"))
        .output()
        .expect("promtool (Debian prometheus) runs");
    assert!(
        promtool.status.success(),
        "{}",
        String::from_utf8_lossy(&promtool.stderr)
    );
    let amtool = Command::new("amtool")
        .arg("check-config")
        .arg(deploy.join("alertmanager.yml"))
        .output()
        .expect("amtool (Debian prometheus-alertmanager) runs");
    assert!(
        amtool.status.success(),
        "{}",
        String::from_utf8_lossy(&amtool.stderr)
    );
    let dashboard: Value =
        serde_json::from_slice(&std::fs::read(deploy.join("grafana-dashboard.json")).unwrap())
            .unwrap();
    let served = [
        "godiag_watch_samples_total",
        "godiag_watch_scrape_errors_total",
        "godiag_watch_target_up",
        "godiag_watch_rule_triggers_total",
        "godiag_watch_findings_total",
        "godiag_watch_bundle_bytes",
        "godiag_watch_goroutines",
        "godiag_watch_heap_inuse_bytes",
    ];
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 6);
    for p in panels {
        for t in p["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            assert!(served.iter().any(|m| expr.contains(m)), "{expr}");
        }
    }
}
