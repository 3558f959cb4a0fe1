//! Like `go tool addr2line`: reads hex PCs on stdin, prints `function` and
//! `file:line` for each (the physical function, innermost line), plus the
//! inlined frames with `--inline`.
//! `cargo run -p godiag-exe --example addr2line -- BINARY [--inline] < pcs`.
use std::io::BufRead;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: addr2line BINARY [--inline]");
    let inline = args.next().as_deref() == Some("--inline");
    let data = std::fs::read(&path).expect("readable binary");
    let exe = match godiag_exe::GoExecutable::parse(&data) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "go {:?}, {} functions, pclntab from {}, inline info: {}",
        exe.go_version,
        exe.pclntab.len(),
        exe.pclntab_source,
        exe.has_inline_info()
    );
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let pc = u64::from_str_radix(line.trim().trim_start_matches("0x"), 16).unwrap_or(0);
        let frames = exe.frames(pc);
        if inline {
            for f in &frames {
                println!(
                    "{}{} {}:{}",
                    if f.inlined { "  inlined " } else { "" },
                    f.function,
                    f.file,
                    f.line
                );
            }
        } else {
            // go tool addr2line: the physical function, the innermost line.
            let name = frames.last().map_or("?", |f| f.function);
            let (file, l) = frames.first().map_or(("", 0), |f| (f.file, f.line));
            // addr2line's form for a PC the line table does not cover.
            let l = if file.is_empty() { -1 } else { l };
            println!("{name}\n{file}:{l}");
        }
    }
}
