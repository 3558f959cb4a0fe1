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

/// Every path as an input; a path that cannot be read is an error naming
/// it. Standard input (`-`) is read into memory, at most `max_stdin` bytes.
pub fn inputs_from_paths(paths: &[PathBuf], max_stdin: u64) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            push_or_unpack(Input::from_vec("-", read_stdin(max_stdin)?), &mut out)?;
            continue;
        }
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if !meta.is_dir() {
            push_or_unpack(file_input(p)?, &mut out)?;
            continue;
        }
        let mut files = Vec::new();
        walk(p, &mut files).with_context(|| format!("cannot read directory {}", p.display()))?;
        files.sort();
        let bundle = bundle_of(p);
        for f in files {
            let mut input = file_input(&f)?;
            let name = f
                .strip_prefix(p)
                .map(|r| r.display().to_string())
                .unwrap_or_default();
            input.captured_at = bundle
                .as_ref()
                .and_then(|b| b.manifest.captured_at(&name))
                .map(str::to_string);
            input.bundle = bundle.clone();
            out.push(input);
        }
    }
    Ok(out)
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
