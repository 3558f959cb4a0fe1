//! The core reader on arbitrary bytes: ELF notes (threads, registers, auxv),
//! memory reads at any address, and the whole goroutine walk (allgs, stacks,
//! signal frames, wait objects, throw messages) against a real Go
//! executable of the core lab, so that any memory a core claims to hold is
//! followed without a panic or an unbounded loop.
#![no_main]

use std::io::Read;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn exe() -> &'static [u8] {
    static EXE: OnceLock<Vec<u8>> = OnceLock::new();
    EXE.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../lab/cores/go1.26.6/nil-deref.plain.exe.gz"
        );
        let mut out = Vec::new();
        if let Ok(f) = std::fs::File::open(path) {
            let _ = flate2::read::GzDecoder::new(f).read_to_end(&mut out);
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(core) = godiag_core::Core::parse(data) {
        let _ = core.entry();
        for t in &core.threads {
            let _ = core.read(t.rsp, 64);
            let _ = core.read_u64(t.rip);
        }
        let _ = core.read(u64::MAX - 3, 8);
        let _ = core.read(0, usize::MAX);
        let bytes = exe();
        if let Ok(exe) = godiag_exe::GoExecutable::parse(bytes) {
            if let Ok(mut read) = godiag_core::goroutines(&core, &exe, bytes) {
                let _ = godiag_core::crash::crash_state(&core, &exe, 0, &mut read);
                let _ = godiag_model::group_wait_objects(&read.goroutines);
            }
        }
    }
});
