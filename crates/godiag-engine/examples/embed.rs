//! Embedding the engine: read a bundle's files into memory, diagnose them
//! on another thread, print the top finding's kind and location.
//!
//!     cargo run --release -p godiag-engine --example embed -- examples/crash-bundle

use std::path::Path;

use godiag_engine::{diagnose, BundleManifest, Input, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: embed DIR")?;
    let dir = Path::new(&dir);
    let manifest = std::fs::read(dir.join("bundle.json"))
        .ok()
        .and_then(|b| BundleManifest::parse(&b).ok());
    let mut inputs = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()) && e.file_name() != "bundle.json")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let mut input = Input::from_vec(name.clone(), std::fs::read(dir.join(&name))?);
        input.captured_at = manifest
            .as_ref()
            .and_then(|m| m.captured_at(&name))
            .map(str::to_string);
        inputs.push(input);
    }
    // The diagnosis owns its inputs: it can be made on one thread and read on another.
    let diagnosis = std::thread::spawn(move || diagnose(inputs, &Options::default()))
        .join()
        .map_err(|_| "the diagnosis thread panicked")?;
    match diagnosis.report().findings.first() {
        Some(top) => {
            let at = top
                .location
                .as_ref()
                .map(|l| format!("{} {}:{}", l.function, l.file, l.line))
                .unwrap_or_else(|| "no location".into());
            println!("{} at {at}", top.kind.name());
        }
        None => println!("no finding"),
    }
    Ok(())
}
