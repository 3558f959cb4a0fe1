//! A decoded profile and the views `go tool pprof` offers on it: sample
//! types, stacks with inlined frames expanded, top tables, differences,
//! folded stacks.

use crate::index::{FrameIndex, IdMap, TopRow};
use crate::proto;
use crate::stacks::Stacks;

/// Where the profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Proto {
        gzipped: bool,
    },
    /// `heap profile: ...` (debug=1).
    LegacyHeap,
    /// `--- mutex:` / `--- contention:` (debug=1).
    LegacyContention,
    /// `threadcreate profile: total N` and other `<name> profile: total N`.
    LegacyCount,
}

/// What the profile measures, from its sample and period types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    Cpu,
    /// In-use and allocated (`heap`; `allocs` differs only in its default sample type).
    Heap,
    Allocs,
    Goroutine,
    GoroutineLeak,
    Mutex,
    Block,
    ThreadCreate,
    Other,
}

impl ProfileKind {
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Cpu => "cpu",
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::GoroutineLeak => "goroutineleak",
            ProfileKind::Mutex => "mutex",
            ProfileKind::Block => "block",
            ProfileKind::ThreadCreate => "threadcreate",
            ProfileKind::Other => "other",
        }
    }
}

/// One frame of a sample's stack (inlined calls are frames of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRef<'p> {
    pub function: &'p str,
    pub file: &'p str,
    pub line: i64,
    pub address: u64,
}

/// One frame a symboliser found for an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolFrame {
    pub function: String,
    pub file: String,
    pub line: i64,
}

/// A decoded profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// The profile as decoded, but for its samples' location ids: those
    /// are in [`Profile::location_ids`], and `raw.sample[i].location_id`
    /// is empty.
    pub raw: proto::Profile,
    pub(crate) stacks: Stacks,
    pub format: SourceFormat,
    /// Read up to damage; what precedes it is here.
    pub partial: bool,
    pub warnings: Vec<String>,
    /// The first line of a legacy text profile (`--- mutex:`, `heap profile: ...`).
    pub legacy_header: Option<String>,
    /// Built on first use by the top tables.
    pub(crate) index: std::sync::OnceLock<FrameIndex>,
    pub(crate) tops_by_function: std::sync::OnceLock<Vec<Vec<TopRow>>>,
    pub(crate) tops_by_line: std::sync::OnceLock<Vec<Vec<TopRow>>>,
    /// The first rows of every table, by function and by line, built on
    /// first use by [`Profile::top_first`].
    pub(crate) tops_first: std::sync::OnceLock<Vec<[Vec<TopRow>; 2]>>,
    pub(crate) locations: IdMap,
    pub(crate) functions: IdMap,
}

impl Profile {
    /// A profile whose samples hold their location ids (legacy text,
    /// profiles built in memory): they move into the packed stacks.
    pub(crate) fn new(
        mut raw: proto::Profile,
        format: SourceFormat,
        partial: bool,
        warnings: Vec<String>,
    ) -> Self {
        let mut stacks = Stacks::default();
        for s in &mut raw.sample {
            for id in std::mem::take(&mut s.location_id) {
                stacks.append(id);
            }
            stacks.finish_sample();
        }
        Self::with_stacks(raw, stacks, format, partial, warnings)
    }

