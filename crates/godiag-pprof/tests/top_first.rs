//! The first rows of a top table, ordered and named on their own, are the
//! whole table's first rows: on every profile the lab wrote, every sample
//! type, both granularities.

use std::path::{Path, PathBuf};

use godiag_pprof::{Granularity, Profile};

fn lab_profiles() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().ends_with(".pb.gz") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> Profile {
    let bytes = std::fs::read(path).unwrap();
    godiag_pprof::read(&bytes).unwrap()
}

#[test]
fn first_rows_are_the_whole_tables_first_rows() {
    let paths = lab_profiles();
    assert!(paths.len() >= 50, "lab profiles: {}", paths.len());
    let mut compared = 0;
    for path in &paths {
        let whole = read(path);
        for granularity in [Granularity::Function, Granularity::Line] {
            for index in 0..whole.sample_types().len() {
                let table = whole.top_rows(index, granularity);
                for n in [0, 1, 5, 20, table.len(), table.len() + 3] {
                    // A fresh profile: its whole tables are not built yet.
                    let first = read(path).top_first(index, granularity, n);
                    assert_eq!(
                        first,
                        table[..n.min(table.len())],
                        "{} type {index} {granularity:?} n={n}",
                        path.display()
                    );
                    // And once they are, the same rows from them.
                    assert_eq!(whole.top_first(index, granularity, n), first);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "{compared}");
}
