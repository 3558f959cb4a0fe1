//! The executable reader on arbitrary bytes: ELF parsing, the pclntab scan,
//! and every lookup on whatever pclntab it accepts, argument printing
//! included (its encoding and liveness bitmaps come from the executable).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(exe) = godiag_exe::GoExecutable::parse(data) {
        let t = &exe.pclntab;
        for i in 0..t.len().min(64) {
            if let Some(f) = t.func(i) {
                let _ = exe.frames(f.entry);
                let _ = exe.frames(f.entry.wrapping_add(7));
                let _ = exe.frame_args(f.entry.wrapping_add(7), u64::MAX - 16, &|a| Some(a));
            }
        }
    }
    // A pclntab on its own (the scan path of stripped binaries).
    if let Ok(t) = godiag_exe::Pclntab::parse(data) {
        for i in 0..t.len().min(64) {
            if let Some(f) = t.func(i) {
                let _ = t.find(f.entry);
                let _ = t.file_line(&f, f.entry.wrapping_add(3));
            }
        }
    }
});
