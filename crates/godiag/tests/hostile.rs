//! Hostile inputs, as the command line meets them: each ends within
//! seconds with a clear error or a partial result, never a panic, and no
//! run of godiag here goes over 256 MB of memory (the largest resident set
//! of the children this test waited for, from getrusage).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAX_RSS_KB: i64 = 256 * 1024;
const MAX_SECONDS: u64 = 30;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `godiag analyze --format json -o OUT EXTRA... PATH`: its exit code
/// and stderr.
fn analyze(path: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_godiag"))
        .args(["analyze", "--format", "json", "-o"])
        .arg(out)
        .args(extra)
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            return (status.code(), err);
        }
        if started.elapsed() > Duration::from_secs(MAX_SECONDS) {
            let _ = child.kill();
            panic!("{} still running after {MAX_SECONDS} s", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn children_max_rss_kb() -> i64 {
    // SAFETY: getrusage writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

/// Writes `head`, then `chunk` `times` over, gzipped, to `path`: an input
/// that inflates far beyond its size.
fn write_gzip_bomb(path: &Path, head: &[u8], chunk: &[u8], times: usize) {
    let f = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    gz.write_all(head).unwrap();
    for _ in 0..times {
        gz.write_all(chunk).unwrap();
    }
    gz.finish().unwrap();
}

/// The first input of the JSON report at `path`.
fn first_input(path: &Path) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    report["inputs"][0].clone()
}

fn ends_cleanly(what: &str, path: &Path) {
    ends_cleanly_with(what, path, Path::new("/dev/null"), &[]);
}

fn ends_cleanly_with(what: &str, path: &Path, out: &Path, extra: &[&str]) {
    let (code, err) = analyze(path, out, extra);
    assert!(
        matches!(code, Some(0 | 1 | 3)),
        "{what}: exit {code:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    let rss = children_max_rss_kb();
    assert!(rss <= MAX_RSS_KB, "{what}: {rss} KB resident");
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[test]
fn hostile_inputs_end_cleanly_in_bounded_memory() {
    let dir = scratch("inputs");

    // A pprof proto whose first field says it is a terabyte long.
    let mut pb = vec![0x0a];
    varint(1 << 40, &mut pb);
    pb.extend_from_slice(b"\x08\x01\x10\x02");
    let p = dir.join("huge-field.pb");
    std::fs::write(&p, &pb).unwrap();
    ends_cleanly("a 1 TB pprof field", &p);

    // A trace whose batches claim gigantic lengths.
    let mut tr = b"go 1.23 trace\0\0\0".to_vec();
    for _ in 0..4 {
        tr.push(1); // EvEventBatch
        varint(1, &mut tr); // generation
        varint(0, &mut tr); // thread
        varint(0, &mut tr); // timestamp
        varint(1 << 42, &mut tr); // length
        tr.extend_from_slice(&[0; 16]);
    }
    let p = dir.join("giant-batches.out");
    std::fs::write(&p, &tr).unwrap();
    ends_cleanly("a trace with giant batch lengths", &p);

    // ELF cores: 65,535 program headers; one PT_LOAD of a terabyte.
    for (name, phnum, filesz) in [("many-phdrs", 65_535u16, 0u64), ("tb-load", 1, 1 << 40)] {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2; // 64-bit
        elf[5] = 1; // little endian
        elf[6] = 1;
        elf[16..18].copy_from_slice(&4u16.to_le_bytes()); // ET_CORE
        elf[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86-64
        elf[20..24].copy_from_slice(&1u32.to_le_bytes());
        elf[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        elf[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
        elf[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        elf[56..58].copy_from_slice(&phnum.to_le_bytes());
        let mut ph = vec![0u8; 56];
        ph[..4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        ph[8..16].copy_from_slice(&4096u64.to_le_bytes()); // p_offset
        ph[16..24].copy_from_slice(&0x40_0000u64.to_le_bytes()); // p_vaddr
        ph[32..40].copy_from_slice(&filesz.to_le_bytes());
        ph[40..48].copy_from_slice(&filesz.to_le_bytes());
        elf.extend_from_slice(&ph);
        let p = dir.join(format!("{name}.core"));
        std::fs::write(&p, &elf).unwrap();
        ends_cleanly(name, &p);
    }

    // 4 GB of zeros, gzipped (about 4 MB).
    let p = dir.join("zeros.gz");
    write_gzip_bomb(&p, &[], &vec![0u8; 1 << 20], 4096);
    ends_cleanly("4 GB of gzipped zeros", &p);

    // 1 GB of one goroutine record, over and over, gzipped: a dump bomb.
    // It is read up to --max-inflated-mib, flagged partial, and past the
    // default number of goroutines kept whole, the rest are counted on the
    // first of their stack.
    let p = dir.join("records.txt.gz");
    let record = b"goroutine 7 [chan receive, 12 minutes]:\nmain.worker(0xc000012000)\n\t/app/main.go:10 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:5 +0x25\n\n";
    write_gzip_bomb(&p, &[], &record.repeat((1 << 20) / record.len()), 1024);
    let report = dir.join("records.json");
    ends_cleanly_with(
        "1 GB of gzipped goroutine records",
        &p,
        &report,
        &["--max-inflated-mib", "64"],
    );
    let input = first_input(&report);
    assert_eq!(input["status"], "partial", "{input}");
    let warnings = input["warnings"].to_string();
    assert!(
        warnings.contains("inflates to more than 64 MiB")
            && warnings.contains("--max-inflated-mib")
            && warnings.contains("counted on earlier goroutines"),
        "{warnings}"
    );
    let goroutines = input["goroutines"].as_u64().unwrap();
    assert!(goroutines > 400_000, "{goroutines} goroutines counted");

    // An ELF core header and 1 GB of zeros, gzipped: a binary input is
    // inflated into a temporary file, up to --max-inflated-mib.
    let p = dir.join("bomb.core.gz");
    let mut header = vec![0u8; 64];
    header[..4].copy_from_slice(b"\x7fELF");
    header[4] = 2; // 64-bit
    header[5] = 1; // little-endian
    header[6] = 1; // version
    header[16] = 4; // ET_CORE
    header[18] = 62; // x86-64
    write_gzip_bomb(&p, &header, &vec![0u8; 1 << 20], 1024);
    let report = dir.join("bomb.json");
    ends_cleanly_with(
        "1 GB of a gzipped core",
        &p,
        &report,
        &["--max-inflated-mib", "64"],
    );
    let input = first_input(&report);
    assert_eq!(
        (&input["kind"], &input["status"]),
        (&"elf-core".into(), &"partial".into()),
        "{input}"
    );
    let warnings = input["warnings"].to_string();
    assert!(
        warnings.contains("the gzipped core inflates to more than 64 MiB"),
        "{warnings}"
    );

    // A sparse 10 GB file.
    let p = dir.join("sparse");
    std::fs::File::create(&p)
        .unwrap()
        .set_len(10 << 30)
        .unwrap();
    ends_cleanly("a sparse 10 GB file", &p);

    // A directory holding a symlink to itself.
    let loop_dir = dir.join("loop");
    std::fs::create_dir_all(&loop_dir).unwrap();
    std::os::unix::fs::symlink(&loop_dir, loop_dir.join("self")).unwrap();
    std::fs::write(
        loop_dir.join("crash.txt"),
        "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:3 +0x1d\n",
    )
    .unwrap();
    ends_cleanly("a directory with a symlink loop", &loop_dir);

    // 20,000 small files.
    let many = dir.join("many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..20_000 {
        std::fs::write(
            many.join(format!("g{i}.txt")),
            format!(
                "goroutine {i} [chan receive]:\nmain.worker()\n\t/app/main.go:{} +0x1d\n",
                10 + i % 7
            ),
        )
        .unwrap();
    }
    ends_cleanly("20,000 small files", &many);
}
