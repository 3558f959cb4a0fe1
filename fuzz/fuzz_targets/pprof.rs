//! The pprof reader on arbitrary bytes (protobuf, gzip, legacy text): never
//! panics, never allocates by a length it has not checked, and every view of
//! what it read, and every profile rule, works on it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = godiag_pprof::read(data) {
        let _ = p.kind();
        for i in 0..p.raw.sample_type.len().min(4) {
            let top = p.top(i, godiag_pprof::Granularity::Line);
            let _ = godiag_pprof::diff_top(&top, &p.top(i, godiag_pprof::Granularity::Function));
            let _ = p.folded(i);
            let _ = p.total(i);
        }
        // The rules over the profile, alone and twice (as two snapshots).
        let inputs = [
            godiag_analysis::ProfileInput { index: 0, profile: &p },
            godiag_analysis::ProfileInput { index: 1, profile: &p },
        ];
        let mut findings = godiag_analysis::analyze_profiles(&inputs[..1]);
        findings.extend(godiag_analysis::analyze_profiles(&inputs));
        godiag_analysis::confirm_from_profiles(&mut findings, &inputs);
    }
});
