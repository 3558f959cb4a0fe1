//! The parameters and locals of a frame, from the executable's DWARF: the
//! subprogram covering a PC, the lexical blocks and inlined calls in scope
//! there, and where each variable lives at that PC (a location expression
//! or a location list entry, evaluated against the frame's canonical frame
//! address). Values are read from a [`Memory`] and formatted by their DWARF
//! type ([`crate::typeformat`]). What a location puts in a register is gone
//! in every frame but the innermost, and is reported as optimized away, as
//! gdb's `bt full` does.

use std::borrow::Cow;

use gimli::{AttributeValue, EndianSlice, LittleEndian};

use crate::dwarf::section;
use crate::memory::Memory;
use crate::typeformat::{TypeTable, MAX_VALUE};

type R<'d> = EndianSlice<'d, LittleEndian>;

/// Most variables listed for one function, and inlined scopes followed.
const MAX_VARIABLES: usize = 64;
const MAX_SCOPES: usize = 16;

/// One function's variables at a PC: the physical function, or a call
/// inlined into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub function: String,
    pub variables: Vec<Variable>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// A formal parameter (else a local).
    pub parameter: bool,
    pub type_name: String,
    /// `None`: optimized away (no location at this PC, or a register of a
    /// frame that is not the innermost).
    pub value: Option<String>,
}

/// The DWARF sections that describe variables, inflated once.
pub struct DebugVariables<'a> {
    sections: gimli::DwarfSections<Cow<'a, [u8]>>,
    /// Each compile unit's address ranges: (low, high, unit offset), by low.
    ranges: Vec<(u64, u64, usize)>,
    /// Unit header offsets, ascending (to find the unit of a type).
    units: Vec<usize>,
}

impl<'a> DebugVariables<'a> {
    /// `None` when the executable has no `.debug_info` (linked with `-w`).
    pub fn load(file: &object::File<'a>) -> Option<Self> {
        let mut has_info = false;
        let sections = gimli::DwarfSections::load(|id| -> Result<_, ()> {
            let s = section(file, id.name()).unwrap_or(Cow::Borrowed(&[]));
            has_info |= id == gimli::SectionId::DebugInfo && !s.is_empty();
            Ok(s)
        })
        .ok()?;
        if !has_info {
            return None;
        }
        let mut this = DebugVariables {
            sections,
            ranges: Vec::new(),
            units: Vec::new(),
        };
        let dwarf = this.dwarf();
        let mut headers = dwarf.units();
        let mut ranges = Vec::new();
        let mut units = Vec::new();
        while let Ok(Some(header)) = headers.next() {
            let Some(off) = header.offset().as_debug_info_offset() else {
                continue;
            };
            units.push(off.0);
            let Ok(unit) = dwarf.unit(header) else {
                continue;
            };
            let Ok(mut rs) = dwarf.unit_ranges(&unit) else {
                continue;
            };
            while let Ok(Some(r)) = rs.next() {
                if r.begin < r.end {
                    ranges.push((r.begin, r.end, off.0));
                }
            }
        }
        ranges.sort_unstable();
        this.ranges = ranges;
        this.units = units;
        Some(this)
    }

