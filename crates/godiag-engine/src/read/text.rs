//! Text: crash output, goroutine dumps, race reports. With an executable
//! lent, the faulting instruction of a crash is disassembled.

use godiag_model::{group_goroutines, GroupKeyMode};

use super::outcome::{Lent, Read};
use crate::input::PreparedInput;
use crate::report::{Evidence, TextEvidence};

pub(crate) fn read<'a>(
    input: &'a PreparedInput,
    lent: &Lent<'a>,
    mode: GroupKeyMode,
    limits: &crate::Limits,
) -> Read<'a> {
    read_part(input, input.bytes(), lent, mode, limits)
}

/// [`read`] of a part of the input's bytes: one snapshot of several.
pub(crate) fn read_part<'a>(
    input: &'a PreparedInput,
    bytes: &'a [u8],
    lent: &Lent<'a>,
    mode: GroupKeyMode,
    limits: &crate::Limits,
) -> Read<'a> {
    let mut r = Read::new(input);
    let parse_limits = godiag_traceback::ParseLimits {
        full_goroutines: limits.full_goroutines,
    };
    let mut t = godiag_traceback::parse_with(bytes, parse_limits);
    if t.partial || input.cut {
        r.status = godiag_model::InputStatus::Partial;
    }
    r.go_version = r.go_version.or_else(|| t.go_version.clone());
    r.go_version_at_least = t.go_version_at_least.clone();
    r.warnings.extend(
        t.warnings
            .iter()
            .map(|w| format!("{} (at byte {})", w.message, w.offset)),
    );
    let groups = group_goroutines(&t.goroutines, mode);
    let failing_group = t
        .failing_goroutine_index()
        .and_then(|i| godiag_model::group_of(&groups, &t.goroutines, i, mode));
    if let Some(exe) = &lent.exe {
        match crate::fault::fault_instruction_from_exe(&exe.exe, exe.bytes, &t) {
            Ok(note) => t.crash.fault_notes.extend(note),
            Err(w) => r.warnings.push(w),
        }
    }
    r.evidence = Evidence::Text(Box::new(TextEvidence {
        artifact: t,
        groups,
        failing_group,
    }));
    r
}
