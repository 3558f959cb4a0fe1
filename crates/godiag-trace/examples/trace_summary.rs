//! Prints the analysis of a trace as JSON. Usage: trace_summary FILE
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: trace_summary FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(&path).expect("read input");
    match godiag_trace::analysis::analyze(&data) {
        Ok((s, _, _)) => println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
