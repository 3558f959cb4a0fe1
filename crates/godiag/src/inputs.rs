//! Turning command-line paths into byte buffers: files are memory-mapped,
//! directories walked, stdin read, gzipped text decompressed (with a cap, so a
//! small file cannot expand without bound).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use godiag_model::InputKind;
use godiag_sniff::{sniff, Sniffed};
use memmap2::Mmap;

/// Decompressed text beyond this is not read (the input is then partial).
const MAX_DECOMPRESSED: u64 = 4 << 30;

enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// What a bundle's `bundle.json` (written by `collect` or `run`) says.
#[derive(Clone, Debug, Default)]
pub struct BundleInfo {
    /// The bundle directory as given.
    pub path: String,
    /// `run` or `collect`.
    pub created_by: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// `run`: the command line; `collect`: the URL.
    pub what: String,
    /// `run`: how the program ended.
    pub exit: Option<String>,
    /// `collect`: snapshots and the seconds between them.
    pub snapshots: Option<(u64, f64)>,
    /// Requests or captures that failed, as `what: why`.
    pub failed: Vec<String>,
}

impl BundleInfo {
    fn parse(path: String, v: &serde_json::Value) -> (Self, Vec<(String, String)>) {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        let what = match v["url"].as_str() {
            Some(u) => u.to_string(),
            None => v["command"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default(),
        };
        let exit = v
            .get("exit")
            .map(|e| match (e["code"].as_i64(), e["signal"].as_i64()) {
                (Some(c), _) => format!("exit status {c}"),
                (None, Some(sig)) => format!(
                    "signal {sig}{}",
                    if e["core_dumped"].as_bool() == Some(true) {
                        " (core dumped)"
                    } else {
                        ""
                    }
                ),
                _ => "unknown".into(),
            });
        let snapshots = v["snapshots"]
            .as_u64()
            .map(|n| (n, v["interval_seconds"].as_f64().unwrap_or(0.0)));
        let failed = v["failed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f["query"].as_str().or(f["what"].as_str()).unwrap_or("?"),
                            f["why"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let captured = v["files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| {
                        Some((
                            f["name"].as_str()?.to_string(),
                            f["captured_at"].as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        (
            BundleInfo {
                path,
                created_by: s("created_by").unwrap_or_default(),
                started_at: s("started_at"),
                ended_at: s("ended_at"),
                what,
                exit,
                snapshots,
                failed,
            },
            captured,
        )
    }
}

/// One input, loaded.
pub struct Loaded {
    /// The path as given (or found in a directory), `-` for stdin.
    pub display: String,
    bytes: Bytes,
    pub sniffed: Sniffed,
    /// Size of the input as stored (compressed size for gzip).
    pub original_len: u64,
    /// Decompression stopped early (damage or the size cap).
    pub cut: bool,
    pub warnings: Vec<String>,
    /// When it was captured, from its bundle's `bundle.json`.
    pub captured_at: Option<String>,
    /// The bundle it came from, when that bundle has a `bundle.json`.
    pub bundle: Option<std::sync::Arc<BundleInfo>>,
}

impl Loaded {
    /// An input held in memory (tests, stdin); sniffed like a file.
    pub fn from_bytes(display: impl Into<String>, bytes: Vec<u8>) -> Result<Loaded> {
        finish(display.into(), Bytes::Owned(bytes))
    }

    /// Lets the kernel drop the pages of a mapped input that were read so
    /// far: they stop counting towards the process's memory and are read
    /// again from the file if touched. For readers that walk a large input
    /// once in scattered places (the stacks of a core).
    pub fn release_pages(&self) {
        if let Bytes::Mapped(m) = &self.bytes {
            // SAFETY: the mapping is private and never written, so dropping
            // its pages loses nothing: the next access reads the same bytes
            // from the file (which, as for any mapping, must not change under us).
            let _ = unsafe { m.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }

    pub fn bytes(&self) -> &[u8] {
        bytes_of(&self.bytes)
    }
}

/// Loads every path; a path that cannot be read is an error naming it.
pub fn load_inputs(paths: &[PathBuf]) -> Result<Vec<Loaded>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut v = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut v)
                .context("cannot read standard input")?;
            out.push(finish("-".into(), Bytes::Owned(v))?);
            continue;
        }
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files)
                .with_context(|| format!("cannot read directory {}", p.display()))?;
            files.sort();
            // A bundle.json that cannot be read is only a warning: the
            // artifacts are still there.
            let manifest = p.join("bundle.json");
            let (bundle, captured) = match std::fs::read(&manifest) {
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(v) => {
                        let (b, c) = BundleInfo::parse(p.display().to_string(), &v);
                        (Some(std::sync::Arc::new(b)), c)
                    }
                    Err(e) => {
                        let b = BundleInfo {
                            path: p.display().to_string(),
                            failed: vec![format!("bundle.json: not read: {e}")],
                            ..BundleInfo::default()
                        };
                        (Some(std::sync::Arc::new(b)), Vec::new())
                    }
                },
                Err(_) => (None, Vec::new()),
            };
            for f in files {
                let mut l = load_file(&f)?;
                let name = f
                    .strip_prefix(p)
                    .map(|r| r.display().to_string())
                    .unwrap_or_default();
                l.captured_at = captured
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.clone());
                l.bundle = bundle.clone();
                out.push(l);
            }
        } else {
            out.push(load_file(p)?);
        }
    }
    Ok(out)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        // `bundle.json` describes the bundle (`collect`, `run`); it is not an artifact.
        if name.to_string_lossy().starts_with('.') || name == "bundle.json" {
            continue;
        }
        let ty = entry.file_type()?;
        if ty.is_dir() {
            walk(&path, files)?;
        } else if ty.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

fn load_file(p: &Path) -> Result<Loaded> {
    let file = File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
    let len = file
        .metadata()
        .with_context(|| format!("cannot read {}", p.display()))?
        .len();
    let bytes = if len == 0 {
        Bytes::Owned(Vec::new())
    } else {
        // SAFETY: the map is read-only; a file truncated underneath us by
        // another process is outside what godiag can defend against, as for
        // every tool that maps its input.
        let map =
            unsafe { Mmap::map(&file) }.with_context(|| format!("cannot read {}", p.display()))?;
        Bytes::Mapped(map)
    };
    finish(p.display().to_string(), bytes)
}

fn bytes_of(b: &Bytes) -> &[u8] {
    match b {
        Bytes::Mapped(m) => m,
        Bytes::Owned(v) => v,
    }
}

fn finish(display: String, bytes: Bytes) -> Result<Loaded> {
    let data = bytes_of(&bytes);
    let original_len = data.len() as u64;
    let sniffed = sniff(data);
    let mut warnings = Vec::new();
    let mut cut = false;
    // Text inside gzip is decompressed for the text reader; binary kinds keep
    // their compressed bytes for their own readers.
    let text_kind = matches!(
        sniffed.kind,
        InputKind::CrashText
            | InputKind::SigquitDump
            | InputKind::GoroutineDump
            | InputKind::GoroutineCountDump
            | InputKind::RaceReport
            | InputKind::PprofText
    );
    let bytes = if sniffed.gzipped && text_kind {
        let mut v = Vec::new();
        let mut dec = flate2::read::GzDecoder::new(data).take(MAX_DECOMPRESSED);
        if let Err(e) = dec.read_to_end(&mut v) {
            cut = true;
            warnings.push(format!(
                "gzip stream damaged after {} decompressed bytes: {e}",
                v.len()
            ));
        } else if v.len() as u64 == MAX_DECOMPRESSED {
            cut = true;
            warnings.push(format!("decompressed text cut at {MAX_DECOMPRESSED} bytes"));
        }
        Bytes::Owned(v)
    } else {
        bytes
    };
    // Text escaped inside log records or broken at a terminal's width is
    // restored before it is read; the notes say what was done.
    let (bytes, sniffed) = match text_kind
        .then(|| godiag_traceback::restore(bytes_of(&bytes)))
        .flatten()
    {
        Some(r) => {
            warnings.extend(r.notes);
            cut |= r.cut;
            let mut again = sniff(&r.text);
            if again.kind == InputKind::Unrecognized {
                again.kind = sniffed.kind;
            }
            (Bytes::Owned(r.text), again)
        }
        None => (bytes, sniffed),
    };
    Ok(Loaded {
        display,
        bytes,
        sniffed,
        original_len,
        cut,
        warnings,
        captured_at: None,
        bundle: None,
    })
}
