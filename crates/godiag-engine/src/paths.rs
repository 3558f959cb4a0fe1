//! Paths as engine inputs, for every front end: files are memory-mapped
//! (small ones read), directories walked (a bundle's `bundle.json` says
//! when each file was captured), `-` is standard input.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{Bundle, BundleManifest, Failure, Input, InputBytes, PreparedInput};
use anyhow::{Context, Result};
use memmap2::Mmap;

/// Standard input read at most, by default (MiB).
pub const DEFAULT_MAX_STDIN_MIB: u64 = 128;

/// Every path as an input. A path that cannot be read (missing, a broken
/// link, no permission) is an input that says so, so the others are still
/// diagnosed; when no path can be read at all, that is the error, naming
/// each. Standard input (`-`) is read into memory, at most `max_stdin`
/// bytes.
pub fn inputs_from_paths(paths: &[PathBuf], max_stdin: u64) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            push_or_unpack(Input::from_vec("-", read_stdin(max_stdin)?), &mut out)?;
            continue;
        }
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                out.push(Input::unreadable(p.display().to_string(), why(p, &e)));
                continue;
            }
        };
        if !meta.is_dir() {
            match file_input(p) {
                Ok(input) => push_or_unpack(input, &mut out)?,
                Err(e) => out.push(Input::unreadable(p.display().to_string(), format!("{e:#}"))),
            }
            continue;
        }
        let mut walked = Walked::default();
        walked.walk(p);
        let bundle = bundle_of(p);
        if walked.files.is_empty() && walked.unreadable.is_empty() {
            out.push(Input::unreadable(
                p.display().to_string(),
                "a directory with no files to analyse in it".into(),
            ));
            continue;
        }
        walked.files.sort();
        for f in walked.files {
            let name = f
                .strip_prefix(p)
                .map(|r| r.display().to_string())
                .unwrap_or_default();
            let mut input = match file_input(&f) {
                Ok(input) => input,
                Err(e) => Input::unreadable(f.display().to_string(), format!("{e:#}")),
            };
            input.captured_at = bundle
                .as_ref()
                .and_then(|b| b.manifest.captured_at(&name))
                .map(str::to_string);
            input.bundle = bundle.clone();
            out.push(input);
        }
        out.extend(
            walked
                .unreadable
                .into_iter()
                .map(|(path, why)| Input::unreadable(path.display().to_string(), why)),
        );
    }
    if !out.is_empty() && out.iter().all(|i| i.unreadable.is_some()) {
        let each: Vec<String> = out
            .iter()
            .map(|i| format!("{}: {}", i.name, i.unreadable.as_deref().unwrap_or("")))
            .collect();
        anyhow::bail!("nothing to analyse: {}", each.join("; "));
    }
    Ok(out)
}

/// Why `p` cannot be read, in words: a dangling link says where it points.
fn why(p: &Path, e: &std::io::Error) -> String {
    match std::fs::read_link(p) {
        Ok(target) if e.kind() == std::io::ErrorKind::NotFound => {
            format!(
                "cannot read it: a link to {}, which does not exist",
                target.display()
            )
        }
        _ => format!("cannot read it: {e}"),
    }
}

/// A tar archive (a bundle packed by `run --report`) reads as the files of
/// its directory; anything else is recognised once, for the pipeline too.
fn push_or_unpack(mut input: Input, out: &mut Vec<Input>) -> Result<()> {
    if crate::recognise(&mut input) {
        if let Some(bytes) = input.held_bytes() {
            out.extend(crate::inputs_from_archive(
                &input.name,
                bytes,
                crate::input::DEFAULT_INFLATED_BYTES,
            )?);
            return Ok(());
        }
    }
    out.push(input);
    Ok(())
}

