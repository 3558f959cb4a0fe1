//! The core reader on arbitrary bytes: ELF notes (threads, registers, auxv)
//! and memory reads at any address.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(core) = godiag_core::Core::parse(data) {
        let _ = core.entry();
        for t in &core.threads {
            let _ = core.read(t.rsp, 64);
            let _ = core.read_u64(t.rip);
        }
        let _ = core.read(u64::MAX - 3, 8);
        let _ = core.read(0, usize::MAX);
    }
});
