//! Profiles without symbols, filled in from the executable.

use std::collections::HashMap;

use crate::proto;
use crate::view::{Profile, SymbolFrame};

impl Profile {
    /// Locations that have an address but no function (unsymbolised): a
    /// profile written without symbols, or a legacy profile's `@ 0x..`
    /// addresses with no `#` lines.
    pub fn unsymbolized(&self) -> usize {
        self.raw
            .location
            .iter()
            .filter(|l| l.line.is_empty() && l.address != 0)
            .count()
    }

    /// Gives the unsymbolised locations the frames `lookup` finds for their
    /// address (with the location's mapping, when it has one): inlined
    /// callees first, as a location's lines are. Returns the profile and how
    /// many locations were filled.
    pub fn symbolize(
        self,
        mut lookup: impl FnMut(u64, Option<&proto::Mapping>) -> Vec<SymbolFrame>,
    ) -> (Profile, usize) {
        let Profile {
            mut raw,
            stacks,
            format,
            partial,
            warnings,
            legacy_header,
            ..
        } = self;
        let mut strings: HashMap<String, i64> = raw
            .string_table
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as i64))
            .collect();
        let mut functions: HashMap<(i64, i64), u64> = raw
            .function
            .iter()
            .map(|f| ((f.name, f.filename), f.id))
            .collect();
        let mut next_id = raw.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        let mut filled = 0;
        let mappings = std::mem::take(&mut raw.mapping);
        for loc in raw.location.iter_mut() {
            if !loc.line.is_empty() || loc.address == 0 {
                continue;
            }
            let mapping = mappings.iter().find(|m| m.id == loc.mapping_id);
            let frames = lookup(loc.address, mapping);
            if frames.is_empty() {
                continue;
            }
            filled += 1;
            for fr in frames {
                let mut intern = |s: String| -> i64 {
                    if let Some(&i) = strings.get(&s) {
                        return i;
                    }
                    let i = raw.string_table.len() as i64;
                    raw.string_table.push(s.clone());
                    strings.insert(s, i);
                    i
                };
                let (name, file) = (intern(fr.function), intern(fr.file));
                let id = *functions.entry((name, file)).or_insert_with(|| {
                    let id = next_id;
                    next_id += 1;
                    raw.function.push(proto::Function {
                        id,
                        name,
                        system_name: name,
                        filename: file,
                        start_line: 0,
                    });
                    id
                });
                loc.line.push(proto::Line {
                    function_id: id,
                    line: fr.line,
                    column: 0,
                });
            }
        }
        raw.mapping = mappings;
        let mut p = Profile::with_stacks(raw, stacks, format, partial, warnings);
        p.legacy_header = legacy_header;
        (p, filled)
    }
}
