//! `godiag collect`: a bundle from a live service's `/debug/pprof/`
//! endpoints — goroutine dumps, heap, allocs, mutex, block, a CPU profile,
//! an execution trace, the goroutine leak profile where served — taken as
//! several snapshots for leak detection, with a `bundle.json` of capture
//! times and of what failed.
//!
//! The HTTP client ([`http`]) speaks `http://` and `https://`, with headers,
//! basic auth and proxies; `bundle.json` is the engine's manifest type.

pub mod http;
pub mod upload;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};

use godiag_engine::time::rfc3339;
use godiag_engine::{BundleFile, BundleManifest, Failure};

pub use http::{Client, HttpOptions};
pub use upload::{upload_bundle, Upload, Uploaded};

/// What to collect.
pub struct CollectOptions {
    /// `http://host:port`, with or without `/debug/pprof/`.
    pub url: String,
    pub out: Option<PathBuf>,
    /// Length of the CPU profile and of the execution trace.
    pub seconds: u64,
    /// Goroutine and heap snapshots, `interval` apart.
    pub snapshots: u32,
    pub interval: Duration,
    /// Per request, beyond the profiling time it asks for.
    pub timeout: Duration,
    pub cpu: bool,
    pub trace: bool,
    /// A debug=2 goroutine dump stops the world: by default at most one per 30 s.
    pub frequent_dumps: bool,
    /// Progress on standard error (a bar on a terminal, lines otherwise).
    pub progress: bool,
    /// Headers, auth and TLS.
    pub http: HttpOptions,
}

/// A service's pprof base: `scheme://host:port/prefix/debug/pprof/`.
struct Endpoint {
    /// What the user gave, for messages.
    given: String,
    base: String,
}

fn endpoint(url: &str) -> Result<Endpoint> {
    let with_scheme = match url.split_once("://") {
        Some(("http" | "https", _)) => url.to_string(),
        Some((scheme, _)) => {
            bail!("{scheme}:// is not supported: give an http:// or https:// address")
        }
        None => format!("http://{url}"),
    };
    let after = with_scheme.split_once("://").map_or("", |(_, r)| r);
    if after.is_empty() || after.starts_with('/') || after.starts_with(':') {
        bail!("no host in {url}");
    }
    let trimmed = with_scheme.trim_end_matches('/');
    let base = if trimmed.ends_with("/debug/pprof") {
        format!("{trimmed}/")
    } else {
        format!("{trimmed}/debug/pprof/")
    };
    Ok(Endpoint {
        given: url.to_string(),
        base,
    })
}

/// One thing to fetch.
struct Fetch {
    /// Path under `/debug/pprof/`, with its query.
    query: String,
    file: String,
    what: &'static str,
    /// Seconds the service spends producing it (profiles over time).
    seconds: u64,
}

/// Fetches one endpoint into `dir`: the manifest entry of the file, or of
/// the failure.
fn fetch(
    client: &Client,
    ep: &Endpoint,
    dir: &Path,
    f: &Fetch,
    timeout: Duration,
) -> std::result::Result<BundleFile, Failure> {
    let t0 = Instant::now();
    let fail = |why: String| Failure {
        what: f.what.to_string(),
        query: Some(f.query.clone()),
        why,
    };
    let url = format!("{}{}", ep.base, f.query);
    let r = client
        .get(&url, timeout + Duration::from_secs(f.seconds))
        .map_err(|e| fail(format!("{e:#}")))?;
    if r.status != 200 {
        return Err(fail(format!(
            "HTTP {}: {:.200}",
            r.status,
            String::from_utf8_lossy(&r.body).trim()
        )));
    }
    std::fs::write(dir.join(&f.file), &r.body).map_err(|e| fail(e.to_string()))?;
    Ok(BundleFile {
        name: f.file.clone(),
        what: f.what.to_string(),
        query: Some(f.query.clone()),
        bytes: Some(r.body.len() as u64),
        captured_at: Some(rfc3339(SystemTime::now())),
        seconds: Some(t0.elapsed().as_secs_f64()),
        source: None,
    })
}

/// A service's pprof base (`scheme://host:port/prefix/debug/pprof/`) from
/// an address as a user gives it.
pub fn pprof_base(url: &str) -> Result<String> {
    Ok(endpoint(url)?.base)
}

