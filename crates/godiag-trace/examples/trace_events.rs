//! Prints every event of a trace as `go tool trace -d=parsed` does.
//! Usage: cargo run --release -p godiag-trace --example trace_events -- FILE [--text] [--salvage] [--count]
use godiag_trace::{Mode, Reader};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: trace_events FILE [--text] [--salvage] [--count]");
        std::process::exit(2);
    };
    let raw = std::fs::read(path).expect("read input");
    let data = if args.iter().any(|a| a == "--text") {
        let s = String::from_utf8_lossy(&raw).into_owned();
        let body = s.split("-- trace --\n").nth(1).unwrap_or(&s).to_string();
        godiag_trace::text::to_binary(&body).expect("text trace")
    } else {
        raw
    };
    let mode = if args.iter().any(|a| a == "--salvage") {
        Mode::Salvage
    } else {
        Mode::Strict
    };
    let count = args.iter().any(|a| a == "--count");
    let mut r = match Reader::new(&data, mode) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut n = 0u64;
    loop {
        match r.next_event() {
            Ok(Some(e)) => {
                n += 1;
                if !count {
                    let _ = writeln!(out, "{}", e.display(r.tables()));
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = out.flush();
                eprintln!("error: {e}");
                if count {
                    println!("{n} events");
                }
                std::process::exit(1);
            }
        }
    }
    if count {
        let _ = writeln!(out, "{n} events, {} generations", r.generations());
    }
}
