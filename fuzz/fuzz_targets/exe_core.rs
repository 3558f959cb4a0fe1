//! An executable and a core together: a real pair from the core lab (the
//! AB/BA deadlock of Go 1.27.3, with DWARF), patched where the fuzzer says.
//! The input is a list of patches, each `[file: u8][offset: u32 LE][len: u8]
//! [bytes]`, applied to the executable (even `file`) or the core (odd), at
//! `offset` modulo the file's length. Values the core reader takes from the
//! executable (runtime offsets, pclntab, argument and defer records, DWARF
//! types and locations) are then fuzzed with the core's, through the whole
//! walk: goroutines, crash state, wait objects and the full backtraces.
#![no_main]

use std::io::Read;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn gunzip(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../lab/cores/go1.27.3/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut out = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = flate2::read::GzDecoder::new(f).read_to_end(&mut out);
    }
    out
}

fn pair() -> &'static (Vec<u8>, Vec<u8>) {
    static PAIR: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    PAIR.get_or_init(|| {
        (
            gunzip("deadlock-abba.plain.exe.gz"),
            gunzip("deadlock-abba.plain.core.gz"),
        )
    })
}

fn patch(files: &mut [Vec<u8>; 2], mut data: &[u8]) {
    while data.len() >= 6 {
        let file = usize::from(data[0] & 1);
        let offset = u32::from_le_bytes([data[1], data[2], data[3], data[4]]) as usize;
        let len = usize::from(data[5]).min(data.len() - 6);
        let target = &mut files[file];
        if !target.is_empty() {
            for (i, &b) in data[6..6 + len].iter().enumerate() {
                let at = (offset + i) % target.len();
                target[at] = b;
            }
        }
        data = &data[6 + len..];
    }
}

fuzz_target!(|data: &[u8]| {
    let (exe, core) = pair();
    let mut files = [exe.clone(), core.clone()];
    patch(&mut files, data);
    let [exe_bytes, core_bytes] = &files;
    let (Ok(exe), Ok(core)) = (
        godiag_exe::GoExecutable::parse(exe_bytes),
        godiag_core::Core::parse(core_bytes),
    ) else {
        return;
    };
    if let Ok(mut read) = godiag_core::goroutines(&core, &exe, exe_bytes) {
        let _ = godiag_core::crash::crash_state(&core, &exe, 0, &mut read);
        let _ = godiag_model::group_wait_objects(&read.goroutines);
        let wanted: Vec<(u64, u64)> = read
            .goroutines
            .iter()
            .filter_map(|g| Some((g.id, g.gp?)))
            .take(4)
            .collect();
        let _ = godiag_core::full_backtraces(&core, &exe, exe_bytes, &wanted);
    }
});
