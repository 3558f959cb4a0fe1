//! Profiles without symbols (as `perf`-style collectors or stripped programs
//! write them), symbolised from the executable they came from.

/// A profile's addresses without symbols, looked up in the executable: a
/// mapping's `memory_start`/`file_offset` place an address in the file
/// (PIE), otherwise it is taken as a link-time address. Addresses are
/// return addresses (the call is the instruction before), as Go's
/// profiles and `@ 0x..` lists record them.
pub(crate) fn symbolize_profile(
    p: godiag_pprof::Profile,
    exe: &godiag_exe::GoExecutable<'_>,
) -> (godiag_pprof::Profile, usize) {
    // A legacy `@` list holds one PC per logical frame (inlined calls have
    // their own), so each address names one frame; a proto location holds
    // the whole inlining chain at its address.
    let one_frame_each = matches!(
        p.format,
        godiag_pprof::SourceFormat::LegacyHeap
            | godiag_pprof::SourceFormat::LegacyContention
            | godiag_pprof::SourceFormat::LegacyCount
    );
    p.symbolize(|address, mapping| {
        let link = match mapping.filter(|m| m.memory_limit > m.memory_start) {
            Some(m) => address
                .checked_sub(m.memory_start)
                .and_then(|d| exe.address_of_offset(d.checked_add(m.file_offset)?)),
            None => Some(address),
        };
        let Some(link) = link else {
            return Vec::new();
        };
        let mut frames = exe.frames(link.wrapping_sub(1));
        if one_frame_each {
            frames.truncate(1);
        }
        frames
            .into_iter()
            .map(|f| godiag_pprof::SymbolFrame {
                function: f.function.to_string(),
                file: f.file.to_string(),
                line: f.line,
            })
            .collect()
    })
}
