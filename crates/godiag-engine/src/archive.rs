//! Bundles as one archive: a tar, gzipped or not, of a `godiag run` or
//! `collect` directory (what `run --report` uploads and `serve` ingests).
//! Read in memory, within bounds: the archive's own sizes are never
//! trusted for an allocation, and the inflated total and the number of
//! entries are capped.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use crate::bundle::{Bundle, BundleManifest, Failure};
use crate::input::{Input, InputBytes, SharedBytes};

/// Entries read from one archive at most.
pub const MAX_ARCHIVE_ENTRIES: usize = 10_000;

/// The files of a bundle archive as inputs, named by their path in the
/// bundle directory (a single top directory is dropped), with the bundle's
/// manifest. At most `max_bytes` are inflated in all.
pub fn inputs_from_archive(name: &str, bytes: &[u8], max_bytes: u64) -> Result<Vec<Input>> {
    let reader: Box<dyn Read + '_> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut archive = tar::Archive::new(reader);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total: u64 = 0;
    let entries = archive
        .entries()
        .with_context(|| format!("{name}: not a tar archive"))?;
    for (k, entry) in entries.enumerate() {
        if k >= MAX_ARCHIVE_ENTRIES {
            bail!("{name}: more than {MAX_ARCHIVE_ENTRIES} entries");
        }
        let mut entry = entry.with_context(|| format!("{name}: entry {k} unreadable"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .with_context(|| format!("{name}: entry {k} has no readable name"))?
            .to_string_lossy()
            .into_owned();
        let left = max_bytes.saturating_sub(total);
        let mut data = Vec::new();
        (&mut entry)
            .take(left.saturating_add(1))
            .read_to_end(&mut data)
            .with_context(|| format!("{name}: {path} unreadable"))?;
        total += data.len() as u64;
        if total > max_bytes {
            bail!(
                "{name}: more than {} MiB once inflated (at {path})",
                max_bytes >> 20
            );
        }
        files.push((path, data));
    }
    let top = common_top(files.iter().map(|(p, _)| p.as_str()));
    let mut manifest = None;
    let mut out = Vec::new();
    for (path, data) in files {
        let rel = match &top {
            Some(t) => path[t.len()..].trim_start_matches('/').to_string(),
            None => path.trim_start_matches("./").to_string(),
        };
        let hidden = rel.split('/').any(|c| c.starts_with('.'));
        if rel.is_empty() || hidden {
            continue;
        }
        if rel == "bundle.json" {
            manifest = Some(
                BundleManifest::parse(&data).unwrap_or_else(|e| BundleManifest {
                    failed: vec![Failure {
                        what: "bundle.json".into(),
                        query: None,
                        why: format!("not read: {e}"),
                    }],
                    ..BundleManifest::default()
                }),
            );
            continue;
        }
        out.push(Input::new(rel, InputBytes::Owned(data)));
    }
    if let Some(manifest) = manifest {
        let bundle = Arc::new(Bundle {
            path: name.to_string(),
            manifest,
        });
        for input in &mut out {
            input.captured_at = bundle.manifest.captured_at(&input.name).map(str::to_string);
            input.bundle = Some(bundle.clone());
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A body of bytes (an upload) as inputs, recognised once: a bundle
/// archive's files, copied out of the body as they are unpacked, or else
/// the body itself as one input, `report`, shared and not copied. An
/// archive that cannot be unpacked is offered to the readers as it is,
/// which say what it is; why it was not unpacked comes with it.
pub fn inputs_from_body(
    body: SharedBytes,
    max_inflated: u64,
) -> (Vec<Input>, Option<anyhow::Error>) {
    let sniffed = godiag_sniff::sniff((*body).as_ref());
    let mut failed = None;
    if sniffed.kind == godiag_model::InputKind::TarArchive {
        match inputs_from_archive("bundle", (*body).as_ref(), max_inflated) {
            Ok(inputs) => return (inputs, None),
            Err(e) => failed = Some(e),
        }
    }
    let mut input = Input::new("report", InputBytes::Shared(body));
    input.sniffed = Some(sniffed);
    (vec![input], failed)
}

/// The one directory every path is under (`./` aside), if there is one.
fn common_top<'p>(mut paths: impl Iterator<Item = &'p str>) -> Option<String> {
    let first = paths.next()?.trim_start_matches("./");
    let (top, _) = first.split_once('/')?;
    let top = top.to_string();
    paths
        .all(|p| {
            p.trim_start_matches("./")
                .strip_prefix(top.as_str())
                .is_some_and(|r| r.starts_with('/'))
        })
        .then_some(top)
}

/// A bundle directory as a gzipped tar, its files under one top directory
/// named like the directory. Files named in `leave_out` (by their name in
/// the directory) are not packed.
pub fn pack_bundle(dir: &Path, leave_out: &[&str]) -> Result<Vec<u8>> {
    pack_bundle_into(dir, leave_out, Vec::new())
}

/// [`pack_bundle`], written to `out` as it is packed (a bundle with a core
/// of gigabytes goes to a file, not to memory); returns `out`.
pub fn pack_bundle_into<W: Write>(dir: &Path, leave_out: &[&str], out: W) -> Result<W> {
    let top = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !leave_out.contains(&n.as_str()))
        .collect();
    names.sort();
    for n in names {
        tar.append_path_with_name(dir.join(&n), format!("{top}/{n}"))
            .with_context(|| format!("cannot pack {}", dir.join(&n).display()))?;
    }
    let mut gz = tar.into_inner().context("cannot finish the archive")?;
    gz.flush()?;
    Ok(gz.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    /// Whether the front ends would unpack `bytes` as an archive.
    fn is_bundle_archive(bytes: &[u8]) -> bool {
        crate::recognise(&mut Input::from_vec("t", bytes.to_vec()))
    }

    #[test]
    fn reads_a_bundle_archive_under_its_top_directory() {
        let manifest = br#"{"schema":"godiag.bundle/v1","created_by":"run","files":[{"name":"crash.txt","what":"crash output","captured_at":"2026-12-06T00:00:00.000Z"}]}"#;
        let t = tar_of(&[
            ("godiag-run-1/bundle.json", manifest),
            ("godiag-run-1/crash.txt", b"panic: boom\n"),
            ("godiag-run-1/.hidden", b"x"),
        ]);
        assert!(is_bundle_archive(&t));
        let inputs = inputs_from_archive("r.tar", &t, 1 << 20).unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].name, "crash.txt");
        assert_eq!(
            inputs[0].captured_at.as_deref(),
            Some("2026-12-06T00:00:00.000Z")
        );
        assert!(inputs[0].bundle.is_some());
    }

    #[test]
    fn caps_the_inflated_total_and_refuses_what_is_not_tar() {
        let big = vec![b'a'; 4096];
        let t = tar_of(&[("a.txt", &big), ("b.txt", &big)]);
        let Err(e) = inputs_from_archive("r.tar", &t, 6000) else {
            panic!("read past the cap")
        };
        assert!(format!("{e:#}").contains("once inflated"), "{e:#}");
        assert!(!is_bundle_archive(b"goroutine 1 [running]:\n"));
        assert!(!is_bundle_archive(&[]));
    }

    /// An upload: an archive's files, else the body itself, recognised once;
    /// an archive over the cap is offered as it is, with why.
    #[test]
    fn a_body_is_its_archive_files_or_itself() {
        let t = tar_of(&[("b/crash.txt", b"panic: boom\n"), ("b/dump.txt", b"x")]);
        let shared = |b: &[u8]| -> SharedBytes { Arc::new(b.to_vec()) };
        let (inputs, why) = inputs_from_body(shared(&t), 1 << 20);
        assert!(why.is_none());
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["crash.txt", "dump.txt"]);
        let (inputs, why) = inputs_from_body(shared(b"goroutine 1 [running]:\n"), 1 << 20);
        assert!(why.is_none());
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].name, "report");
        assert!(inputs[0].sniffed.is_some());
        let (inputs, why) = inputs_from_body(shared(&t), 4);
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].held_bytes(), Some(&t[..]));
        assert!(format!("{:#}", why.expect("why")).contains("once inflated"));
    }

    #[test]
    fn a_lying_size_allocates_nothing_it_does_not_read() {
        // A header claiming 1 TB, with 10 bytes behind it.
        let mut h = tar::Header::new_gnu();
        h.set_path("huge.txt").unwrap();
        h.set_size(1 << 40);
        h.set_mode(0o644);
        h.set_cksum();
        let mut t = h.as_bytes().to_vec();
        t.extend_from_slice(b"0123456789");
        assert!(inputs_from_archive("r.tar", &t, 1 << 20).is_err());
    }
}
