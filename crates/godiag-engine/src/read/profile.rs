//! pprof profiles (proto and legacy text); addresses without symbols are
//! symbolised from the executable lent, when there is one.

use super::outcome::{Lent, Read};
use crate::input::PreparedInput;
use crate::report::Evidence;

pub(crate) fn read(input: &PreparedInput, lent: &Lent<'_>) -> Read<'static> {
    let mut r = Read::new(input);
    match godiag_pprof::read(input.bytes()) {
        Ok(mut p) => {
            if let Some(exe) = lent.exe.as_ref().filter(|_| p.unsymbolized() > 0) {
                let missing = p.unsymbolized();
                let (symbolized, filled) = crate::symbolize::symbolize_profile(p, &exe.exe);
                p = symbolized;
                r.warnings.push(if filled == 0 {
                    format!("{missing} addresses have no symbols and the executable given has no Go function at any of them: it is not the program profiled")
                } else {
                    format!("{filled} of {missing} addresses without symbols were symbolised from the executable")
                });
            }
            if p.partial || input.cut {
                r.status = godiag_model::InputStatus::Partial;
            }
            r.warnings.extend(p.warnings.iter().cloned());
            r.evidence = Evidence::Profile(Box::new(p));
            r
        }
        Err(e) => Read::unreadable(input, input.sniffed.kind.name(), e),
    }
}
