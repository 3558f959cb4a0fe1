//! One cheap look at a service: goroutines (`goroutine?debug=1`, its
//! `total N`), heap in use and GC CPU share (`/debug/vars` memstats when
//! served, else the MemStats comments of `heap?debug=1`), threads
//! (`threadcreate?debug=1`). Never a debug=2 dump: that stops the world.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use godiag_collect::Client;

/// What one sample saw; a value the service did not give is `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub goroutines: Option<f64>,
    pub heap_inuse: Option<f64>,
    pub gc_cpu_fraction: Option<f64>,
    pub threads: Option<f64>,
}

/// `total N` on the first line of a debug=1 profile.
pub fn profile_total(body: &str) -> Option<f64> {
    let first = body.lines().next()?;
    first.split_once("total ")?.1.trim().parse().ok()
}

/// `# Name = value` among the MemStats comments of `heap?debug=1`.
pub fn memstats_comment(body: &str, name: &str) -> Option<f64> {
    body.lines().rev().take(64).find_map(|l| {
        let rest = l.strip_prefix("# ")?.strip_prefix(name)?;
        rest.trim_start().strip_prefix('=')?.trim().parse().ok()
    })
}

/// Takes a sample of the service whose pprof base is `base`
/// (`http://host:port/debug/pprof/`).
pub fn take(client: &Client, base: &str, timeout: Duration) -> Result<Sample> {
    let get = |url: String| -> Result<String> {
        let r = client.get(&url, timeout)?;
        if r.status != 200 {
            bail!("GET {url}: HTTP {}", r.status);
        }
        Ok(String::from_utf8_lossy(&r.body).into_owned())
    };
    let goroutines = get(format!("{base}goroutine?debug=1"))?;
    let mut s = Sample {
        goroutines: Some(
            profile_total(&goroutines).context("no `total N` in the goroutine profile")?,
        ),
        ..Sample::default()
    };
    // expvar's memstats when the service serves /debug/vars.
    let root = base.trim_end_matches('/').trim_end_matches("/debug/pprof");
    let vars = client
        .get(&format!("{root}/debug/vars"), timeout)
        .ok()
        .filter(|r| r.status == 200)
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok());
    match vars
        .as_ref()
        .map(|v| &v["memstats"])
        .filter(|m| m.is_object())
    {
        Some(m) => {
            s.heap_inuse = m["HeapInuse"].as_f64();
            s.gc_cpu_fraction = m["GCCPUFraction"].as_f64();
        }
        None => {
            let heap = get(format!("{base}heap?debug=1"))?;
            s.heap_inuse = memstats_comment(&heap, "HeapInuse");
            s.gc_cpu_fraction = memstats_comment(&heap, "GCCPUFraction");
        }
    }
    s.threads = get(format!("{base}threadcreate?debug=1"))
        .ok()
        .and_then(|b| profile_total(&b));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_memstats_comments() {
        assert_eq!(
            profile_total("goroutine profile: total 1234\n5 @ 0x1\n"),
            Some(1234.0)
        );
        assert_eq!(profile_total("threadcreate profile: total 9\n"), Some(9.0));
        assert_eq!(profile_total("garbage"), None);
        let heap = "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n# runtime.MemStats\n# Alloc = 10\n# HeapInuse = 4194304\n# GCCPUFraction = 0.0125\n";
        assert_eq!(memstats_comment(heap, "HeapInuse"), Some(4194304.0));
        assert_eq!(memstats_comment(heap, "GCCPUFraction"), Some(0.0125));
        assert_eq!(memstats_comment(heap, "NumGC"), None);
    }
}
