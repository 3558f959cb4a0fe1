//! Lab artifacts cut at many offsets: the reader and the rules never panic,
//! a cut inside a line is flagged partial unless it changed nothing read,
//! and what precedes the cut is read exactly as in the whole file.

mod common;

use godiag::{build_report, PreparedInput};
use godiag_model::{GroupKeyMode, InputStatus};

fn cuts(len: usize) -> Vec<usize> {
    // Every byte of the first 2 KiB (headers, panic lines), then ~300 spread
    // offsets, plus a pseudo-random sprinkle.
    let mut v: Vec<usize> = (0..len.min(2048)).collect();
    let step = (len / 300).max(1);
    v.extend((0..len).step_by(step));
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push((x % len.max(1) as u64) as usize);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Every frame read from a prefix is at the whole input's place.
fn same_places(
    t: &godiag_model::TextArtifact<'_>,
    full: &godiag_model::TextArtifact<'_>,
    name: &str,
) {
    for (a, b) in t.goroutines.iter().zip(&full.goroutines) {
        assert_eq!(a.id, b.id, "{name}");
        for (fa, fb) in a.frames.iter().zip(&b.frames) {
            assert_eq!(
                (fa.function, fa.file, fa.line),
                (fb.function, fb.file, fb.line),
                "{name}"
            );
        }
    }
}

#[test]
fn cut_lab_artifacts_at_many_offsets() {
    let mut files = 0;
    for path in common::lab_texts(&["go1.21.13", "go1.24.11", "go1.27.3"]) {
        files += 1;
        let data = std::fs::read(&path).expect("readable");
        let full = godiag_traceback::parse(&data);
        for cut in cuts(data.len()) {
            let prefix = &data[..cut];
            let t = godiag_traceback::parse(prefix);
            let name = format!("{} cut at {cut}", path.display());
            assert!(t.goroutines.len() <= full.goroutines.len(), "{name}");
            if cut > 0 && data[cut - 1] != b'\n' && !t.partial {
                // A last line read without its newline: only where the
                // cut changed no place read.
                same_places(&t, &full, &name);
            }
            if t.goroutines.len() > 1 {
                let n = t.goroutines.len() - 1;
                assert_eq!(&t.goroutines[..n], &full.goroutines[..n], "{name}");
            }
            if cut % 7 == 0 {
                // The whole pipeline on the prefix.
                let loaded = PreparedInput::from_bytes(name.clone(), prefix.to_vec());
                let report = build_report(std::slice::from_ref(&loaded), GroupKeyMode::Stack);
                if t.partial {
                    assert!(
                        matches!(
                            report.inputs[0].status,
                            InputStatus::Partial | InputStatus::Unrecognized
                        ),
                        "{name}"
                    );
                }
            }
        }
    }
    assert!(files > 100, "only {files} artifacts");
}
