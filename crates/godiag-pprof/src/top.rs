//! Top tables (`go tool pprof -top`), their differences, folded stacks.

use std::collections::HashMap;

use crate::index::{FrameIndex, Granularity, TopRow};
use crate::view::Profile;

impl Profile {
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
        let ix = self
            .index
            .get_or_init(|| FrameIndex::build(&self.raw, &self.locations, &self.functions));
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
