//! Whether an executable is the program a core was written by: read with
//! another program's tables, a core's memory gives no goroutines, or
//! wrong ones. The kernel dumps the first page of every mapped ELF file
//! (`coredump_filter` bit 4, on by default), which holds the program's ELF
//! header and, for Go, its build ID; and it records where the program was
//! entered (`AT_ENTRY`).

use object::{Object, ObjectKind, ObjectSection, ObjectSegment};

use crate::image::Image;

/// Why `exe` is not the program whose memory `image` holds; `None` when it
/// is, or when the image cannot tell (its first page was not dumped).
/// `program_base` is where the core says the program's file was mapped
/// (`NT_FILE`), when it says.
pub fn executable_mismatch(
    image: &Image<'_>,
    exe: &object::File<'_>,
    exe_bytes: &[u8],
    program_base: Option<u64>,
) -> Option<String> {
    let entry = image.entry();
    // A position-dependent program is entered where it was linked.
    if exe.kind() == ObjectKind::Executable {
        if let Some(entry) = entry.filter(|&e| e != exe.entry()) {
            return Some(format!(
                "the core's program was entered at {entry:#x}, this executable's entry point is {:#x}",
                exe.entry()
            ));
        }
    }
    let first = exe.segments().find(|s| s.file_range().0 == 0)?;
    let len = usize::try_from(first.file_range().1.min(PAGE)).ok()?;
    // Where the program's first page is: where the core says its file was
    // mapped, else where this executable would have been loaded (a PIE
    // given for a position-dependent core would be looked for elsewhere).
    let at =
        program_base.unwrap_or_else(|| first.address().wrapping_add(crate::load_bias(image, exe)));
    let theirs = image.read(at, len)?;
    let ours = exe_bytes.get(..len)?;
    if *theirs == *ours {
        return None;
    }
    let ids = go_build_id(exe, ours).zip(go_build_id(exe, &theirs));
    Some(match ids {
        Some((ours, theirs)) if ours != theirs => format!(
            "the core's program has Go build ID {theirs}, this executable {ours}"
        ),
        _ => "the first page of the program in the core (its ELF header) differs from this executable's".to_string(),
    })
}

/// The first page of a mapped file, which the kernel dumps.
const PAGE: u64 = 4096;

/// The Go build ID in `page` (an executable's first page), at the place
/// `exe`'s `.note.go.buildid` note has its text.
fn go_build_id(exe: &object::File<'_>, page: &[u8]) -> Option<String> {
    let section = exe.section_by_name(".note.go.buildid")?;
    let (offset, size) = section.file_range()?;
    // The note: namesz, descsz, type, "Go\0\0", then the ID.
    let start = usize::try_from(offset).ok()?.checked_add(16)?;
    let end = usize::try_from(offset.checked_add(size)?).ok()?;
    let text = page.get(start..end)?;
    let text = text.split(|&b| b == 0).next()?;
    let id = std::str::from_utf8(text).ok()?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic())).then(|| id.to_string())
}
