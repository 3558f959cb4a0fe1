//! A decoded profile and the views `go tool pprof` offers on it: sample
//! types, stacks with inlined frames expanded, top tables, differences,
//! folded stacks.

use std::collections::HashMap;

use crate::proto;

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
    pub raw: proto::Profile,
    pub format: SourceFormat,
    /// Read up to damage; what precedes it is here.
    pub partial: bool,
    pub warnings: Vec<String>,
    /// The first line of a legacy text profile (`--- mutex:`, `heap profile: ...`).
    pub legacy_header: Option<String>,
    /// Built on first use by the top tables.
    index: std::sync::OnceLock<FrameIndex>,
    tops_by_function: std::sync::OnceLock<Vec<Vec<TopRow>>>,
    tops_by_line: std::sync::OnceLock<Vec<Vec<TopRow>>>,
    locations: IdMap,
    functions: IdMap,
}

/// Aggregation key of a top table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Function,
    Line,
}

/// One row of a top table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopRow {
    pub function: String,
    pub file: String,
    /// 0 at function granularity.
    pub line: i64,
    pub flat: i64,
    pub cum: i64,
}

impl Profile {
    pub(crate) fn new(
        raw: proto::Profile,
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
        let missing = raw
            .sample
            .iter()
            .flat_map(|s| &s.location_id)
            .filter(|id| locations.get(**id).is_none())
            .count();
        if missing > 0 {
            warnings.push(format!("{missing} stack frames name locations the profile does not define; they are skipped"));
        }
        Profile {
            raw,
            format,
            partial,
            warnings,
            legacy_header: None,
            index: std::sync::OnceLock::new(),
            tops_by_function: std::sync::OnceLock::new(),
            tops_by_line: std::sync::OnceLock::new(),
            locations,
            functions,
        }
    }

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
        let mut p = Profile::new(raw, format, partial, warnings);
        p.legacy_header = legacy_header;
        (p, filled)
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

    pub fn kind(&self) -> ProfileKind {
        let types = self.sample_types();
        let has = |n: &str| types.iter().any(|(t, _)| *t == n);
        if has("cpu") {
            ProfileKind::Cpu
        } else if has("inuse_space") || has("alloc_space") {
            if self.str(self.raw.default_sample_type) == "alloc_space" {
                ProfileKind::Allocs
            } else {
                ProfileKind::Heap
            }
        } else if has("goroutineleak") {
            ProfileKind::GoroutineLeak
        } else if has("goroutine") {
            ProfileKind::Goroutine
        } else if has("threadcreate") {
            ProfileKind::ThreadCreate
        } else if has("contentions") || has("delay") {
            // Go writes the same sample types for both. The legacy header
            // names them; in proto, a mutex profile blames the Unlock of the
            // holder while a block profile shows where goroutines waited.
            match self.legacy_header.as_deref() {
                Some(h) if h.starts_with("--- mutex:") => ProfileKind::Mutex,
                Some(h) if h.starts_with("--- contention:") => ProfileKind::Block,
                _ => {
                    // Weighted by delay: a few heavy Unlock records decide.
                    let weight = |s: &proto::Sample| s.value.last().copied().unwrap_or(0).max(0);
                    let (mut unlock, mut all) = (0i64, 0i64);
                    for (si, s) in self.raw.sample.iter().enumerate() {
                        let w = weight(s);
                        all = all.saturating_add(w);
                        if self
                            .sample_stack(si)
                            .next()
                            .is_some_and(|f| f.function.ends_with("Unlock"))
                        {
                            unlock = unlock.saturating_add(w);
                        }
                    }
                    if unlock > all / 2 {
                        ProfileKind::Mutex
                    } else {
                        ProfileKind::Block
                    }
                }
            }
        } else {
            ProfileKind::Other
        }
    }

