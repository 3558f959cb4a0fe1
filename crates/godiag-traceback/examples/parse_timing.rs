//! Times the reader and the grouping on one file: `cargo run --release --example parse_timing -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_timing FILE");
    let data = std::fs::read(&path).expect("readable file");
    let ts = Instant::now();
    let kind = godiag_sniff::sniff(&data);
    println!("sniff {:?}: {:?}", kind.kind, ts.elapsed());
    let t0 = Instant::now();
    let t = godiag_traceback::parse(&data);
    let t1 = Instant::now();
    let groups = godiag_model::group_goroutines(&t.goroutines, godiag_model::GroupKeyMode::Stack);
    let t2 = Instant::now();
    println!(
        "{} goroutines, {} groups: parse {:?}, group {:?}",
        t.goroutines.len(),
        groups.len(),
        t1 - t0,
        t2 - t1
    );
}
