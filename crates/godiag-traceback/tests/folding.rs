//! Folding past the goroutine limit keeps every count: the same totals and
//! the same stack groups as reading every goroutine whole, on the lab's
//! leak dumps of every Go version.

use std::path::PathBuf;

use godiag_model::{group_goroutines, GroupKeyMode};
use godiag_traceback::{parse, parse_with, ParseLimits};

fn lab_dumps() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
    let mut out = Vec::new();
    for version in std::fs::read_dir(&root).expect("lab/artifacts is committed") {
        let dir = version.expect("readable lab directory").path();
        for name in [
            "goroutine-leak-minutes.debug2.txt",
            "goroutine-leak-profile.goroutine-2.debug2.txt",
        ] {
            let p = dir.join(name);
            if p.exists() {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn folded_dump_keeps_totals_and_groups() {
    let dumps = lab_dumps();
    assert!(
        dumps.len() >= 14,
        "lab leak dumps of every version: {dumps:?}"
    );
    for path in dumps {
        let bytes = std::fs::read(&path).expect("lab dump readable");
        let whole = parse(&bytes);
        let folded = parse_with(
            &bytes,
            ParseLimits {
                full_goroutines: 10,
            },
        );
        let n = whole.goroutines.len() as u64;
        assert!(n > 200, "{}: {n} goroutines", path.display());
        assert!(
            folded.goroutines.len() < whole.goroutines.len() / 4,
            "{}: {} entries kept of {n}",
            path.display(),
            folded.goroutines.len()
        );
        assert_eq!(folded.goroutine_total(), n, "{}", path.display());
        assert_eq!(whole.goroutine_total(), n);
        let counts = |t: &godiag_model::TextArtifact<'_>| {
            let mut c: Vec<(String, usize)> = group_goroutines(&t.goroutines, GroupKeyMode::Stack)
                .iter()
                .map(|g| {
                    let top: Vec<String> = g
                        .frames
                        .iter()
                        .map(|f| format!("{}:{}", f.function, f.line))
                        .collect();
                    (format!("{} {}", g.status, top.join(" ")), g.count)
                })
                .collect();
            c.sort();
            c
        };
        assert_eq!(counts(&folded), counts(&whole), "{}", path.display());
        // The first goroutines are kept whole, ids and all (later ones are
        // counted on them).
        for (f, w) in folded.goroutines.iter().zip(&whole.goroutines).take(10) {
            assert_eq!((f.id, &f.frames), (w.id, &w.frames));
        }
        assert!(
            folded
                .warnings
                .iter()
                .any(|w| w.message.contains("were counted on earlier goroutines")),
            "{}: folding is told",
            path.display()
        );
        assert!(!folded.partial);
    }
}