/// Standard input, up to `max` bytes: more is an error, not a cut, since
/// nothing says where the artifact would end.
fn read_stdin(max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut v = Vec::new();
    std::io::stdin()
        .lock()
        .take(max.saturating_add(1))
        .read_to_end(&mut v)
        .context("cannot read standard input")?;
    if v.len() as u64 > max {
        anyhow::bail!(
            "standard input is larger than {} MiB (read up to byte {max}): save it to a file and give its path (files are mapped, not read into memory), or raise --max-stdin-mib",
            max >> 20
        );
    }
    Ok(v)
}

/// Every path as an input, prepared for its reader.
pub fn load_inputs(paths: &[PathBuf]) -> Result<Vec<PreparedInput>> {
    Ok(inputs_from_paths(paths, DEFAULT_MAX_STDIN_MIB << 20)?
        .into_iter()
        .map(crate::prepare)
        .collect())
}

/// The directory's bundle manifest; one that cannot be read is only noted:
/// the artifacts are still there.
fn bundle_of(dir: &Path) -> Option<Arc<Bundle>> {
    let bytes = std::fs::read(dir.join("bundle.json")).ok()?;
    let manifest = BundleManifest::parse(&bytes).unwrap_or_else(|e| BundleManifest {
        failed: vec![Failure {
            what: "bundle.json".into(),
            query: None,
            why: format!("not read: {e}"),
        }],
        ..BundleManifest::default()
    });
    Some(Arc::new(Bundle {
        path: dir.display().to_string(),
        manifest,
    }))
}

/// What walking a directory found: its files (links to files followed,
/// links to directories walked once), and what it could not read.
#[derive(Default)]
struct Walked {
    files: Vec<PathBuf>,
    unreadable: Vec<(PathBuf, String)>,
    /// Directories walked, by their real path: a link back up is not
    /// walked again.
    seen: Vec<PathBuf>,
}

impl Walked {
    fn walk(&mut self, dir: &Path) {
        if let Ok(real) = std::fs::canonicalize(dir) {
            if self.seen.contains(&real) {
                return;
            }
            self.seen.push(real);
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.unreadable
                    .push((dir.to_path_buf(), format!("cannot read the directory: {e}")));
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.unreadable
                        .push((dir.to_path_buf(), format!("cannot list the directory: {e}")));
                    continue;
                }
            };
            let path = entry.path();
            let name = entry.file_name();
            // `bundle.json` describes the bundle (`collect`, `run`); it is
            // not an artifact. Hidden files are not the bundle's either.
            if name.to_string_lossy().starts_with('.') || name == "bundle.json" {
                continue;
            }
            // Links are followed (an executable linked into a bundle).
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.walk(&path),
                Ok(meta) if meta.is_file() => self.files.push(path),
                // Sockets, pipes, devices: not artifacts, and reading a
                // pipe may never end; said, not read.
                Ok(meta) => {
                    let what = special_file(&meta);
                    self.unreadable
                        .push((path, format!("not read: {what}, not a file")));
                }
                Err(e) => {
                    let why = why(&path, &e);
                    self.unreadable.push((path, why));
                }
            }
        }
    }
}

/// What a path that is neither a file nor a directory is.
fn special_file(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// Files smaller than this are read, not mapped.
const SMALL_FILE: u64 = 64 << 10;

fn file_input(p: &Path) -> Result<Input> {
    let file = File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
    let len = file
        .metadata()
        .with_context(|| format!("cannot read {}", p.display()))?
        .len();
    let bytes = if len < SMALL_FILE {
        // A mapping costs a page and a mapping of its own: thousands of
        // small files are cheaper read.
        let mut v = Vec::with_capacity(len as usize);
        std::io::Read::read_to_end(&mut std::io::Read::take(file, SMALL_FILE), &mut v)
            .with_context(|| format!("cannot read {}", p.display()))?;
        InputBytes::Owned(v)
    } else {
        // SAFETY: the map is read-only; a file truncated underneath us by
        // another process is outside what godiag can defend against, as for
        // every tool that maps its input.
        let map =
            unsafe { Mmap::map(&file) }.with_context(|| format!("cannot read {}", p.display()))?;
        InputBytes::Mapped(map)
    };
    Ok(Input::new(p.display().to_string(), bytes))
}
