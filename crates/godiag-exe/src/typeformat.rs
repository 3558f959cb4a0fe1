//! Go values formatted by their DWARF type, as a debugger prints them:
//! scalars by their encoding, pointers as addresses, strings and slices
//! through their headers, structs field by field. Go marks each type with
//! its kind (`DW_AT_go_kind`, reflect's numbering); plain DWARF tags are the
//! fallback. Output is bounded: nesting, elements and string bytes.

use std::collections::HashMap;
use std::rc::Rc;

use gimli::{AttributeValue, EndianSlice, LittleEndian};

use crate::memory::Memory;

type R<'d> = EndianSlice<'d, LittleEndian>;

/// Go's `DW_AT_go_kind` (a vendor attribute): the type's reflect.Kind.
const DW_AT_GO_KIND: gimli::DwAt = gimli::DwAt(0x2900);
/// Go's `DW_AT_go_elem`: a slice's, chan's or map's element type.
const DW_AT_GO_ELEM: gimli::DwAt = gimli::DwAt(0x2902);

/// reflect.Kind values Go writes in `DW_AT_go_kind`.
mod kind {
    pub const BOOL: u64 = 1;
    pub const INT64: u64 = 6;
    pub const UINTPTR: u64 = 12;
    pub const FLOAT64: u64 = 14;
    pub const COMPLEX128: u64 = 16;
    pub const ARRAY: u64 = 17;
    pub const CHAN: u64 = 18;
    pub const FUNC: u64 = 19;
    pub const INTERFACE: u64 = 20;
    pub const MAP: u64 = 21;
    pub const POINTER: u64 = 22;
    pub const SLICE: u64 = 23;
    pub const STRING: u64 = 24;
    pub const STRUCT: u64 = 25;
    pub const UNSAFE_POINTER: u64 = 26;
}

/// Largest value read for one variable.
pub(crate) const MAX_VALUE: u64 = 4096;
const MAX_DEPTH: u32 = 4;
/// Longest formatted value, in bytes.
const MAX_TEXT: usize = 240;
const MAX_ELEMENTS: u64 = 8;
const MAX_STRING: u64 = 64;
const MAX_FIELDS: usize = 8;
/// Largest struct shown behind a pointer.
const MAX_POINTEE: u64 = 512;

/// A type as far as formatting needs it.
#[derive(Debug)]
struct TypeDesc {
    name: String,
    tag: gimli::DwTag,
    go_kind: Option<u64>,
    size: Option<u64>,
    encoding: Option<gimli::DwAte>,
    /// `DW_AT_type`: pointee, typedef target, array element.
    target: Option<usize>,
    /// `DW_AT_go_elem`.
    elem: Option<usize>,
    /// Members: name, offset, type.
    members: Vec<(String, u64, usize)>,
    /// Array length.
    count: Option<u64>,
}

/// Types by their offset in `.debug_info`, read once per lookup.
pub(crate) struct TypeTable<'w, 'd> {
    dwarf: &'w gimli::Dwarf<R<'d>>,
    units: &'w [usize],
    types: HashMap<usize, Option<Rc<TypeDesc>>>,
}

impl<'w, 'd> TypeTable<'w, 'd> {
    pub(crate) fn new(dwarf: &'w gimli::Dwarf<R<'d>>, units: &'w [usize]) -> Self {
        TypeTable {
            dwarf,
            units,
            types: HashMap::new(),
        }
    }

    fn get(&mut self, off: usize) -> Option<Rc<TypeDesc>> {
        if let Some(t) = self.types.get(&off) {
            return t.clone();
        }
        let t = self.load(off).map(Rc::new);
        self.types.insert(off, t.clone());
        t
    }

