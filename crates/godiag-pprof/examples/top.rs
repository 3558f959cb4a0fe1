//! Prints what `go tool pprof -top` prints, in raw units:
//! `cargo run -p godiag-pprof --example top -- FILE [SAMPLE_TYPE] [lines]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: top FILE [SAMPLE_TYPE] [lines]");
    let data = std::fs::read(&path).expect("readable file");
    let p = match godiag_pprof::read(&data) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let index = match args.next() {
        Some(t) if t != "-" => p.sample_index(&t).expect("sample type present"),
        _ => p.default_sample_index(),
    };
    let g = if args.next().as_deref() == Some("lines") {
        godiag_pprof::Granularity::Line
    } else {
        godiag_pprof::Granularity::Function
    };
    let (t, u) = p.sample_types()[index];
    println!(
        "kind {} type {t}/{u} total {} warnings {:?}",
        p.kind().name(),
        p.total(index),
        p.warnings
    );
    for r in p.top(index, g).iter().take(10) {
        println!(
            "{:>14} {:>14}  {} {}:{}",
            r.flat, r.cum, r.function, r.file, r.line
        );
    }
}