    /// The stack of a sample, leaf first, inlined calls expanded.
    pub fn stack<'p>(
        &'p self,
        sample: &'p proto::Sample,
    ) -> impl Iterator<Item = FrameRef<'p>> + 'p {
        sample
            .location_id
            .iter()
            .filter_map(|id| self.locations.get(*id).map(|i| &self.raw.location[i]))
            .flat_map(move |loc| {
                let address = loc.address;
                // A location without lines (unsymbolised) is one unnamed frame.
                let unnamed = loc.line.is_empty().then_some(FrameRef {
                    function: "",
                    file: "",
                    line: 0,
                    address,
                });
                loc.line
                    .iter()
                    .map(move |l| {
                        let f = self
                            .functions
                            .get(l.function_id)
                            .map(|i| &self.raw.function[i]);
                        FrameRef {
                            function: f.map_or("", |f| self.str(f.name)),
                            file: f.map_or("", |f| self.str(f.filename)),
                            line: l.line,
                            address,
                        }
                    })
                    .chain(unnamed)
            })
    }

    /// The stack of the sample at `index` in `raw.sample`, leaf first,
    /// inlined calls expanded; the fast form of [`Profile::stack`].
    pub fn sample_stack(&self, index: usize) -> impl Iterator<Item = FrameRef<'_>> + '_ {
        let ix = self.index.get_or_init(|| FrameIndex::build(self));
        let (a, b) = ix.sample_range.get(index).copied().unwrap_or((0, 0));
        ix.sample_locs[a as usize..b as usize]
            .iter()
            .flat_map(move |&loc| {
                let (fa, fb) = ix.loc_range[loc as usize];
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

    /// Flat and cumulative value per function (or per line), sorted by flat
    /// then cumulative, descending — `go tool pprof -top` (`-lines`).
    pub fn top(&self, index: usize, granularity: Granularity) -> Vec<TopRow> {
        let tables = match granularity {
            Granularity::Function => &self.tops_by_function,
            Granularity::Line => &self.tops_by_line,
        };
        tables
            .get_or_init(|| self.compute_tops(granularity))
            .get(index)
            .cloned()
            .unwrap_or_default()
    }

    /// Top tables of every sample type in one pass over the samples.
    fn compute_tops(&self, granularity: Granularity) -> Vec<Vec<TopRow>> {
        let ix = self.index.get_or_init(|| FrameIndex::build(self));
        let keys = match granularity {
            Granularity::Function => &ix.frame_fn,
            Granularity::Line => &ix.frame_line,
        };
        let n = match granularity {
            Granularity::Function => ix.fn_keys.len(),
            Granularity::Line => ix.line_keys.len(),
        };
        let types = self.raw.sample_type.len();
        // flat[k * types + t], cum[k * types + t]
        let mut flat = vec![0i64; n * types];
        let mut cum = vec![0i64; n * types];
        // The sample that last counted a node: a node counts once per sample
        // in its cumulative value, however often it recurs.
        let mut stamp = vec![u32::MAX; n];
        for (si, s) in self.raw.sample.iter().enumerate() {
            let values = &s.value[..s.value.len().min(types)];
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            let mut leaf = true;
            let (sa, sb) = ix.sample_range[si];
            for &loc in &ix.sample_locs[sa as usize..sb as usize] {
                let (a, b) = ix.loc_range[loc as usize];
                for &k in &keys[a as usize..b as usize] {
                    let k = k as usize;
                    let base = k * types;
                    if leaf {
                        for (t, &v) in values.iter().enumerate() {
                            flat[base + t] = flat[base + t].saturating_add(v);
                        }
                        leaf = false;
                    }
                    if stamp[k] != si as u32 {
                        stamp[k] = si as u32;
                        for (t, &v) in values.iter().enumerate() {
                            cum[base + t] = cum[base + t].saturating_add(v);
                        }
                    }
                }
            }
        }
        (0..types)
            .map(|t| {
                let mut rows: HashMap<(&str, &str, i64), (i64, i64)> = HashMap::new();
                for k in 0..n {
                    let (f, c) = (flat[k * types + t], cum[k * types + t]);
                    if f == 0 && c == 0 {
                        continue;
                    }
                    let (fk, line) = match granularity {
                        Granularity::Function => (k as u32, 0),
                        Granularity::Line => ix.line_keys[k],
                    };
                    let (name, file) = ix.fn_keys[fk as usize];
                    let e = rows
                        .entry((self.str(name), self.str(file), line))
                        .or_insert((0, 0));
                    e.0 = e.0.saturating_add(f);
                    e.1 = e.1.saturating_add(c);
                }
                sorted_rows(rows)
            })
            .collect()
    }

    /// Folded stacks (`root;...;leaf value`) for flame graphs.
    pub fn folded(&self, index: usize) -> Vec<String> {
        let mut acc: HashMap<String, i64> = HashMap::new();
        for (si, s) in self.raw.sample.iter().enumerate() {
            let v = s.value.get(index).copied().unwrap_or(0);
            if v <= 0 {
                continue;
            }
            let names: Vec<&str> = self
                .sample_stack(si)
                .map(|f| {
                    if f.function.is_empty() {
                        "?"
                    } else {
                        f.function
                    }
                })
                .collect();
            let key = names
                .iter()
                .rev()
                .map(|n| n.replace(';', ":"))
                .collect::<Vec<_>>()
                .join(";");
            {
                let e = acc.entry(key).or_insert(0);
                *e = e.saturating_add(v);
            }
        }
        let mut lines: Vec<String> = acc.into_iter().map(|(k, v)| format!("{k} {v}")).collect();
        lines.sort();
        lines
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

/// `later - earlier` per row (what `go tool pprof -base` shows), largest
/// absolute change first.
pub fn diff_top(earlier: &[TopRow], later: &[TopRow]) -> Vec<TopRow> {
    let mut m: HashMap<(&str, &str, i64), (i64, i64)> = HashMap::new();
    for r in later {
        let e = m.entry((&r.function, &r.file, r.line)).or_insert((0, 0));
        e.0 = e.0.saturating_add(r.flat);
        e.1 = e.1.saturating_add(r.cum);
    }
    for r in earlier {
        let e = m.entry((&r.function, &r.file, r.line)).or_insert((0, 0));
        e.0 = e.0.saturating_sub(r.flat);
        e.1 = e.1.saturating_sub(r.cum);
    }
    m.retain(|_, (f, c)| *f != 0 || *c != 0);
    sorted_rows(m)
}

/// Rows from (function, file, line) → (flat, cum), largest flat first, then
/// largest cum, then by name and line (the order of `go tool pprof -top`).
fn sorted_rows(m: HashMap<(&str, &str, i64), (i64, i64)>) -> Vec<TopRow> {
    let mut out: Vec<TopRow> = m
        .into_iter()
        .map(|((function, file, line), (flat, cum))| TopRow {
            function: function.to_string(),
            file: file.to_string(),
            line,
            flat,
            cum,
        })
        .collect();
    out.sort_by(|a, b| {
        b.flat
            .abs()
            .cmp(&a.flat.abs())
            .then(b.cum.abs().cmp(&a.cum.abs()))
            .then(a.function.cmp(&b.function))
            .then(a.line.cmp(&b.line))
    });
    out
}

/// Samples, locations and frames as dense integer ids, so that top tables
/// are array sums instead of string hashing per frame.
#[derive(Clone, Debug, Default)]
struct FrameIndex {
    /// Per distinct (name, file) string pair: the function nodes.
    fn_keys: Vec<(i64, i64)>,
    /// Per distinct (function node, line): the line nodes.
    line_keys: Vec<(u32, i64)>,
    /// Per frame (inlined calls expanded), its function and line node,
    /// its source line and the location it belongs to.
    frame_fn: Vec<u32>,
    frame_line: Vec<u32>,
    frame_line_no: Vec<i64>,
    frame_loc: Vec<u32>,
    /// Per location index, its frames `[start, end)`.
    loc_range: Vec<(u32, u32)>,
    /// Per sample, `[start, end)` into `sample_locs` (location indices).
    sample_range: Vec<(u32, u32)>,
    sample_locs: Vec<u32>,
}

impl FrameIndex {
    fn build(p: &Profile) -> Self {
        let mut ix = FrameIndex::default();
        let mut fn_ids: HashMap<(i64, i64), u32> = HashMap::new();
        let mut line_ids: HashMap<(u32, i64), u32> = HashMap::new();
        let mut node = |ix: &mut FrameIndex, loc: u32, name: i64, file: i64, line: i64| {
            let f = *fn_ids.entry((name, file)).or_insert_with(|| {
                ix.fn_keys.push((name, file));
                (ix.fn_keys.len() - 1) as u32
            });
            let l = *line_ids.entry((f, line)).or_insert_with(|| {
                ix.line_keys.push((f, line));
                (ix.line_keys.len() - 1) as u32
            });
            ix.frame_fn.push(f);
            ix.frame_line.push(l);
            ix.frame_line_no.push(line);
            ix.frame_loc.push(loc);
        };
        for (li, loc) in p.raw.location.iter().enumerate() {
            let li = li as u32;
            let start = ix.frame_fn.len() as u32;
            if loc.line.is_empty() {
                // Unsymbolised: one unnamed frame (string 0 is "").
                node(&mut ix, li, 0, 0, 0);
            }
            for l in &loc.line {
                let (name, file) = p
                    .functions
                    .get(l.function_id)
                    .map(|i| (p.raw.function[i].name, p.raw.function[i].filename))
                    .unwrap_or((0, 0));
                node(&mut ix, li, name, file, l.line);
            }
            ix.loc_range.push((start, ix.frame_fn.len() as u32));
        }
        for s in &p.raw.sample {
            let start = ix.sample_locs.len() as u32;
            ix.sample_locs.extend(
                s.location_id
                    .iter()
                    .filter_map(|id| p.locations.get(*id).map(|i| i as u32)),
            );
            ix.sample_range.push((start, ix.sample_locs.len() as u32));
        }
        ix
    }
}

/// Message ids → positions. Go numbers locations and functions 1..n, so a
/// vector serves; sparse ids (other producers) fall back to a hash map.
#[derive(Clone, Debug)]
enum IdMap {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, usize>),
}

impl IdMap {
    fn new(ids: impl Iterator<Item = u64> + Clone) -> Self {
        let n = ids.clone().count();
        let max = ids.clone().max().unwrap_or(0);
        if max <= (2 * n as u64 + 16) {
            let mut v = vec![u32::MAX; max as usize + 1];
            for (i, id) in ids.enumerate() {
                // The first definition of a duplicated id wins, as with the map.
                if v[id as usize] == u32::MAX {
                    v[id as usize] = i as u32;
                }
            }
            IdMap::Dense(v)
        } else {
            let mut m = HashMap::with_capacity(n);
            for (i, id) in ids.enumerate() {
                m.entry(id).or_insert(i);
            }
            IdMap::Sparse(m)
        }
    }

    fn get(&self, id: u64) -> Option<usize> {
        match self {
            IdMap::Dense(v) => usize::try_from(id)
                .ok()
                .and_then(|i| v.get(i))
                .filter(|&&x| x != u32::MAX)
                .map(|&x| x as usize),
            IdMap::Sparse(m) => m.get(&id).copied(),
        }
    }
}
