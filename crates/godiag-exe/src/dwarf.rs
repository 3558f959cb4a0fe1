//! Struct member offsets from the executable's DWARF (`.debug_info`), for
//! readers of process memory (cores) that must not guess a layout the
//! compiler wrote down. Go compresses its DWARF sections (`SHF_COMPRESSED`,
//! zlib); executables linked with `-w` have none, and callers fall back to
//! their per-version tables.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use object::{Object, ObjectSection};

/// Largest section inflated: a length read from the file must not drive an
/// unbounded allocation.
const MAX_SECTION: u64 = 1 << 30;

pub(crate) fn section<'a>(file: &object::File<'a>, name: &str) -> Option<Cow<'a, [u8]>> {
    let sec = file.section_by_name(name)?;
    let compressed = sec.compressed_data().ok()?;
    match compressed.format {
        object::CompressionFormat::None => Some(Cow::Borrowed(compressed.data)),
        object::CompressionFormat::Zlib => {
            let size = compressed.uncompressed_size.min(MAX_SECTION);
            let mut out = Vec::with_capacity(usize::try_from(size).ok()?);
            flate2::read::ZlibDecoder::new(compressed.data)
                .take(size)
                .read_to_end(&mut out)
                .ok()?;
            Some(Cow::Owned(out))
        }
        _ => None,
    }
}

/// `struct name → member name → byte offset` for the structs named in
/// `wanted` (DWARF names as Go writes them: `runtime.g`, `runtime.sudog`).
/// Empty when the executable has no DWARF. Stops reading once every wanted
/// struct has been seen.
pub fn struct_offsets(
    file: &object::File<'_>,
    wanted: &[&str],
) -> HashMap<String, HashMap<String, u64>> {
    let mut out = HashMap::new();
    let (Some(info), Some(abbrev)) = (section(file, ".debug_info"), section(file, ".debug_abbrev"))
    else {
        return out;
    };
    let strs = section(file, ".debug_str").unwrap_or(Cow::Borrowed(&[]));
    let endian = gimli::LittleEndian;
    let info = gimli::DebugInfo::new(&info, endian);
    let abbrev = gimli::DebugAbbrev::new(&abbrev, endian);
    let strs = gimli::DebugStr::new(&strs, endian);
    let name_of = |attr: Option<
        gimli::AttributeValue<gimli::EndianSlice<'_, gimli::LittleEndian>>,
    >|
     -> Option<String> {
        match attr? {
            gimli::AttributeValue::String(s) => Some(s.to_string_lossy().into_owned()),
            gimli::AttributeValue::DebugStrRef(o) => {
                Some(strs.get_str(o).ok()?.to_string_lossy().into_owned())
            }
            _ => None,
        }
    };
    let mut units = info.units();
    while let Ok(Some(header)) = units.next() {
        let Ok(abbrevs) = header.abbreviations(&abbrev) else {
            continue;
        };
        let mut entries = header.entries(&abbrevs);
        // The struct whose members are being collected, and its depth.
        let mut current: Option<(String, isize)> = None;
        let mut depth = 0isize;
        while let Ok(Some((delta, entry))) = entries.next_dfs() {
            depth += delta;
            if current.as_ref().is_some_and(|(_, d)| depth <= *d) {
                current = None;
            }
            match entry.tag() {
                gimli::DW_TAG_structure_type => {
                    let name = name_of(entry.attr_value(gimli::DW_AT_name).ok().flatten());
                    if let Some(name) =
                        name.filter(|n| wanted.contains(&n.as_str()) && !out.contains_key(n))
                    {
                        out.insert(name.clone(), HashMap::new());
                        current = Some((name, depth));
                    }
                }
                gimli::DW_TAG_member => {
                    let Some((s, d)) = &current else { continue };
                    if depth != d + 1 {
                        continue;
                    }
                    let name = name_of(entry.attr_value(gimli::DW_AT_name).ok().flatten());
                    let at = entry
                        .attr_value(gimli::DW_AT_data_member_location)
                        .ok()
                        .flatten()
                        .and_then(|v| v.udata_value());
                    if let (Some(name), Some(at), Some(map)) = (name, at, out.get_mut(s)) {
                        map.insert(name, at);
                    }
                }
                _ => {}
            }
            if current.is_none() && out.len() == wanted.len() {
                return out;
            }
        }
    }
    out
}
