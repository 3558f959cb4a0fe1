//! `godiag serve` on SQLite and PostgreSQL, as senders meet it: the lab's
//! real crash texts of seven Go versions posted from several services and
//! hosts group by root cause and site, not by Go version; a secondary
//! failure groups with what it hides; deadlocks and leaks group by their
//! blocked sites; tokens, size and rate limits and unreadable reports get
//! clear 4xx; a resolved group that comes back is flagged; new groups and
//! regressions reach a real Alertmanager; /metrics counts them; a report
//! answered 201 survives `kill -9` of the server; and both senders
//! (`go/crashreport`, `godiag run --report`) land real crashes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const VERSIONS: [&str; 7] = [
    "1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3",
];

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sqlite(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

fn start(db: &str, port: u16, extra: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_godiag"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            db,
        ])
        .args(extra)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(30);
    while get(&format!("{url}/api/v1/groups")).is_none() {
        assert!(Instant::now() < until, "serve never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, url }
}

fn client() -> godiag::collect::Client {
    godiag::collect::Client::new(&godiag::collect::HttpOptions {
        headers: vec![("Authorization".into(), "Bearer team-a".into())],
        ..Default::default()
    })
}

fn get(url: &str) -> Option<Value> {
    let r = client().get(url, Duration::from_secs(5)).ok()?;
    (r.status == 200)
        .then(|| serde_json::from_slice(&r.body).ok())
        .flatten()
}

/// POSTs `body` to the ingest API with its metadata in the query.
fn post(url: &str, body: &[u8], service: &str, version: &str, host: &str) -> (u16, Value) {
    let client = client();
    let target = format!("{url}/api/v1/reports?service={service}&version={version}&host={host}");
    let (status, body) = client
        .post_json_body(&target, body, Duration::from_secs(30))
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The answer to a POST whose body the server may refuse before reading
/// it all (a client that stops at the broken pipe would never see it),
/// head and body.
fn raw_post(url: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer team-a\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn raw_post_status(url: &str, body: &[u8]) -> u16 {
    raw_post(url, body)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Sends SIGTERM and waits for the server to end: its exit status.
fn terminate(mut server: Server) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < until, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `/metrics` as text.
fn metrics(url: &str) -> String {
    let r = client()
        .get(&format!("{url}/metrics"), Duration::from_secs(5))
        .unwrap();
    assert_eq!(r.status, 200);
    String::from_utf8(r.body).unwrap()
}

/// The value of the sample `name{labels}` in Prometheus text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Alertmanager's alerts named `name` about group `group`.
fn alerts_for(am: &str, name: &str, group: i64) -> Vec<Value> {
    let all = get(&format!("{am}/api/v2/alerts")).unwrap_or(Value::Null);
    all.as_array()
        .into_iter()
        .flatten()
        .filter(|a| {
            a["labels"]["alertname"] == name
                && a["labels"]["group_id"].as_str() == Some(group.to_string().as_str())
        })
        .cloned()
        .collect()
}

/// Waits up to 20 s for `f` to hold.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < until, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn lab(version: &str, name: &str) -> Vec<u8> {
    std::fs::read(common::lab_dir().join(format!("artifacts/go{version}/{name}"))).unwrap()
}

#[test]
fn serve_groups_a_fleets_crashes_on_sqlite() {
    let dir = common::scratch("serve-sqlite");
    groups_a_fleets_crashes(&sqlite(&dir.join("godiag.db")), &dir);
}

/// The same on a real PostgreSQL (Debian's), started for the test: initdb
/// in a scratch directory as a non-root user, on loopback. Two `serve`
/// processes share it, as replicas behind a load balancer would.
#[test]
#[ignore = "needs PostgreSQL: run scripts/test.sh"]
fn serve_groups_a_fleets_crashes_on_postgres() {
    let dir = common::scratch("serve-postgres");
    let pg = Postgres::start(&dir);
    let nil_group = groups_a_fleets_crashes(&pg.url, &dir);
    // A second replica on the same database: the same groups.
    let a = start(&pg.url, common::free_port(), &["--token", "team-a"]);
    let b = start(&pg.url, common::free_port(), &["--token", "team-a"]);
    for (i, server) in [&a, &b, &a, &b].iter().enumerate() {
        let (status, r) = post(
            &server.url,
            &lab(VERSIONS[i], "nil-deref.txt"),
            "api",
            VERSIONS[i],
            "h",
        );
        assert_eq!(
            (status, r["group_id"].as_i64(), &r["new_group"]),
            (201, Some(nil_group), &Value::Bool(false)),
            "{r}"
        );
    }
    let ga = get(&format!("{}/api/v1/groups/{nil_group}", a.url)).unwrap();
    let gb = get(&format!("{}/api/v1/groups/{nil_group}", b.url)).unwrap();
    assert_eq!(ga["group"]["count"], gb["group"]["count"]);
    // PostgreSQL restarts under the replicas: they connect again, and the
    // next reports are stored and answered 201 (none lost, none refused).
    let mut pg = pg;
    pg.restart();
    for server in [&a, &b, &a, &b, &a] {
        let (status, r) = post(
            &server.url,
            &lab("1.24.11", "nil-deref.txt"),
            "api",
            "1.24.11",
            "h",
        );
        assert_eq!(
            (status, r["group_id"].as_i64()),
            (201, Some(nil_group)),
            "{r}"
        );
    }
    let after = get(&format!("{}/api/v1/groups/{nil_group}", b.url)).unwrap();
    assert_eq!(
        after["group"]["count"].as_i64(),
        ga["group"]["count"].as_i64().map(|n| n + 5)
    );
    // SIGTERM: each replica stops cleanly, its connections closed.
    for server in [a, b] {
        assert!(terminate(server).success());
    }
}

/// A PostgreSQL server for one test, run as `nobody` (it refuses root).
struct Postgres {
    child: Child,
    url: String,
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

fn as_nobody(program: &Path) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(program);
    c
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL (Debian postgresql) is installed")
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").exists())
            .max()
            .expect("an initdb under /usr/lib/postgresql");
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).unwrap();
        std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
        let init = as_nobody(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "godiag", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let port = common::free_port();
        let child = Self::spawn(&bin, &data, port);
        let pg = Postgres {
            child,
            url: format!("postgres://godiag@127.0.0.1:{port}/godiag"),
            bin,
            data,
            port,
        };
        pg.wait_for("postgres", "CREATE DATABASE godiag");
        pg
    }

    fn spawn(bin: &Path, data: &Path, port: u16) -> Child {
        as_nobody(&bin.join("postgres"))
            .arg("-D")
            .arg(data)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Runs `sql` on `db` until the server takes it (it is starting).
    fn wait_for(&self, db: &str, sql: &str) {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let ran = Command::new(self.bin.join("psql"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", "godiag", "-d", db, "-c", sql])
                .output()
                .unwrap();
            if ran.status.success() {
                return;
            }
            assert!(
                Instant::now() < until,
                "PostgreSQL never started: {}",
                String::from_utf8_lossy(&ran.stderr)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the server (fast shutdown) and starts it again, same data and
    /// port: what a restart or a failover does to its clients.
    fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(&self.bin, &self.data, self.port);
        self.wait_for("godiag", "SELECT 1");
    }

    fn stop(&mut self) {
        // SIGINT: PostgreSQL's fast shutdown.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The scenario, on the database `db`; the nil dereference's group.
fn groups_a_fleets_crashes(db: &str, dir: &Path) -> i64 {
    let (_am, am) = common::alertmanager(dir);
    let port = common::free_port();
    let (_prom, prom) = common::prometheus(dir, "godiag-serve", port);
    let server = start(
        db,
        port,
        &[
            "--token",
            "team-a",
            "--max-report-mib",
            "1",
            "--alertmanager",
            &am,
            "--external-url",
            "https://godiag.example/",
        ],
    );
    let url = server.url.clone();

    // The same nil dereference under seven Go versions, from three hosts:
    // one group.
    let mut nil_group = None;
    for (i, v) in VERSIONS.iter().enumerate() {
        let (status, r) = post(
            &url,
            &lab(v, "nil-deref.txt"),
            "api",
            v,
            &format!("host-{}", i % 3),
        );
        assert_eq!(status, 201, "{r}");
        assert_eq!(r["kind"], "nil-dereference");
        assert_eq!(r["new_group"], i == 0, "{v}: {r}");
        let g = r["group_id"].as_i64().unwrap();
        assert_eq!(*nil_group.get_or_insert(g), g, "{v} grouped apart");
    }
    let nil_group = nil_group.unwrap();
    // Gzipped, it is the same report.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &lab("1.24.11", "nil-deref.txt")).unwrap();
    let (status, r) = post(&url, &gz.finish().unwrap(), "billing", "1.24.11", "host-9");
    assert_eq!(
        (status, r["group_id"].as_i64()),
        (201, Some(nil_group)),
        "{r}"
    );

    // Another bug is another group; the secondary failure (a fatal error
    // raised while a nil dereference unwound) groups with its root cause's
    // site, not with the visible fatal error.
    let (_, oob) = post(
        &url,
        &lab("1.24.11", "index-out-of-range.txt"),
        "api",
        "1.24.11",
        "h",
    );
    assert_eq!(oob["new_group"], true);
    assert_ne!(oob["group_id"].as_i64(), Some(nil_group));
    let mut hidden = None;
    for v in ["1.22.10", "1.27.3"] {
        let (status, r) = post(
            &url,
            &lab(v, "fatal-in-defer-after-segv.txt"),
            "api",
            v,
            "h",
        );
        assert_eq!(
            (status, r["kind"].as_str()),
            (201, Some("nil-dereference")),
            "{r}"
        );
        let g = r["group_id"].as_i64().unwrap();
        assert_eq!(*hidden.get_or_insert(g), g);
    }
    // Deadlocks group by their blocked sites, across versions.
    let (_, d1) = post(
        &url,
        &lab("1.23.9", "deadlock-abba.crash.txt"),
        "api",
        "1.23.9",
        "h",
    );
    let (_, d2) = post(
        &url,
        &lab("1.26.6", "deadlock-abba.crash.txt"),
        "api",
        "1.26.6",
        "h",
    );
    assert_eq!(d1["kind"], "deadlock");
    assert_eq!(d1["group_id"], d2["group_id"]);
    assert_eq!(d2["new_group"], false);

    // The groups, by count.
    let groups = get(&format!("{url}/api/v1/groups?sort=count")).unwrap();
    let top = &groups[0];
    assert_eq!(top["id"].as_i64(), Some(nil_group));
    assert_eq!(top["count"], 8);
    assert_eq!(top["kind"], "nil-dereference");
    assert!(
        top["location"].as_str().unwrap().starts_with("main."),
        "{top}"
    );
    assert_eq!(top["versions"].as_array().unwrap().len(), 7);
    assert_eq!(top["services"], serde_json::json!(["api", "billing"]));
    assert!(top["first_seen"].is_string() && top["last_seen"].is_string());
    assert_eq!(groups.as_array().unwrap().len(), 4, "{groups:#}");
    let billing = get(&format!("{url}/api/v1/groups?service=billing")).unwrap();
    assert_eq!(billing.as_array().unwrap().len(), 1);
    let deadlocks = get(&format!("{url}/api/v1/groups?kind=deadlock")).unwrap();
    assert_eq!(deadlocks[0]["count"], 2);
    // One group, with its latest report.
    let one = get(&format!("{url}/api/v1/groups/{nil_group}")).unwrap();
    assert_eq!(
        one["latest_report"]["findings"][0]["kind"],
        "nil-dereference"
    );
    assert_eq!(one["latest_report"]["schema"], "godiag.report/v1");

    // Refusals, each a clear 4xx.
    let anonymous = godiag::collect::Client::new(&Default::default());
    let (status, _) = anonymous
        .post_json_body(
            &format!("{url}/api/v1/reports"),
            &lab("1.24.11", "nil-deref.txt"),
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(status, 401);
    assert_eq!(raw_post_status(&url, &vec![b'x'; 2 << 20]), 413);
    let (status, r) = post(&url, b"hello, this is not a crash", "api", "1", "h");
    assert_eq!(status, 422, "{r}");
    assert!(get(&format!("{url}/api/v1/groups/999999")).is_none());

    // Resolving needs a token too, through the API and the web form.
    for path in ["api/v1/groups", "groups"] {
        let (status, _) = anonymous
            .post_json_body(
                &format!("{url}/{path}/{nil_group}/resolve"),
                b"",
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(status, 401, "{path}");
    }
    let one = get(&format!("{url}/api/v1/groups/{nil_group}")).unwrap();
    assert_eq!(one["group"]["resolved"], false);

    // Resolved, then back: a regression.
    let (status, _) = client()
        .post_json_body(
            &format!("{url}/api/v1/groups/{nil_group}/resolve"),
            b"",
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(status, 204);
    let (_, r) = post(&url, &lab("1.25.5", "nil-deref.txt"), "api", "1.25.5", "h");
    assert_eq!(r["group_id"].as_i64(), Some(nil_group));
    assert_eq!(r["regression"], true, "{r}");
    let one = get(&format!("{url}/api/v1/groups/{nil_group}")).unwrap();
    assert_eq!(one["group"]["regressed"], true);
    assert_eq!(one["group"]["resolved"], false);

    // A new group and a regression each reached Alertmanager, once, with
    // the group's page; the other groups too.
    eventually("the regression's alert in Alertmanager", || {
        alerts_for(&am, "GodiagCrashRegression", nil_group).len() == 1
    });
    let new = alerts_for(&am, "GodiagNewCrashGroup", nil_group);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["labels"]["kind"], "nil-dereference");
    assert_eq!(new[0]["labels"]["service"], "api");
    assert_eq!(
        new[0]["annotations"]["group_url"],
        format!("https://godiag.example/groups/{nil_group}")
    );
    assert!(new[0]["annotations"]["location"]
        .as_str()
        .is_some_and(|l| l.starts_with("main.")));
    for g in get(&format!("{url}/api/v1/groups"))
        .unwrap()
        .as_array()
        .unwrap()
    {
        let id = g["id"].as_i64().unwrap();
        eventually("an alert per new group", || {
            alerts_for(&am, "GodiagNewCrashGroup", id).len() == 1
        });
    }

    // The metrics: what was ingested, created, reopened and refused; the
    // groups in the store. A real Prometheus scrapes them.
    let m = metrics(&url);
    assert_eq!(
        sample(&m, "godiag_serve_reports_total{kind=\"nil-dereference\"}"),
        Some(11.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "godiag_serve_new_groups_total{kind=\"deadlock\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        sample(
            &m,
            "godiag_serve_regressions_total{kind=\"nil-dereference\"}"
        ),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "godiag_serve_refused_total{reason=\"token\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "godiag_serve_refused_total{reason=\"unreadable\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "godiag_serve_groups{kind=\"nil-dereference\"}"),
        Some(2.0),
        "{m}"
    );
    eventually("Prometheus scraped serve", || {
        common::prometheus_value(
            &prom,
            "godiag_serve_regressions_total{kind=\"nil-dereference\"}",
        ) == Some(1.0)
    });
    assert_eq!(
        common::prometheus_value(&prom, "sum(godiag_serve_groups)"),
        Some(4.0)
    );

    // Deadlocks and leaks group by the set of sites their goroutines are
    // blocked at: the crash and a later dump of the same AB/BA deadlock
    // are one group; two dumps of one leak, under two Go versions, another.
    let (_, d3) = post(
        &url,
        &lab("1.21.13", "deadlock-abba.goroutines.debug2.txt"),
        "api",
        "1.21.13",
        "h",
    );
    assert_eq!(d3["group_id"], d1["group_id"], "{d3}");
    let (_, l1) = post(
        &url,
        &lab("1.21.13", "goroutine-leak.debug2-1.txt"),
        "api",
        "1.21.13",
        "h",
    );
    let (_, l2) = post(
        &url,
        &lab("1.27.3", "goroutine-leak.debug2-2.txt"),
        "api",
        "1.27.3",
        "h",
    );
    assert_eq!(
        (l1["kind"].as_str(), l1["new_group"].as_bool()),
        (Some("goroutine-leak"), Some(true)),
        "{l1}"
    );
    assert_eq!(l2["group_id"], l1["group_id"], "{l2}");

    // kill -9 right after a 201: the report is there after a restart.
    let mut server = server;
    let (status, last) = post(
        &url,
        &lab("1.21.13", "slice-bounds.txt"),
        "api",
        "1.21.13",
        "h",
    );
    assert_eq!(status, 201);
    server.child.kill().unwrap(); // SIGKILL
    let _ = server.child.wait();
    drop(server);
    let again = start(db, common::free_port(), &["--token", "team-a"]);
    let one = get(&format!("{}/api/v1/groups/{}", again.url, last["group_id"])).unwrap();
    assert_eq!(one["group"]["count"], 1);
    assert_eq!(one["group"]["kind"], last["kind"]);
    let all = get(&format!("{}/api/v1/groups", again.url)).unwrap();
    let total: i64 = all
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 8 + 1 + 2 + 2 + 1 + 1 + 1 + 2);
    nil_group
}

/// The rate limit: a burst of N per sender, then 429 with a Retry-After,
/// counted in the metrics; another sender (another token) is not held back.
#[test]
fn serve_rate_limit() {
    let dir = common::scratch("serve-rate");
    let server = start(
        &sqlite(&dir.join("rate.db")),
        common::free_port(),
        &[
            "--rate-limit",
            "2",
            "--token",
            "team-a",
            "--token",
            "team-b",
        ],
    );
    let url = &server.url;
    for _ in 0..2 {
        assert_eq!(
            post(url, &lab("1.24.11", "nil-deref.txt"), "api", "1", "h").0,
            201
        );
    }
    let answer = raw_post(url, &lab("1.24.11", "nil-deref.txt"));
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    let retry: u64 = answer
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_string)
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("a Retry-After header");
    assert!((1..=31).contains(&retry), "{retry}");
    assert!(answer.contains("more than 2 reports a minute"), "{answer}");
    let team_b = godiag::collect::Client::new(&godiag::collect::HttpOptions {
        headers: vec![("Authorization".into(), "Bearer team-b".into())],
        ..Default::default()
    });
    let (status, _) = team_b
        .post_json_body(
            &format!("{url}/api/v1/reports"),
            &lab("1.24.11", "nil-deref.txt"),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(status, 201, "another project has its own budget");
    assert_eq!(
        sample(&metrics(url), "godiag_serve_refused_total{reason=\"rate\"}"),
        Some(1.0)
    );
}

/// The web UI in headless Chromium: the groups page sorts and filters, a
/// group page shows its occurrences and the latest report, and marking it
/// resolved shows.
#[test]
#[ignore = "needs chromium: run scripts/test.sh"]
fn serve_web_ui_in_chromium() {
    let dir = common::scratch("serve-ui");
    let server = start(&sqlite(&dir.join("ui.db")), common::free_port(), &[]);
    let url = server.url.clone();
    for v in VERSIONS {
        post(&url, &lab(v, "nil-deref.txt"), "api", v, "h");
    }
    post(
        &url,
        &lab("1.24.11", "index-out-of-range.txt"),
        "batch",
        "1.24.11",
        "h",
    );
    let groups = get(&format!("{url}/api/v1/groups?sort=count")).unwrap();
    let nil = groups[0]["id"].as_i64().unwrap();

    let (dom, log) = common::render_url_in_chromium(
        &format!("{url}/?sort=count"),
        &dir.join("profile-1"),
        &dir.join("groups.png"),
    );
    common::assert_clean_page(&dom, &log);
    let rows: Vec<&str> = dom.split("<tr class=\"group\"").skip(1).collect();
    assert_eq!(rows.len(), 2, "{dom}");
    assert!(
        rows[0].contains(&format!("data-id=\"{nil}\""))
            && rows[0].contains("<td class=\"count\">7</td>"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("nil-dereference") && rows[1].contains("runtime-error"),
        "{dom}"
    );
    let (dom, _) = common::render_url_in_chromium(
        &format!("{url}/?service=batch"),
        &dir.join("profile-2"),
        &dir.join("filtered.png"),
    );
    assert_eq!(dom.matches("<tr class=\"group\"").count(), 1, "{dom}");
    assert!(dom.contains("runtime-error"));

    let (dom, log) = common::render_url_in_chromium(
        &format!("{url}/groups/{nil}"),
        &dir.join("profile-3"),
        &dir.join("group.png"),
    );
    common::assert_clean_page(&dom, &log);
    assert!(dom.contains("<span id=\"count\">7</span>"), "{dom}");
    assert_eq!(
        dom.matches("class=\"bar\"").count(),
        1,
        "one hour of occurrences: {dom}"
    );
    assert!(
        dom.contains("<iframe id=\"report\"")
            && dom.contains("srcdoc=")
            && dom.contains("nil-dereference")
    );
    assert!(dom.contains("id=\"resolve\""));
    // Another site's page cannot post the form for a visitor.
    let foreign = godiag::collect::Client::new(&godiag::collect::HttpOptions {
        headers: vec![("Origin".into(), "http://evil.example".into())],
        ..Default::default()
    });
    let (status, _) = foreign
        .post_json_body(
            &format!("{url}/groups/{nil}/resolve"),
            b"",
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(status, 403);
    // The form's POST, as the button sends it.
    let (status, _) = client()
        .post_json_body(
            &format!("{url}/groups/{nil}/resolve"),
            b"",
            Duration::from_secs(5),
        )
        .unwrap();
    assert!(status == 303 || status == 200, "{status}");
    let (dom, _) = common::render_url_in_chromium(
        &format!("{url}/groups/{nil}"),
        &dir.join("profile-4"),
        &dir.join("resolved.png"),
    );
    assert!(
        dom.contains("class=\"tag resolved\"") && !dom.contains("id=\"resolve\""),
        "{dom}"
    );
    assert!(std::fs::metadata(dir.join("group.png")).unwrap().len() > 10_000);
}

/// go/crashreport: a program that calls crashreport.Start sends its crash
/// to the server through its monitor process; its own exit status and
/// output stay as they were; a program that ends well sends nothing.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn senders_crashreport_and_run_report() {
    let (version, go) = common::toolchain();
    let dir = common::scratch("serve-crashreport");
    let bin = dir.join("crashy");
    let status = Command::new(&go)
        .current_dir(common::lab_dir().join("../go/crashreport"))
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .args(["build", "-o"])
        .arg(&bin)
        .arg("./cmd/crashy")
        .status()
        .unwrap();
    assert!(status.success(), "go build");
    let server = start(
        &sqlite(&dir.join("cr.db")),
        common::free_port(),
        &["--token", "team-a"],
    );
    let run = |arg: &str| {
        Command::new(&bin)
            .arg(arg)
            .env("GODIAG_SERVE_URL", &server.url)
            .env("GODIAG_SERVE_TOKEN", "team-a")
            .output()
            .unwrap()
    };
    let ok = run("ok");
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "done\n");
    let crashed = run("crash");
    assert_eq!(
        crashed.status.code(),
        Some(2),
        "the program's own exit status"
    );
    let stderr = String::from_utf8_lossy(&crashed.stderr);
    assert!(
        stderr.starts_with("panic: runtime error: invalid memory address"),
        "{stderr}"
    );
    let until = Instant::now() + Duration::from_secs(20);
    let groups = loop {
        let g = get(&format!("{}/api/v1/groups", server.url)).unwrap();
        if !g.as_array().unwrap().is_empty() || Instant::now() > until {
            break g;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g["kind"], "nil-dereference");
    assert_eq!(g["count"], 1, "the normal run sent nothing");
    assert!(
        g["location"].as_str().unwrap().starts_with("main.lookup "),
        "{g}"
    );
    assert_eq!(g["services"], serde_json::json!(["crashy"]));
    assert_eq!(g["versions"], serde_json::json!([format!("go{version}")]));

    // `godiag run --report`: the same crash, run under godiag, lands in the
    // same group as a bundle (crash output, core, executable), beside the
    // monitor's own report of it.
    let group = g["id"].as_i64().unwrap();
    let run_dir = dir.join("run");
    std::fs::create_dir_all(&run_dir).unwrap();
    let run = |server: &str, monitor: &str| {
        Command::new(env!("CARGO_BIN_EXE_godiag"))
            .current_dir(&run_dir)
            .args(["run", "--report", server, "--report-token", "team-a", "--"])
            .arg(&bin)
            .arg("crash")
            .env("GODIAG_SERVE_URL", monitor)
            .env("GODIAG_SERVE_TOKEN", "team-a")
            .output()
            .unwrap()
    };
    let out = run(&server.url, &server.url);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "godiag: reported to {}: group {group} (nil-dereference)",
            server.url
        )),
        "{stderr}"
    );
    eventually("both reports of the run in one group", || {
        get(&format!("{}/api/v1/groups/{group}", server.url)).unwrap()["group"]["count"] == 3
    });
    assert_eq!(
        get(&format!("{}/api/v1/groups", server.url))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A server that takes only 1 MiB gets the bundle again without its
    // large files (the core, the executable): the crash still lands.
    let small = start(
        &sqlite(&dir.join("small.db")),
        common::free_port(),
        &["--token", "team-a", "--max-report-mib", "1"],
    );
    let out = run(&small.url, "http://127.0.0.1:1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the whole bundle was too large for the server; sent without")
            && stderr.contains("crashy"),
        "{stderr}"
    );
    let groups = get(&format!("{}/api/v1/groups", small.url)).unwrap();
    assert_eq!(groups[0]["kind"], "nil-dereference", "{groups}");
    assert!(groups[0]["location"]
        .as_str()
        .unwrap()
        .starts_with("main.lookup "));
    assert_eq!(groups[0]["services"], serde_json::json!(["crashy"]));
    let latest = get(&format!("{}/api/v1/groups/{}", small.url, groups[0]["id"])).unwrap();
    let inputs: Vec<&str> = latest["latest_report"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert!(inputs.contains(&"stderr.txt"), "{inputs:?}");
    // The bundles were packed into unnamed files in their directories:
    // nothing of them is left beside what `run` kept.
    for bundle in std::fs::read_dir(&run_dir).unwrap() {
        let bundle = bundle.unwrap().path();
        for f in std::fs::read_dir(&bundle).unwrap() {
            let name = f.unwrap().file_name();
            assert!(
                !name.to_string_lossy().contains("godiag-upload"),
                "{name:?} left in {}",
                bundle.display()
            );
        }
    }
}