/// Collects the bundle; returns its directory.
pub fn collect(opts: &CollectOptions) -> Result<PathBuf> {
    let ep = endpoint(&opts.url)?;
    let client = Client::new(&opts.http);
    let started = SystemTime::now();
    let dir = opts.out.clone().unwrap_or_else(|| {
        let secs = started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from(format!("godiag-collect-{secs}"))
    });
    // The index tells whether the service serves pprof at all; nothing is
    // written before it answers (no empty bundle is left behind).
    let index = client
        .get(&ep.base, opts.timeout)
        .with_context(|| format!("cannot reach {}", ep.given))?;
    let credentials_given = opts.http.basic_auth.is_some()
        || opts.http.headers.iter().any(|(k, _)| {
            k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("cookie")
        });
    match index.status {
        200 => {}
        401 | 403 if credentials_given => bail!(
            "{} answered {}: it refused the credentials given (--header, --basic-auth)",
            ep.base,
            index.status
        ),
        401 | 403 => bail!(
            "{} answered {}: it needs credentials (--header 'Authorization: Bearer …' or --basic-auth user:password)",
            ep.base,
            index.status
        ),
        s => bail!("{} answered {s}: is net/http/pprof registered?", ep.base),
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let index_text = String::from_utf8_lossy(&index.body).into_owned();

    let mut manifest = BundleManifest::new("collect");
    manifest.url = Some(opts.url.clone());
    let mut last_debug2: Option<Instant> = None;
    let snapshots = opts.snapshots.max(1);
    let mut step = 0usize;
    let mut total = 0usize;
    let plan = |n: u32| -> Vec<Fetch> {
        let tag = |s: &str| format!("{s}-{n}");
        let mut v = vec![
            Fetch {
                query: "goroutine?debug=1".into(),
                file: format!("{}.txt", tag("goroutine-debug1")),
                what: "goroutine profile, counts per stack (debug=1)",
                seconds: 0,
            },
            Fetch {
                query: "goroutine".into(),
                file: format!("{}.pb.gz", tag("goroutine")),
                what: "goroutine profile (proto)",
                seconds: 0,
            },
            Fetch {
                query: "heap?gc=1".into(),
                file: format!("{}.pb.gz", tag("heap")),
                what: "heap profile, after a GC",
                seconds: 0,
            },
        ];
        if n == 1 {
            for (q, f, what) in [
                ("allocs", "allocs.pb.gz", "allocation profile"),
                ("mutex", "mutex.pb.gz", "mutex contention profile"),
                ("block", "block.pb.gz", "blocking profile"),
            ] {
                v.push(Fetch {
                    query: q.into(),
                    file: f.into(),
                    what,
                    seconds: 0,
                });
            }
            if index_text.contains("goroutineleak") {
                v.push(Fetch {
                    query: "goroutineleak".into(),
                    file: "goroutineleak.pb.gz".into(),
                    what: "goroutine leak profile (Go 1.26+)",
                    seconds: 0,
                });
            }
        }
        v
    };
    for n in 1..=snapshots {
        total += plan(n).len() + 1;
    }
    total += usize::from(opts.cpu) + usize::from(opts.trace);
    // On a terminal, one bar redrawn in place (indicatif); otherwise a line
    // per step (logs, CI).
    let bar = opts.progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress_bar = bar.then(|| {
        let pb = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("[{bar:24}] {pos}/{len} {elapsed} {wide_msg}")
        {
            pb.set_style(style.progress_chars("#>-"));
        }
        pb
    });
    let progress = |step: usize, msg: &str| {
        if !opts.progress {
            return;
        }
        match &progress_bar {
            Some(pb) => {
                pb.set_position(step as u64);
                pb.set_message(msg.chars().take(60).collect::<String>());
            }
            None => eprintln!("godiag collect [{step}/{total}] {msg}"),
        }
    };

    let mut record = |step: &mut usize, result: std::result::Result<BundleFile, Failure>| {
        *step += 1;
        match result {
            Ok(f) => {
                progress(
                    *step,
                    &format!(
                        "{} ({} bytes, {:.1} s)",
                        f.query.as_deref().unwrap_or(""),
                        f.bytes.unwrap_or(0),
                        f.seconds.unwrap_or(0.0)
                    ),
                );
                manifest.files.push(f);
            }
            Err(e) => {
                progress(
                    *step,
                    &format!("{}: {}", e.query.as_deref().unwrap_or(&e.what), e.why),
                );
                manifest.failed.push(e);
            }
        }
    };

    for n in 1..=snapshots {
        if n > 1 {
            if opts.progress && !bar {
                eprintln!(
                    "godiag collect: next snapshot in {} s",
                    opts.interval.as_secs()
                );
            }
            std::thread::sleep(opts.interval);
        }
        // debug=2 stops the world while it writes every goroutine: rate-limited.
        let allowed = opts.frequent_dumps
            || last_debug2.is_none_or(|t| t.elapsed() >= Duration::from_secs(30));
        if allowed {
            last_debug2 = Some(Instant::now());
            let f = Fetch {
                query: "goroutine?debug=2".into(),
                file: format!("goroutine-debug2-{n}.txt"),
                what: "goroutine dump, every goroutine with its stack (debug=2)",
                seconds: 0,
            };
            record(&mut step, fetch(&client, &ep, &dir, &f, opts.timeout));
        } else {
            record(
                &mut step,
                Err(Failure {
                    what: "goroutine dump (debug=2)".into(),
                    query: Some("goroutine?debug=2".into()),
                    why: "skipped: it stops the world, and one was taken less than 30 s before (--allow-frequent-dumps)".into(),
                }),
            );
        }
        for f in plan(n) {
            record(&mut step, fetch(&client, &ep, &dir, &f, opts.timeout));
        }
    }
    // The CPU profile and the trace take `seconds` each; the service can
    // produce both at once.
    let timed: Vec<Fetch> = [
        opts.cpu.then(|| Fetch {
            query: format!("profile?seconds={}", opts.seconds),
            file: "cpu.pb.gz".into(),
            what: "CPU profile",
            seconds: opts.seconds,
        }),
        opts.trace.then(|| Fetch {
            query: format!("trace?seconds={}", opts.seconds),
            file: "trace.out".into(),
            what: "execution trace",
            seconds: opts.seconds,
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !timed.is_empty() && opts.progress && !bar {
        eprintln!("godiag collect: CPU profile and trace, {} s", opts.seconds);
    }
    let results: Vec<std::result::Result<BundleFile, Failure>> = std::thread::scope(|s| {
        let handles: Vec<_> = timed
            .iter()
            .map(|f| {
                let (client, ep, dir) = (&client, &ep, &dir);
                s.spawn(move || fetch(client, ep, dir, f, opts.timeout))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Failure {
                        what: "a timed profile".into(),
                        query: None,
                        why: "the fetching thread failed".into(),
                    })
                })
            })
            .collect()
    });
    for r in results {
        record(&mut step, r);
    }
    if let Some(pb) = &progress_bar {
        pb.finish();
    }
    manifest.started_at = Some(rfc3339(started));
    manifest.ended_at = Some(rfc3339(SystemTime::now()));
    manifest.snapshots = Some(u64::from(snapshots));
    manifest.interval_seconds = Some(opts.interval.as_secs_f64());
    manifest.profile_seconds = Some(opts.seconds);
    std::fs::write(dir.join("bundle.json"), manifest.to_json())
        .with_context(|| format!("cannot write {}", dir.display()))?;
    Ok(dir)
}

/// Whether `dir` holds anything a report can use.
pub fn is_empty_bundle(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().all(|e| e.file_name() == "bundle.json"))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let base = |u| endpoint(u).unwrap().base;
        assert_eq!(
            base("http://127.0.0.1:6060"),
            "http://127.0.0.1:6060/debug/pprof/"
        );
        assert_eq!(
            base("localhost:8080/debug/pprof/"),
            "http://localhost:8080/debug/pprof/"
        );
        assert_eq!(base("http://svc/admin"), "http://svc/admin/debug/pprof/");
        assert_eq!(base("https://svc:8443"), "https://svc:8443/debug/pprof/");
        assert!(endpoint("ftp://svc").is_err());
        assert!(endpoint("http://").is_err());
    }

    #[test]
    fn headers_and_auth() {
        assert_eq!(
            HttpOptions::parse_header("Authorization: Bearer abc").unwrap(),
            ("Authorization".to_string(), "Bearer abc".to_string())
        );
        assert!(HttpOptions::parse_header("no colon").is_err());
        assert_eq!(
            HttpOptions::parse_basic_auth("u:p:q").unwrap(),
            ("u".to_string(), "p:q".to_string())
        );
    }
}
