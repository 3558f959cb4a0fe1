//! `godiag collect`: a bundle from a live service's `/debug/pprof/`
//! endpoints — goroutine dumps, heap, allocs, mutex, block, a CPU profile,
//! an execution trace, the goroutine leak profile where served — taken as
//! several snapshots for leak detection, with a `bundle.json` of capture
//! times and of what failed.
//!
//! The HTTP client is a minimal HTTP/1.1 `GET` over a TCP connection (plain
//! `http://`, `Content-Length` or chunked bodies), which is what the Go
//! standard library's pprof handlers speak; no extra dependency.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use godiag_engine::time::rfc3339;

/// Largest response read (a debug=2 dump of a huge service is big, but
/// not this big).
const MAX_BODY: u64 = 2 << 30;

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
    /// Progress lines on standard error.
    pub progress: bool,
}

/// A parsed `http://host:port/prefix` address.
struct Endpoint {
    host: String,
    port: u16,
    /// `/debug/pprof/`, or where the service serves it.
    base: String,
}

fn endpoint(url: &str) -> Result<Endpoint> {
    let rest = match url.split_once("://") {
        Some(("http", rest)) => rest,
        Some((scheme, _)) => {
            bail!("{scheme}:// is not supported: give an http:// address (a port-forward to the service, for example)")
        }
        None => url,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            p.parse::<u16>()
                .with_context(|| format!("bad port in {url}"))?,
        ),
        None => (authority.to_string(), 80),
    };
    if host.is_empty() {
        bail!("no host in {url}");
    }
    let path = path.trim_end_matches('/');
    let base = if path.ends_with("/debug/pprof") {
        format!("{path}/")
    } else {
        format!("{path}/debug/pprof/")
    };
    Ok(Endpoint { host, port, base })
}

/// A response: status code and body.
struct Response {
    status: u16,
    body: Vec<u8>,
}

/// `GET path` with a timeout on connecting and on every read.
fn get(ep: &Endpoint, path: &str, timeout: Duration) -> Result<Response> {
    let addr = (ep.host.as_str(), ep.port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {}", ep.host))?
        .next()
        .with_context(|| format!("no address for {}", ep.host))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("cannot connect to {}:{}", ep.host, ep.port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: godiag/{}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
        ep.host,
        ep.port,
        env!("CARGO_PKG_VERSION")
    )?;
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP response: {:.60}", line.trim()))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse::<u64>().ok();
            } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = u64::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size {:.20}", line.trim()))?;
            if size == 0 {
                break;
            }
            if body.len() as u64 + size > MAX_BODY {
                bail!("response larger than {MAX_BODY} bytes");
            }
            (&mut r).take(size).read_to_end(&mut body)?;
            line.clear();
            r.read_line(&mut line)?; // the chunk's CRLF
        }
    } else {
        let limit = length.unwrap_or(MAX_BODY).min(MAX_BODY);
        r.take(limit).read_to_end(&mut body)?;
        if length.is_some_and(|n| n != body.len() as u64) {
            bail!(
                "response cut short: {} of {} bytes",
                body.len(),
                length.unwrap_or(0)
            );
        }
    }
    Ok(Response { status, body })
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

/// Fetches one endpoint into `dir`: the bundle.json entry of the file, or
/// of the failure.
fn fetch(
    ep: &Endpoint,
    dir: &Path,
    f: &Fetch,
    timeout: Duration,
) -> std::result::Result<Value, Value> {
    let t0 = Instant::now();
    let fail = |why: String| json!({"what": f.what, "query": f.query, "why": why});
    let path = format!("{}{}", ep.base, f.query);
    let r = get(ep, &path, timeout + Duration::from_secs(f.seconds))
        .map_err(|e| fail(format!("{e:#}")))?;
    if r.status != 200 {
        return Err(fail(format!(
            "HTTP {}: {:.200}",
            r.status,
            String::from_utf8_lossy(&r.body).trim()
        )));
    }
    std::fs::write(dir.join(&f.file), &r.body).map_err(|e| fail(e.to_string()))?;
    Ok(json!({
        "name": f.file,
        "what": f.what,
        "query": f.query,
        "bytes": r.body.len(),
        "captured_at": rfc3339(SystemTime::now()),
        "seconds": t0.elapsed().as_secs_f64(),
    }))
}

