//! Top tables (`go tool pprof -top`), their differences, folded stacks.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::index::{FrameIndex, Granularity, TopRow};
use crate::view::Profile;

impl Profile {
    /// Flat and cumulative value per function (or per line), sorted by flat
    /// then cumulative, descending — `go tool pprof -top` (`-lines`).
    pub fn top(&self, index: usize, granularity: Granularity) -> Vec<TopRow> {
        self.top_rows(index, granularity).to_vec()
    }

    /// The top table, borrowed from where it is kept (computed once for
    /// every sample type): callers that show its first rows copy nothing.
    pub fn top_rows(&self, index: usize, granularity: Granularity) -> &[TopRow] {
        let tables = match granularity {
            Granularity::Function => &self.tops_by_function,
            Granularity::Line => &self.tops_by_line,
        };
        tables
            .get_or_init(|| self.compute_tops(granularity))
            .get(index)
            .map_or(&[], Vec::as_slice)
    }

    /// Top tables of every sample type in one pass over the samples.
    /// The top tables of every sample type at one granularity; the other
    /// granularity's tables are computed in the same pass over the samples
    /// and kept too.
    fn compute_tops(&self, granularity: Granularity) -> Vec<Vec<TopRow>> {
        let (by_function, by_line) = self.compute_both();
        match granularity {
            Granularity::Function => {
                let _ = self.tops_by_line.set(by_line);
                by_function
            }
            Granularity::Line => {
                let _ = self.tops_by_function.set(by_function);
                by_line
            }
        }
    }

    /// Flat and cumulative sums per function and per line, in one pass.
    #[allow(clippy::type_complexity)]
    fn compute_both(&self) -> (Vec<Vec<TopRow>>, Vec<Vec<TopRow>>) {
        let ix = self
            .index
            .get_or_init(|| FrameIndex::build(&self.raw, &self.locations, &self.functions));
        let types = self.raw.sample_type.len();
        let (nf, nl) = (ix.fn_keys.len(), ix.line_keys.len());
        // flat[k * types + t], cum[k * types + t], per granularity.
        let mut flat_f = vec![0i64; nf * types];
        let mut cum_f = vec![0i64; nf * types];
        let mut flat_l = vec![0i64; nl * types];
        let mut cum_l = vec![0i64; nl * types];
        // The sample that last counted a node: a node counts once per sample
        // in its cumulative value, however often it recurs.
        let mut stamp_f = vec![u32::MAX; nf];
        let mut stamp_l = vec![u32::MAX; nl];
        let add = |sums: &mut [i64], base: usize, values: &[i64]| {
            for (t, &v) in values.iter().enumerate() {
                sums[base + t] = sums[base + t].saturating_add(v);
            }
        };
        for (si, s) in self.raw.sample.iter().enumerate() {
            let values = &s.value[..s.value.len().min(types)];
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            let mut leaf = true;
            let (sa, sb) = ix.sample_range[si];
            for &loc in &ix.sample_locs[sa as usize..sb as usize] {
                let (a, b) = ix.loc_range[loc as usize];
                for pos in a as usize..b as usize {
                    let (kf, kl) = (ix.frame_fn[pos] as usize, ix.frame_line[pos] as usize);
                    if leaf {
                        add(&mut flat_f, kf * types, values);
                        add(&mut flat_l, kl * types, values);
                        leaf = false;
                    }
                    if stamp_f[kf] != si as u32 {
                        stamp_f[kf] = si as u32;
                        add(&mut cum_f, kf * types, values);
                    }
                    if stamp_l[kl] != si as u32 {
                        stamp_l[kl] = si as u32;
                        add(&mut cum_l, kl * types, values);
                    }
                }
            }
        }
        // Every node is its own row: (name, file) and (function, line) are
        // unique by text (string ids are canonical in the index).
        let tables = |n: usize, flat: &[i64], cum: &[i64], granularity: Granularity| {
            (0..types)
                .map(|t| {
                    let mut rows: Vec<(usize, i64, i64)> = (0..n)
                        .map(|k| (k, flat[k * types + t], cum[k * types + t]))
                        .filter(|&(_, f, c)| f != 0 || c != 0)
                        .collect();
                    let key = |k: usize| {
                        let (fk, line) = match granularity {
                            Granularity::Function => (k as u32, 0),
                            Granularity::Line => ix.line_keys[k],
                        };
                        let (name, file) = ix.fn_keys[fk as usize];
                        (self.str(name), self.str(file), line)
                    };
                    rows.sort_by(|a, b| {
                        b.1.abs()
                            .cmp(&a.1.abs())
                            .then(b.2.abs().cmp(&a.2.abs()))
                            .then_with(|| {
                                let (ka, kb) = (key(a.0), key(b.0));
                                ka.0.cmp(kb.0).then(ka.2.cmp(&kb.2))
                            })
                    });
                    rows.into_iter()
                        .map(|(k, flat, cum)| {
                            let (function, file, line) = key(k);
                            TopRow {
                                function: function.to_string(),
                                file: file.to_string(),
                                line,
                                flat,
                                cum,
                            }
                        })
                        .collect()
                })
                .collect()
        };
        (
            tables(nf, &flat_f, &cum_f, Granularity::Function),
            tables(nl, &flat_l, &cum_l, Granularity::Line),
        )
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
    let mut m: FxHashMap<(&str, &str, i64), (i64, i64)> = FxHashMap::default();
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
fn sorted_rows(m: FxHashMap<(&str, &str, i64), (i64, i64)>) -> Vec<TopRow> {
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
