//! Uploading a bundle to `godiag serve` (`godiag run --report URL`): the
//! directory packed as a gzipped tar (into an unnamed file, then sent from
//! it) and posted to `/api/v1/reports` with its metadata. A server that
//! finds it too large (413) gets it again without its large files (the
//! core, the executable), so that the crash text still lands.

use std::io::{Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::http::{Client, HttpOptions};

/// Where and how to upload.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    /// The server's base URL (`https://godiag.example`) or its
    /// `/api/v1/reports` URL.
    pub url: String,
    pub token: Option<String>,
    pub service: Option<String>,
    pub host: Option<String>,
    pub http: HttpOptions,
}

/// What the server said.
#[derive(Debug)]
pub struct Uploaded {
    /// `{"id", "group_id", "kind", "new_group", "regression"}`.
    pub answer: serde_json::Value,
    /// Files left out because the whole bundle was too large.
    pub left_out: Vec<String>,
}

/// Files above this are left out when the whole bundle is refused as too large.
const LARGE_FILE: u64 = 1 << 20;
const TIMEOUT: Duration = Duration::from_secs(120);

fn reports_url(url: &str) -> String {
    let base = url.trim_end_matches('/');
    if base.ends_with("/api/v1/reports") {
        base.to_string()
    } else {
        format!("{base}/api/v1/reports")
    }
}

/// Packs `dir` and posts it.
pub fn upload_bundle(dir: &Path, u: &Upload) -> Result<Uploaded> {
    let url = reports_url(&u.url);
    let bearer = u.token.as_ref().map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    for (name, value) in [("X-Godiag-Service", &u.service), ("X-Godiag-Host", &u.host)] {
        if let Some(v) = value {
            headers.push((name, v));
        }
    }
    let mut left_out: Vec<String> = Vec::new();
    // Why the whole bundle did not go, said if the smaller one fails too.
    let mut first_refusal: Option<String> = None;
    loop {
        let leave: Vec<&str> = left_out.iter().map(String::as_str).collect();
        let spool = Spool::pack(dir, &leave)?;
        let mut body = std::io::BufReader::new(&spool.file);
        // A new client each time: a server that refused the whole bundle
        // closes the connection it did not read to its end, and a second
        // POST on it from the pool would fail.
        let client = Client::new(&u.http);
        let sent = client.post_reader(
            &url,
            "application/gzip",
            &headers,
            &mut body,
            spool.len,
            TIMEOUT,
        );
        let (status, refusal) = match sent {
            Ok((status @ 200..=299, answer)) => {
                let answer = serde_json::from_slice(&answer)
                    .with_context(|| format!("{url} answered {status} with no JSON"))?;
                return Ok(Uploaded { answer, left_out });
            }
            Ok((status, answer)) => {
                let why = serde_json::from_slice::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| v["error"].as_str().map(str::to_string))
                    .unwrap_or_else(|| String::from_utf8_lossy(&answer).into_owned());
                (
                    status,
                    format!("{url} refused the bundle ({status}): {why}"),
                )
            }
            // A server refusing a large body may close the connection before
            // the client has sent it all and could read the 413.
            Err(e) => (0, format!("{e:#}")),
        };
        let too_large = status == 413 || (status == 0 && spool.len > LARGE_FILE);
        if first_refusal.is_none() && too_large {
            left_out = large_files(dir)?;
            if !left_out.is_empty() {
                first_refusal = Some(refusal);
                continue;
            }
        }
        match first_refusal {
            Some(first) => bail!("{first}; without its large files: {refusal}"),
            None => bail!("{refusal}"),
        }
    }
}

/// The packed bundle, in a file that has no name: created in the bundle's
/// own directory (writable: the bundle was written there; a container's
/// root may not be), readable by its owner only (a core holds the
/// program's memory), and unlinked at once, so nothing is left behind
/// whatever ends the process. A bundle with a core of gigabytes is packed
/// and sent without being held in memory.
struct Spool {
    file: std::fs::File,
    len: u64,
}

impl Spool {
    fn pack(dir: &Path, leave_out: &[&str]) -> Result<Spool> {
        let file = Self::unnamed_file(dir)?;
        let written = godiag_engine::pack_bundle_into(
            dir,
            leave_out,
            std::io::BufWriter::with_capacity(1 << 20, &file),
        )?;
        written
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|mut f| f.seek(SeekFrom::Start(0)))
            .with_context(|| format!("cannot pack {} for the upload", dir.display()))?;
        let len = file.metadata()?.len();
        Ok(Spool { file, len })
    }

    /// A new file in `dir`, already unlinked (so the packing does not see
    /// it either).
    fn unnamed_file(dir: &Path) -> Result<std::fs::File> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        loop {
            let path = dir.join(format!(
                ".godiag-upload-{}-{}.tar.gz",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            ));
            // create_new: never through a link someone left at that name.
            let opened = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path);
            match opened {
                Ok(file) => {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("cannot unlink {}", path.display()))?;
                    return Ok(file);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()))
                }
            }
        }
    }
}

fn large_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let e = e?;
        if e.metadata()
            .is_ok_and(|m| m.is_file() && m.len() > LARGE_FILE)
        {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    Ok(out)
}