    /// A profile whose samples' location ids are in `stacks`, one entry per
    /// sample.
    pub(crate) fn with_stacks(
        raw: proto::Profile,
        stacks: Stacks,
        format: SourceFormat,
        partial: bool,
        mut warnings: Vec<String>,
    ) -> Self {
        let locations = IdMap::new(raw.location.iter().map(|l| l.id));
        let functions = IdMap::new(raw.function.iter().map(|f| f.id));
        let strings = raw.string_table.len() as i64;
        let bad_strings = raw
            .function
            .iter()
            .any(|f| f.name >= strings || f.filename >= strings || f.name < 0)
            || raw
                .sample_type
                .iter()
                .any(|t| t.r#type >= strings || t.unit >= strings);
        if bad_strings {
            warnings.push("some names point outside the string table; they read as empty".into());
        }
        // Ids within a range the locations cover need no look each.
        let covered = match stacks.id_bounds() {
            Some((lo, hi)) => locations.covers(lo, hi),
            None => true,
        };
        let missing = if covered {
            0
        } else {
            (0..stacks.len())
                .flat_map(|i| stacks.ids(i))
                .filter(|id| locations.get(*id).is_none())
                .count()
        };
        if missing > 0 {
            warnings.push(format!("{missing} stack frames name locations the profile does not define; they are skipped"));
        }
        Profile {
            raw,
            stacks,
            format,
            partial,
            warnings,
            legacy_header: None,
            index: std::sync::OnceLock::new(),
            tops_by_function: std::sync::OnceLock::new(),
            tops_by_line: std::sync::OnceLock::new(),
            tops_first: std::sync::OnceLock::new(),
            locations,
            functions,
        }
    }

    /// A string-table entry; out of range reads as "".
    pub fn str(&self, index: i64) -> &str {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.raw.string_table.get(i))
            .map_or("", String::as_str)
    }

    /// `(type, unit)` of each value of a sample.
    pub fn sample_types(&self) -> Vec<(&str, &str)> {
        self.raw
            .sample_type
            .iter()
            .map(|t| (self.str(t.r#type), self.str(t.unit)))
            .collect()
    }

    /// The value `go tool pprof` shows by default: `default_sample_type`, or
    /// the last type when unset.
    pub fn default_sample_index(&self) -> usize {
        let want = self.str(self.raw.default_sample_type);
        if !want.is_empty() {
            if let Some(i) = self.sample_types().iter().position(|(t, _)| *t == want) {
                return i;
            }
        }
        self.raw.sample_type.len().saturating_sub(1)
    }

    pub fn sample_index(&self, name: &str) -> Option<usize> {
        self.sample_types().iter().position(|(t, _)| *t == name)
    }

    /// The location ids of the sample at `index` in `raw.sample`, leaf
    /// first.
    pub fn location_ids(&self, index: usize) -> impl Iterator<Item = u64> + Clone + '_ {
        self.stacks.ids(index)
    }

    /// The stack of the sample at `index` in `raw.sample`, leaf first,
    /// inlined calls expanded; the fast form of [`Profile::stack`].
    pub fn sample_stack(&self, index: usize) -> impl Iterator<Item = FrameRef<'_>> + '_ {
        let ix = self
            .index
            .get_or_init(|| FrameIndex::build(&self.raw, &self.functions));
        self.stacks
            .ids(index)
            .filter_map(|id| self.locations.get(id))
            .flat_map(move |loc| {
                let (fa, fb) = ix.loc_range[loc];
                (fa..fb).map(move |fi| {
                    let fi = fi as usize;
                    let (name, file) = ix.fn_keys[ix.frame_fn[fi] as usize];
                    FrameRef {
                        function: self.str(name),
                        file: self.str(file),
                        line: ix.frame_line_no[fi],
                        address: self.raw.location[ix.frame_loc[fi] as usize].address,
                    }
                })
            })
    }

    /// Sum of one value over all samples.
    pub fn total(&self, index: usize) -> i64 {
        self.raw
            .sample
            .iter()
            .map(|s| s.value.get(index).copied().unwrap_or(0))
            .fold(0i64, i64::saturating_add)
    }

    /// `time_nanos` as seconds since the Unix epoch, when set.
    pub fn time_seconds(&self) -> Option<f64> {
        (self.raw.time_nanos > 0).then(|| self.raw.time_nanos as f64 / 1e9)
    }

    pub fn duration_seconds(&self) -> Option<f64> {
        (self.raw.duration_nanos > 0).then(|| self.raw.duration_nanos as f64 / 1e9)
    }

    /// The main binary's file name (mapping 0), when recorded.
    pub fn main_binary(&self) -> Option<&str> {
        self.raw
            .mapping
            .first()
            .map(|m| self.str(m.filename))
            .filter(|s| !s.is_empty())
    }
}