    fn load(&self, off: usize) -> Option<TypeDesc> {
        let at = self.units.partition_point(|&u| u <= off).checked_sub(1)?;
        let header = self
            .dwarf
            .debug_info
            .header_from_offset(gimli::DebugInfoOffset(self.units[at]))
            .ok()?;
        let unit_off = gimli::DebugInfoOffset(off).to_unit_offset(&header)?;
        let abbrevs = header.abbreviations(&self.dwarf.debug_abbrev).ok()?;
        let global = |v: AttributeValue<R<'d>>| -> Option<usize> {
            match v {
                AttributeValue::UnitRef(o) => o.to_debug_info_offset(&header).map(|o| o.0),
                AttributeValue::DebugInfoRef(o) => Some(o.0),
                _ => None,
            }
        };
        let name = |e: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>| -> String {
            match e.attr_value(gimli::DW_AT_name).ok().flatten() {
                Some(AttributeValue::String(s)) => s.to_string_lossy().into_owned(),
                Some(AttributeValue::DebugStrRef(o)) => self
                    .dwarf
                    .debug_str
                    .get_str(o)
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                _ => String::new(),
            }
        };
        let mut tree = header.entries_tree(&abbrevs, Some(unit_off)).ok()?;
        let root = tree.root().ok()?;
        let e = root.entry();
        let udata = |at| {
            e.attr_value(at)
                .ok()
                .flatten()
                .and_then(|v| v.udata_value())
        };
        let mut desc = TypeDesc {
            name: name(e),
            tag: e.tag(),
            go_kind: udata(DW_AT_GO_KIND),
            size: udata(gimli::DW_AT_byte_size),
            encoding: match e.attr_value(gimli::DW_AT_encoding).ok().flatten() {
                Some(AttributeValue::Encoding(enc)) => Some(enc),
                _ => None,
            },
            target: e
                .attr_value(gimli::DW_AT_type)
                .ok()
                .flatten()
                .and_then(global),
            elem: e.attr_value(DW_AT_GO_ELEM).ok().flatten().and_then(global),
            members: Vec::new(),
            count: None,
        };
        let mut children = root.children();
        while let Ok(Some(child)) = children.next() {
            let c = child.entry();
            match c.tag() {
                gimli::DW_TAG_member if desc.members.len() < 64 => {
                    let off = c
                        .attr_value(gimli::DW_AT_data_member_location)
                        .ok()
                        .flatten()
                        .and_then(|v| v.udata_value());
                    let ty = c
                        .attr_value(gimli::DW_AT_type)
                        .ok()
                        .flatten()
                        .and_then(global);
                    if let (Some(off), Some(ty)) = (off, ty) {
                        desc.members.push((name(c), off, ty));
                    }
                }
                gimli::DW_TAG_subrange_type => {
                    desc.count = c
                        .attr_value(gimli::DW_AT_count)
                        .ok()
                        .flatten()
                        .and_then(|v| v.udata_value())
                        .or_else(|| {
                            c.attr_value(gimli::DW_AT_upper_bound)
                                .ok()
                                .flatten()
                                .and_then(|v| v.udata_value())
                                .map(|u| u + 1)
                        });
                }
                _ => {}
            }
        }
        Some(desc)
    }

    /// A typedef's target, followed a few steps.
    fn resolved(&mut self, off: usize) -> Option<Rc<TypeDesc>> {
        let mut t = self.get(off)?;
        for _ in 0..8 {
            if t.tag != gimli::DW_TAG_typedef {
                break;
            }
            match t.target.and_then(|o| self.get(o)) {
                Some(next) => t = next,
                None => break,
            }
        }
        Some(t)
    }

    pub(crate) fn name(&mut self, off: usize) -> Option<String> {
        let t = self.get(off)?;
        Some(t.name.clone())
    }

    pub(crate) fn size(&mut self, off: usize) -> Option<u64> {
        let t = self.resolved(off)?;
        t.size.or(match t.tag {
            gimli::DW_TAG_pointer_type => Some(8),
            _ => None,
        })
    }

    /// The value of type `off` held in `bytes`; memory is read for what
    /// it points to (string bytes, slice elements).
    pub(crate) fn format(&mut self, off: usize, bytes: &[u8], mem: &dyn Memory) -> String {
        let mut out = String::new();
        self.write(off, bytes, mem, 0, &mut out);
        if out.len() > MAX_TEXT {
            let mut cut = MAX_TEXT;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(" …");
        }
        out
    }

    fn write(&mut self, off: usize, bytes: &[u8], mem: &dyn Memory, depth: u32, out: &mut String) {
        use std::fmt::Write;
        let Some(t) = self.resolved(off) else {
            out.push('?');
            return;
        };
        let word = |at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
        };
        let size = usize::try_from(t.size.unwrap_or(8)).unwrap_or(8);
        let Some(raw) = bytes.get(..size.min(bytes.len())) else {
            out.push('?');
            return;
        };
        let kind = t.go_kind.or(match t.tag {
            gimli::DW_TAG_pointer_type => Some(kind::POINTER),
            gimli::DW_TAG_structure_type => Some(kind::STRUCT),
            gimli::DW_TAG_array_type => Some(kind::ARRAY),
            _ => None,
        });
        match kind {
            Some(kind::BOOL) => {
                let _ = write!(out, "{}", raw.first().is_some_and(|&b| b != 0));
            }
            Some(k @ 2..=kind::UINTPTR) => {
                let mut w = [0u8; 8];
                let n = raw.len().min(8);
                w[..n].copy_from_slice(&raw[..n]);
                let u = u64::from_le_bytes(w);
                if k == kind::UINTPTR {
                    let _ = write!(out, "{u:#x}");
                } else if k <= kind::INT64 {
                    // Sign-extend from the value's width.
                    let shift = 64 - 8 * n as u32;
                    let _ = write!(out, "{}", ((u << shift) as i64) >> shift);
                } else {
                    let _ = write!(out, "{u}");
                }
            }
            Some(13..=kind::FLOAT64) => match raw.len() {
                4 => {
                    let _ = write!(
                        out,
                        "{}",
                        f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]])
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        "{}",
                        f64::from_le_bytes(word(0).unwrap_or(0).to_le_bytes())
                    );
                }
            },
            Some(15..=kind::COMPLEX128) => {
                let _ = write!(out, "(complex, {} bytes)", raw.len());
            }
            Some(kind::POINTER | kind::CHAN | kind::FUNC | kind::MAP | kind::UNSAFE_POINTER) => {
                match word(0) {
                    Some(0) => out.push_str("nil"),
                    Some(p) => {
                        let _ = write!(out, "{p:#x}");
                        // A variable pointing at a struct: what it points at,
                        // one level, as a debugger's `print *p` would.
                        if depth == 0 && kind == Some(kind::POINTER) {
                            self.pointee(&t, p, mem, out);
                        }
                    }
                    None => out.push('?'),
                }
            }
            Some(kind::STRING) => match (word(0), word(8)) {
                (Some(_), Some(0)) => out.push_str("\"\""),
                (Some(p), Some(n)) => {
                    let shown = n.min(MAX_STRING);
                    match mem.read(p, shown as usize) {
                        Some(s) => {
                            // Constants live in the executable's read-only data, which the
                            // memory given covers too.
                            let text = String::from_utf8_lossy(&s);
                            let _ = write!(out, "{text:?}");
                            if n > shown {
                                let _ = write!(out, "... ({n} bytes)");
                            }
                        }
                        None => {
                            let _ = write!(out, "string at {p:#x}, {n} bytes (not in the image)");
                        }
                    }
                }
                _ => out.push('?'),
            },
            Some(kind::INTERFACE) => match (word(0), word(8)) {
                (Some(0), _) => out.push_str("nil"),
                (Some(tab), Some(data)) => {
                    let _ = write!(out, "{{type {tab:#x}, data {data:#x}}}");
                }
                _ => out.push('?'),
            },
            Some(kind::SLICE) => match (word(0), word(8), word(16)) {
                (Some(p), Some(len), Some(cap)) => {
                    let _ = write!(out, "len {len}, cap {cap}");
                    if p == 0 {
                        out.push_str(", nil");
                        return;
                    }
                    let elem = t.elem.or_else(|| {
                        // `array` is a pointer to the element.
                        t.members
                            .first()
                            .and_then(|m| self.get(m.2))
                            .and_then(|p| p.target)
                    });
                    let esize = elem.and_then(|e| self.size(e)).filter(|&s| s > 0);
                    match (elem, esize) {
                        (Some(e), Some(s))
                            if depth < MAX_DEPTH && s * len.min(MAX_ELEMENTS) <= MAX_VALUE =>
                        {
                            let n = len.min(MAX_ELEMENTS);
                            out.push_str(": [");
                            for i in 0..n {
                                if i > 0 {
                                    out.push_str(", ");
                                }
                                match mem.read(p.wrapping_add(i * s), s as usize) {
                                    Some(b) => self.write(e, &b, mem, depth + 1, out),
                                    None => out.push('?'),
                                }
                            }
                            if len > n {
                                out.push_str(", ...");
                            }
                            out.push(']');
                        }
                        _ => {
                            let _ = write!(out, ", at {p:#x}");
                        }
                    }
                }
                _ => out.push('?'),
            },
            Some(kind::ARRAY) => {
                let count = t.count.unwrap_or(0);
                let esize = t.target.and_then(|e| self.size(e)).unwrap_or(0);
                if depth >= MAX_DEPTH || esize == 0 {
                    let _ = write!(out, "[{count} elements]");
                    return;
                }
                out.push('[');
                for i in 0..count.min(MAX_ELEMENTS) {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let from = (i * esize) as usize;
                    match (t.target, bytes.get(from..from + esize as usize)) {
                        (Some(e), Some(b)) => self.write(e, b, mem, depth + 1, out),
                        _ => out.push('?'),
                    }
                }
                if count > MAX_ELEMENTS {
                    out.push_str(", ...");
                }
                out.push(']');
            }
            Some(kind::STRUCT) => {
                if depth >= MAX_DEPTH {
                    out.push_str("{...}");
                    return;
                }
                out.push('{');
                for (i, (name, at, ty)) in t.members.iter().enumerate() {
                    if i == MAX_FIELDS {
                        out.push_str(", ...");
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{name}: ");
                    match bytes.get(*at as usize..) {
                        Some(b) => self.write(*ty, b, mem, depth + 1, out),
                        None => out.push('?'),
                    }
                }
                out.push('}');
            }
            _ => match t.encoding {
                Some(gimli::DW_ATE_boolean) => {
                    let _ = write!(out, "{}", raw.first().is_some_and(|&b| b != 0));
                }
                _ => {
                    out.push_str("0x");
                    for b in raw.iter().rev() {
                        let _ = write!(out, "{b:02x}");
                    }
                }
            },
        }
    }

    /// ` → {fields}` for a pointer to a struct of at most [`MAX_POINTEE`]
    /// bytes that the image holds.
    fn pointee(&mut self, t: &TypeDesc, p: u64, mem: &dyn Memory, out: &mut String) {
        let Some(target) = t.target else { return };
        let Some(pointee) = self.resolved(target) else {
            return;
        };
        let is_struct = pointee.go_kind == Some(kind::STRUCT)
            || (pointee.go_kind.is_none() && pointee.tag == gimli::DW_TAG_structure_type);
        let Some(size) = pointee
            .size
            .filter(|&s| is_struct && s > 0 && s <= MAX_POINTEE)
        else {
            return;
        };
        if let Some(b) = mem.read(p, size as usize) {
            out.push_str(" → ");
            self.write(target, &b, mem, 1, out);
        }
    }
}