/// Collects the bundle; returns its directory.
pub fn collect(opts: &CollectOptions) -> Result<PathBuf> {
    let ep = endpoint(&opts.url)?;
    let started = SystemTime::now();
    let dir = opts.out.clone().unwrap_or_else(|| {
        let secs = started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from(format!("godiag-collect-{secs}"))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // The index tells whether the service serves pprof at all.
    let index = get(&ep, &ep.base, opts.timeout)
        .with_context(|| format!("cannot reach {}{}", opts.url, ""))?;
    if index.status != 200 {
        bail!(
            "{}:{}{} answered {}: is net/http/pprof registered?",
            ep.host,
            ep.port,
            ep.base,
            index.status
        );
    }
    let index_text = String::from_utf8_lossy(&index.body).into_owned();

    let mut files: Vec<Value> = Vec::new();
    let mut failed: Vec<Value> = Vec::new();
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
    // On a terminal, one bar redrawn in place; otherwise a line per step
    // (logs, CI).
    let bar = opts.progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |step: usize, msg: &str| {
        if !opts.progress {
            return;
        }
        if bar {
            let width = 24;
            let done = (step * width)
                .checked_div(total)
                .unwrap_or(width)
                .min(width);
            let line: String = msg.chars().take(60).collect();
            eprint!(
                "\r\x1b[2K[{}{}] {step}/{total} {line}",
                "#".repeat(done),
                " ".repeat(width - done)
            );
            if step == total {
                eprintln!();
            }
        } else {
            eprintln!("godiag collect [{step}/{total}] {msg}");
        }
    };

    let mut record = |step: &mut usize, result: std::result::Result<Value, Value>| {
        *step += 1;
        match result {
            Ok(v) => {
                progress(
                    *step,
                    &format!(
                        "{} ({} bytes, {:.1} s)",
                        v["query"].as_str().unwrap_or(""),
                        v["bytes"],
                        v["seconds"].as_f64().unwrap_or(0.0)
                    ),
                );
                files.push(v);
            }
            Err(v) => {
                progress(
                    *step,
                    &format!(
                        "{}: {}",
                        v["query"].as_str().unwrap_or(""),
                        v["why"].as_str().unwrap_or("")
                    ),
                );
                failed.push(v);
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
            record(&mut step, fetch(&ep, &dir, &f, opts.timeout));
        } else {
            record(
                &mut step,
                Err(json!({
                    "what": "goroutine dump (debug=2)",
                    "query": "goroutine?debug=2",
                    "why": "skipped: it stops the world, and one was taken less than 30 s before (--allow-frequent-dumps)",
                })),
            );
        }
        for f in plan(n) {
            record(&mut step, fetch(&ep, &dir, &f, opts.timeout));
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
    let results: Vec<std::result::Result<Value, Value>> = std::thread::scope(|s| {
        let handles: Vec<_> = timed
            .iter()
            .map(|f| {
                let (ep, dir) = (&ep, &dir);
                s.spawn(move || fetch(ep, dir, f, opts.timeout))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(json!({"why": "the fetching thread failed"})))
            })
            .collect()
    });
    for r in results {
        record(&mut step, r);
    }
    let bundle = json!({
        "schema": "godiag.bundle/v1",
        "tool": { "name": "godiag", "version": env!("CARGO_PKG_VERSION") },
        "created_by": "collect",
        "url": opts.url,
        "started_at": rfc3339(started),
        "ended_at": rfc3339(SystemTime::now()),
        "snapshots": snapshots,
        "interval_seconds": opts.interval.as_secs_f64(),
        "profile_seconds": opts.seconds,
        "files": files,
        "failed": failed,
    });
    std::fs::write(
        dir.join("bundle.json"),
        serde_json::to_string_pretty(&bundle)? + "\n",
    )
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
        let e = endpoint("http://127.0.0.1:6060").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.base.as_str()),
            ("127.0.0.1", 6060, "/debug/pprof/")
        );
        let e = endpoint("localhost:8080/debug/pprof/").unwrap();
        assert_eq!((e.port, e.base.as_str()), (8080, "/debug/pprof/"));
        let e = endpoint("http://svc/admin").unwrap();
        assert_eq!((e.port, e.base.as_str()), (80, "/admin/debug/pprof/"));
        assert!(endpoint("https://svc").is_err());
    }
}
