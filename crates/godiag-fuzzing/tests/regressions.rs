//! Every input that once made a fuzz target fail (`fuzz/regressions/<target>/`),
//! run again through the same target body: a fixed failure stays fixed.

#[test]
fn inputs_that_once_failed_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut ran = 0;
    for (name, target) in godiag_fuzzing::TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in dir {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            println!("{name}: {}", path.display());
            target(&data);
            ran += 1;
        }
    }
    assert!(ran >= 1, "no regression inputs under {}", root.display());
}
