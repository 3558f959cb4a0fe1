//! The execution-trace reader on arbitrary bytes: both modes, the analysis and the
//! exports never panic and never allocate by a length they have not checked. Inputs
//! that start with a valid header reach the batch and event decoders; the text
//! format converter is fed too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Give most inputs a valid header so the fuzzer explores what follows it.
    let mut owned;
    let input: &[u8] = if data.first().is_some_and(|b| b & 1 == 1) {
        owned = b"go 1.26 trace\0\0\0".to_vec();
        if data.first() == Some(&3) {
            owned = b"go 1.23 trace\0\0\0".to_vec();
        }
        owned.extend_from_slice(&data[1..]);
        &owned
    } else {
        data
    };
    for mode in [godiag_trace::Mode::Strict, godiag_trace::Mode::Salvage] {
        if let Ok(mut r) = godiag_trace::Reader::new(input, mode) {
            let mut n = 0;
            while let Ok(Some(e)) = r.next_event() {
                let _ = e.display(r.tables());
                n += 1;
                if n > 100_000 {
                    break;
                }
            }
        }
    }
    if let Ok((s, p, t)) = godiag_trace::analysis::analyze(input) {
        let _ = serde_json::to_string(&s);
        for k in godiag_trace::analysis::ProfileKind::ALL {
            let _ = godiag_trace::export::blocking_profile_pprof(&p, k, &t);
        }
        let inputs = [godiag_analysis::TraceInput { index: 0, summary: &s }];
        let _ = godiag_analysis::analyze_traces(&inputs);
    }
    let _ = godiag_trace::export::perfetto_json(input, &mut std::io::sink());
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bin) = godiag_trace::text::to_binary(text) {
            let _ = godiag_trace::analysis::analyze(&bin);
        }
    }
});