    fn dwarf(&self) -> gimli::Dwarf<R<'_>> {
        self.sections
            .borrow(|s| EndianSlice::new(s.as_ref(), LittleEndian))
    }

    /// The variables in scope at `pc` (link-time, the call instruction for
    /// a caller's frame), outermost function first. `cfa` is the frame's
    /// canonical frame address (its caller's SP: where the arguments'
    /// spill area begins); `bias` is added to static addresses (PIE).
    /// `None` when no DWARF covers `pc`.
    pub fn frame_variables(
        &self,
        pc: u64,
        cfa: u64,
        bias: u64,
        mem: &dyn Memory,
    ) -> Option<Vec<Scope>> {
        let dwarf = self.dwarf();
        let at = self.ranges.partition_point(|&(low, _, _)| low <= pc);
        let unit_off = self.ranges[..at]
            .iter()
            .rev()
            .take(8)
            .find(|&&(low, high, _)| low <= pc && pc < high)?
            .2;
        let header = dwarf
            .debug_info
            .header_from_offset(gimli::DebugInfoOffset(unit_off))
            .ok()?;
        let unit = dwarf.unit(header).ok()?;
        let mut tree = unit.entries_tree(None).ok()?;
        let root = tree.root().ok()?;
        let mut children = root.children();
        let mut types = TypeTable::new(&dwarf, &self.units);
        let walk = Walk {
            dwarf: &dwarf,
            unit: &unit,
            pc,
            cfa,
            bias,
            mem,
        };
        while let Ok(Some(child)) = children.next() {
            let entry = child.entry();
            if entry.tag() != gimli::DW_TAG_subprogram || !walk.covers(entry) {
                continue;
            }
            let name = walk.name(entry).unwrap_or_default();
            let mut scopes = vec![Scope {
                function: name,
                variables: Vec::new(),
            }];
            walk.collect(child, 0, &mut scopes, &mut types);
            return Some(scopes);
        }
        None
    }
}

/// One lookup: the unit, the PC and the frame.
struct Walk<'w, 'd> {
    dwarf: &'w gimli::Dwarf<R<'d>>,
    unit: &'w gimli::Unit<R<'d>>,
    pc: u64,
    cfa: u64,
    bias: u64,
    mem: &'w dyn Memory,
}

