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
    locations: HashMap<u64, usize>,
    functions: HashMap<u64, usize>,
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
        let locations: HashMap<u64, usize> = raw
            .location
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id, i))
            .collect();
        let functions: HashMap<u64, usize> = raw
            .function
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, i))
            .collect();
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
            .filter(|id| !locations.contains_key(id))
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
                    let unlock_leaves = self
                        .raw
                        .sample
                        .iter()
                        .filter_map(|s| self.stack(s).next())
                        .filter(|f| {
                            f.function.ends_with("Unlock") || f.function.ends_with("RUnlock")
                        })
                        .count();
                    if unlock_leaves * 2 > self.raw.sample.len() {
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
            .filter_map(|id| self.locations.get(id).map(|&i| &self.raw.location[i]))
            .flat_map(move |loc| {
                let address = loc.address;
                let frames: Vec<FrameRef<'p>> = if loc.line.is_empty() {
                    vec![FrameRef {
                        function: "",
                        file: "",
                        line: 0,
                        address,
                    }]
                } else {
                    loc.line
                        .iter()
                        .map(|l| {
                            let f = self
                                .functions
                                .get(&l.function_id)
                                .map(|&i| &self.raw.function[i]);
                            FrameRef {
                                function: f.map_or("", |f| self.str(f.name)),
                                file: f.map_or("", |f| self.str(f.filename)),
                                line: l.line,
                                address,
                            }
                        })
                        .collect()
                };
                frames
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
        let mut rows: HashMap<(&str, &str, i64), (i64, i64)> = HashMap::new();
        let mut seen: Vec<(&str, &str, i64)> = Vec::new();
        for s in &self.raw.sample {
            let v = s.value.get(index).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            seen.clear();
            for (depth, f) in self.stack(s).enumerate() {
                let key = match granularity {
                    Granularity::Function => (f.function, f.file, 0),
                    Granularity::Line => (f.function, f.file, f.line),
                };
                let e = rows.entry(key).or_insert((0, 0));
                if depth == 0 {
                    e.0 = e.0.saturating_add(v);
                }
                // Recursion: a node counts once per sample in its cumulative value.
                if !seen.contains(&key) {
                    e.1 = e.1.saturating_add(v);
                    seen.push(key);
                }
            }
        }
        sorted_rows(rows)
    }

    /// Folded stacks (`root;...;leaf value`) for flame graphs.
    pub fn folded(&self, index: usize) -> Vec<String> {
        let mut acc: HashMap<String, i64> = HashMap::new();
        for s in &self.raw.sample {
            let v = s.value.get(index).copied().unwrap_or(0);
            if v <= 0 {
                continue;
            }
            let names: Vec<&str> = self
                .stack(s)
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
            *acc.entry(key).or_insert(0) += v;
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
        e.0 += r.flat;
        e.1 += r.cum;
    }
    for r in earlier {
        let e = m.entry((&r.function, &r.file, r.line)).or_insert((0, 0));
        e.0 -= r.flat;
        e.1 -= r.cum;
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