impl<'d> Walk<'_, 'd> {
    fn covers(&self, entry: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>) -> bool {
        let Ok(mut ranges) = self.dwarf.die_ranges(self.unit, entry) else {
            return false;
        };
        while let Ok(Some(r)) = ranges.next() {
            if r.begin <= self.pc && self.pc < r.end {
                return true;
            }
        }
        false
    }

    /// An attribute of the entry, or of its abstract origin (inlined code
    /// and concrete copies of inlinable functions name nothing themselves).
    fn attr_or_origin(
        &self,
        entry: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>,
        at: gimli::DwAt,
    ) -> Option<(AttributeValue<R<'d>>, Option<gimli::UnitOffset>)> {
        if let Ok(Some(v)) = entry.attr_value(at) {
            return Some((v, None));
        }
        let Ok(Some(AttributeValue::UnitRef(origin))) =
            entry.attr_value(gimli::DW_AT_abstract_origin)
        else {
            return None;
        };
        let e = self.unit.entry(origin).ok()?;
        e.attr_value(at).ok().flatten().map(|v| (v, Some(origin)))
    }

    fn name(&self, entry: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>) -> Option<String> {
        let (v, _) = self.attr_or_origin(entry, gimli::DW_AT_name)?;
        let s = self.dwarf.attr_string(self.unit, v).ok()?;
        Some(s.to_string_lossy().into_owned())
    }

    /// The variables under `node` that are in scope at the PC, into
    /// `scopes[at]`; an inlined call covering the PC opens a new scope.
    fn collect(
        &self,
        node: gimli::EntriesTreeNode<'_, '_, '_, R<'d>>,
        at: usize,
        scopes: &mut Vec<Scope>,
        types: &mut TypeTable<'_, 'd>,
    ) {
        let mut children = node.children();
        while let Ok(Some(child)) = children.next() {
            let entry = child.entry();
            match entry.tag() {
                gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable
                    if scopes[at].variables.len() < MAX_VARIABLES =>
                {
                    if let Some(v) = self.variable(entry, types) {
                        scopes[at].variables.push(v);
                    }
                }
                gimli::DW_TAG_lexical_block if self.covers(entry) => {
                    self.collect(child, at, scopes, types);
                }
                gimli::DW_TAG_inlined_subroutine
                    if scopes.len() < MAX_SCOPES && self.covers(entry) =>
                {
                    scopes.push(Scope {
                        function: self.name(entry).unwrap_or_default(),
                        variables: Vec::new(),
                    });
                    let inner = scopes.len() - 1;
                    self.collect(child, inner, scopes, types);
                }
                _ => {}
            }
        }
    }

    fn variable(
        &self,
        entry: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>,
        types: &mut TypeTable<'_, 'd>,
    ) -> Option<Variable> {
        let name = self.name(entry)?;
        let ty = match self.attr_or_origin(entry, gimli::DW_AT_type) {
            Some((AttributeValue::UnitRef(o), _)) => {
                o.to_debug_info_offset(&self.unit.header).map(|o| o.0)
            }
            Some((AttributeValue::DebugInfoRef(o), _)) => Some(o.0),
            _ => None,
        };
        let type_name = ty.and_then(|t| types.name(t)).unwrap_or_default();
        let size = ty.and_then(|t| types.size(t)).unwrap_or(8).min(MAX_VALUE);
        let value = self
            .location_bytes(entry, size)
            .and_then(|bytes| ty.map(|t| types.format(t, &bytes, self.mem)));
        Some(Variable {
            name,
            parameter: entry.tag() == gimli::DW_TAG_formal_parameter,
            type_name,
            value,
        })
    }

    /// The variable's bytes at the PC, when every piece of it is in memory.
    fn location_bytes(
        &self,
        entry: &gimli::DebuggingInformationEntry<'_, '_, R<'d>>,
        size: u64,
    ) -> Option<Vec<u8>> {
        let attr = entry.attr_value(gimli::DW_AT_location).ok()??;
        let expr = match attr {
            AttributeValue::Exprloc(e) => e,
            other => {
                let mut list = self.dwarf.attr_locations(self.unit, other).ok()??;
                let mut found = None;
                while let Ok(Some(l)) = list.next() {
                    if l.range.begin <= self.pc && self.pc < l.range.end {
                        found = Some(l.data);
                        break;
                    }
                }
                found?
            }
        };
        let pieces = self.evaluate(expr)?;
        let mut out = Vec::new();
        for p in &pieces {
            let len = p.size_in_bits.map_or(size, |b| b / 8).min(MAX_VALUE);
            let len = usize::try_from(len).ok()?;
            match p.location {
                gimli::Location::Address { address } => {
                    out.extend_from_slice(&self.mem.read(address, len)?);
                }
                gimli::Location::Value { value } => {
                    let v = value.to_u64(u64::MAX).ok()?.to_le_bytes();
                    out.extend_from_slice(v.get(..len.min(8))?);
                }
                _ => return None,
            }
        }
        (out.len() as u64 >= size).then_some(out)
    }

    fn evaluate(&self, expr: gimli::Expression<R<'d>>) -> Option<Vec<gimli::Piece<R<'d>>>> {
        // Bounded: a damaged expression must not loop for ever.
        const MAX_STEPS: usize = 64;
        let mut eval = expr.evaluation(self.unit.encoding());
        let mut state = eval.evaluate().ok()?;
        for _ in 0..MAX_STEPS {
            state = match state {
                gimli::EvaluationResult::Complete => return Some(eval.result()),
                gimli::EvaluationResult::RequiresCallFrameCfa => {
                    eval.resume_with_call_frame_cfa(self.cfa).ok()?
                }
                // Go's frame base is the CFA (`DW_OP_call_frame_cfa`).
                gimli::EvaluationResult::RequiresFrameBase => {
                    eval.resume_with_frame_base(self.cfa).ok()?
                }
                gimli::EvaluationResult::RequiresRelocatedAddress(a) => eval
                    .resume_with_relocated_address(a.wrapping_add(self.bias))
                    .ok()?,
                gimli::EvaluationResult::RequiresMemory { address, size, .. } => {
                    let b = self.mem.read(address, usize::from(size.min(8)))?;
                    let mut word = [0u8; 8];
                    word[..b.len()].copy_from_slice(&b);
                    eval.resume_with_memory(gimli::Value::Generic(u64::from_le_bytes(word)))
                        .ok()?
                }
                _ => return None,
            };
        }
        None
    }
}
