//! Top tables (`go tool pprof -top`), their differences, folded stacks.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::index::{FrameIndex, Granularity, TopRow};
use crate::sums::{Lanes, Scratch, Sums, LANES};
use crate::view::Profile;

/// A row before it is named: node, flat, cum.
type Node = (usize, i64, i64);

/// Frames the sums visit from which a second thread helps: starting one
/// costs tens of microseconds. (Two, not one per core: asking how many
/// cores there are reads cgroup files, which costs more than it saves.)
const FRAMES_FOR_TWO_THREADS: usize = 100_000;

/// The rows of every table kept for [`Profile::top_first`]: more than any
/// report shows (20 in JSON).
const FIRST_ROWS: usize = 32;

impl Profile {
    /// Flat and cumulative value per function (or per line), sorted by flat
    /// then cumulative, descending — `go tool pprof -top` (`-lines`).
    pub fn top(&self, index: usize, granularity: Granularity) -> Vec<TopRow> {
        self.top_rows(index, granularity).to_vec()
    }

    /// The whole top table, borrowed from where it is kept (built once for
    /// every sample type at that granularity).
    pub fn top_rows(&self, index: usize, granularity: Granularity) -> &[TopRow] {
        let tables = match granularity {
            Granularity::Function => &self.tops_by_function,
            Granularity::Line => &self.tops_by_line,
        };
        tables
            .get_or_init(|| self.full_tables(granularity))
            .get(index)
            .map_or(&[], Vec::as_slice)
    }

    /// The first `n` rows of a top table, what a report shows. Up to
    /// [`FIRST_ROWS`], they come from the first rows of every table, kept
    /// when first asked for: only those rows are ordered and named (a
    /// profile's tables have thousands of rows), and the sums they were
    /// read from are let go.
    pub fn top_first(&self, index: usize, granularity: Granularity, n: usize) -> Vec<TopRow> {
        let kept = match granularity {
            Granularity::Function => self.tops_by_function.get(),
            Granularity::Line => self.tops_by_line.get(),
        };
        let prefix = |rows: &[TopRow]| rows[..rows.len().min(n)].to_vec();
        if let Some(tables) = kept {
            return tables.get(index).map(|t| prefix(t)).unwrap_or_default();
        }
        if n > FIRST_ROWS {
            return prefix(self.top_rows(index, granularity));
        }
        let at = match granularity {
            Granularity::Function => 0,
            Granularity::Line => 1,
        };
        self.tops_first
            .get_or_init(|| self.first_tables())
            .get(index)
            .map(|t| prefix(&t[at]))
            .unwrap_or_default()
    }

    /// The first [`FIRST_ROWS`] rows of every sample type's tables, by
    /// function and by line; each row's names its own (a few rows).
    fn first_tables(&self) -> Vec<[Vec<TopRow>; 2]> {
        let ix = self.frame_index();
        let sums = self.sums();
        let name = |fk: usize| {
            let (name, file) = ix.fn_keys[fk];
            (Arc::from(self.str(name)), Arc::from(self.str(file)))
        };
        (0..self.raw.sample_type.len())
            .map(|t| {
                [Granularity::Function, Granularity::Line].map(|granularity| {
                    self.ordered(ix, &sums, t, granularity, Some(FIRST_ROWS))
                        .into_iter()
                        .map(|node| top_row(ix, granularity, node, name))
                        .collect()
                })
            })
            .collect()
    }

    fn frame_index(&self) -> &FrameIndex {
        self.index
            .get_or_init(|| FrameIndex::build(&self.raw, &self.functions))
    }

    /// The sums of every sample type, in one pass over the samples per
    /// four types. Not kept: the tables built from them are.
    fn sums(&self) -> Sums {
        let ix = self.frame_index();
        let types = self.raw.sample_type.len();
        let chunks = (0..types)
            .step_by(LANES)
            .map(|first| self.sum_lanes_parallel(ix, first, (types - first).min(LANES)))
            .collect();
        let nf = ix.fn_keys.len();
        let name = |f: u32| self.str(ix.fn_keys[f as usize].0);
        let mut by_name: Vec<u32> = (0..nf as u32).collect();
        by_name.sort_by(|&a, &b| name(a).cmp(name(b)));
        // Equal names, equal rank.
        let mut name_rank = vec![0u32; nf];
        for (i, f) in by_name.iter().enumerate() {
            name_rank[*f as usize] = match i.checked_sub(1).map(|p| by_name[p]) {
                Some(prev) if name(prev) == name(*f) => name_rank[prev as usize],
                _ => i as u32,
            };
        }
        Sums { chunks, name_rank }
    }

    /// One sample type's rows in the order of `go tool pprof -top`; only
    /// the first `limit` when given, chosen before they are ordered.
    fn ordered(
        &self,
        ix: &FrameIndex,
        sums: &Sums,
        index: usize,
        granularity: Granularity,
        limit: Option<usize>,
    ) -> Vec<Node> {
        let mut rows = self.nodes(sums, index, granularity);
        let key = |&row: &Node| row_order(ix, sums, granularity, row);
        if let Some(n) = limit.filter(|&n| rows.len() > n) {
            rows.select_nth_unstable_by_key(n, key);
            rows.truncate(n);
        }
        rows.sort_unstable_by_key(key);
        rows
    }

    /// The nodes of one sample type with a non-zero flat or cum, in node
    /// order.
    fn nodes(&self, sums: &Sums, index: usize, granularity: Granularity) -> Vec<Node> {
        let Some(lanes) = sums.chunks.get(index / LANES) else {
            return Vec::new();
        };
        let (flat, cum) = match granularity {
            Granularity::Function => (&lanes.flat_f, &lanes.cum_f),
            Granularity::Line => (&lanes.flat_l, &lanes.cum_l),
        };
        let lane = index % LANES;
        flat.iter()
            .zip(cum)
            .enumerate()
            .map(|(k, (f, c))| (k, f[lane], c[lane]))
            .filter(|&(_, f, c)| f != 0 || c != 0)
            .collect()
    }

    /// Every sample type's whole table at one granularity; the other
    /// granularity's, from the same pass over the samples, are kept too.
    fn full_tables(&self, granularity: Granularity) -> Vec<Vec<TopRow>> {
        let ix = self.frame_index();
        let sums = self.sums();
        // Each function's names once, shared by its rows in every table.
        let names: Vec<(Arc<str>, Arc<str>)> = ix
            .fn_keys
            .iter()
            .map(|&(name, file)| (Arc::from(self.str(name)), Arc::from(self.str(file))))
            .collect();
        let tables = |g| self.tables_from(ix, &sums, &names, g);
        match granularity {
            Granularity::Function => {
                let _ = self.tops_by_line.set(tables(Granularity::Line));
                tables(Granularity::Function)
            }
            Granularity::Line => {
                let _ = self.tops_by_function.set(tables(Granularity::Function));
                tables(Granularity::Line)
            }
        }
    }

    /// Every sample type's whole table at one granularity, from the sums.
    fn tables_from(
        &self,
        ix: &FrameIndex,
        sums: &Sums,
        names: &[(Arc<str>, Arc<str>)],
        granularity: Granularity,
    ) -> Vec<Vec<TopRow>> {
        let name = |fk: usize| names[fk].clone();
        (0..self.raw.sample_type.len())
            .map(|t| {
                self.ordered(ix, sums, t, granularity, None)
                    .into_iter()
                    .map(|node| top_row(ix, granularity, node, name))
                    .collect()
            })
            .collect()
    }

    /// Locations over all samples' stacks: about the frames a pass visits.
    fn stack_frames(&self) -> usize {
        self.stacks.total_ids()
    }

    /// [`Profile::sum_lanes`] over all samples, split in two threads when
    /// the profile is large, the halves' sums added. The sums are allocated
    /// here: a thread's allocations would come from a malloc arena of its
    /// own, in pages touched for the first time.
    fn sum_lanes_parallel(&self, ix: &FrameIndex, first: usize, width: usize) -> Lanes {
        let (nf, nl) = (ix.fn_keys.len(), ix.line_keys.len());
        let n = self.raw.sample.len();
        let mut total = Lanes::zero(nf, nl);
        if self.stack_frames() < FRAMES_FOR_TWO_THREADS {
            let mut scratch = Scratch::new(ix);
            self.sum_lanes(ix, first, width, 0..n, &mut total, &mut scratch);
            return total;
        }
        let mut other = Lanes::zero(nf, nl);
        let [mut mine, mut theirs] = [Scratch::new(ix), Scratch::new(ix)];
        std::thread::scope(|scope| {
            let half =
                scope.spawn(|| self.sum_lanes(ix, first, width, n / 2..n, &mut other, &mut theirs));
            self.sum_lanes(ix, first, width, 0..n / 2, &mut total, &mut mine);
            if let Err(panic) = half.join() {
                std::panic::resume_unwind(panic);
            }
        });
        total.add(&other);
        total
    }

    /// Flat and cumulative sums of sample types `first..first + width`
    /// (at most [`LANES`]) per function and per line node, over the samples
    /// in `samples`. Sums wrap, as Go's int64 sums in `go tool pprof` do.
    fn sum_lanes(
        &self,
        ix: &FrameIndex,
        first: usize,
        width: usize,
        samples: std::ops::Range<usize>,
        out: &mut Lanes,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            stamp_f,
            stamp_l,
            cum_loc,
        } = scratch;
        let add = |sum: &mut [i64; LANES], v: &[i64; LANES]| {
            for t in 0..LANES {
                sum[t] = sum[t].wrapping_add(v[t]);
            }
        };
        for si in samples {
            let s = &self.raw.sample[si];
            let mut v = [0i64; LANES];
            for (t, x) in s.value.iter().skip(first).take(width).enumerate() {
                v[t] = *x;
            }
            if v == [0; LANES] {
                continue;
            }
            let stamp = si as u32;
            let mut leaf = true;
            for id in self.stacks.ids(si) {
                let Some(loc) = self.locations.get(id) else {
                    continue;
                };
                let (a, b) = ix.loc_range[loc];
                if leaf && a < b {
                    let pos = a as usize;
                    add(&mut out.flat_f[ix.frame_fn[pos] as usize], &v);
                    add(&mut out.flat_l[ix.frame_line[pos] as usize], &v);
                    leaf = false;
                }
                for pos in a as usize..b as usize {
                    let (kf, kl) = (ix.frame_fn[pos] as usize, ix.frame_line[pos] as usize);
                    let new_f = std::mem::replace(&mut stamp_f[kf], stamp) != stamp;
                    let new_l = std::mem::replace(&mut stamp_l[kl], stamp) != stamp;
                    match (new_f, new_l) {
                        // The common case, a frame whose nodes this sample
                        // has not counted: summed per location (one sum
                        // instead of two), added to its nodes at the end.
                        (true, true) if b - a == 1 => add(&mut cum_loc[loc], &v),
                        (new_f, new_l) => {
                            if new_f {
                                add(&mut out.cum_f[kf], &v);
                            }
                            if new_l {
                                add(&mut out.cum_l[kl], &v);
                            }
                        }
                    }
                }
            }
        }
        for (loc, sum) in cum_loc.iter_mut().enumerate() {
            if *sum == [0; LANES] {
                continue;
            }
            let pos = ix.loc_range[loc].0 as usize;
            add(&mut out.cum_f[ix.frame_fn[pos] as usize], sum);
            add(&mut out.cum_l[ix.frame_line[pos] as usize], sum);
            *sum = [0; LANES];
        }
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
            function: Arc::from(function),
            file: Arc::from(file),
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

/// A node as a row; `name` gives a function node's name and file.
fn top_row(
    ix: &FrameIndex,
    granularity: Granularity,
    (k, flat, cum): Node,
    name: impl Fn(usize) -> (Arc<str>, Arc<str>),
) -> TopRow {
    let (fk, line) = node_key(ix, granularity, k);
    let (function, file) = name(fk as usize);
    TopRow {
        function,
        file,
        line,
        flat,
        cum,
    }
}

/// A node's function and line (0 at function granularity).
fn node_key(ix: &FrameIndex, granularity: Granularity, k: usize) -> (u32, i64) {
    match granularity {
        Granularity::Function => (k as u32, 0),
        Granularity::Line => ix.line_keys[k],
    }
}

/// The order of `go tool pprof -top`: largest flat first, then largest
/// cum, then by name and line. Rows equal in all of it stay in node order
/// (`k` last: the order is total, so an unstable sort is exact).
fn row_order(
    ix: &FrameIndex,
    sums: &Sums,
    granularity: Granularity,
    (k, f, c): Node,
) -> (Reverse<u64>, Reverse<u64>, u32, i64, usize) {
    let (fk, line) = node_key(ix, granularity, k);
    (
        Reverse(f.unsigned_abs()),
        Reverse(c.unsigned_abs()),
        sums.name_rank[fk as usize],
        line,
        k,
    )
}

#[cfg(test)]
mod tests {
    use crate::proto;
    use crate::view::{Profile, SourceFormat};
    use crate::Granularity;

    /// Forty functions, one name in pairs over two files, every sample of
    /// the same value: rows tie on flat and cum, and the first rows must
    /// cut through the ties as the whole table does.
    fn tied() -> Profile {
        let mut raw = proto::Profile {
            string_table: vec!["".into(), "samples".into(), "count".into()],
            ..Default::default()
        };
        raw.sample_type
            .push(proto::ValueType { r#type: 1, unit: 2 });
        let mut string = |s: String| {
            raw.string_table.push(s);
            raw.string_table.len() as i64 - 1
        };
        let names: Vec<(i64, i64)> = (0..40)
            .map(|i| {
                (
                    string(format!("pkg.f{}", i / 2)),
                    string(format!("/src/{}.go", i % 2)),
                )
            })
            .collect();
        for (i, (name, file)) in names.into_iter().enumerate() {
            let id = i as u64 + 1;
            raw.function.push(proto::Function {
                id,
                name,
                filename: file,
                ..Default::default()
            });
            raw.location.push(proto::Location {
                id,
                line: vec![proto::Line {
                    function_id: id,
                    line: 10 + (i as i64 % 3),
                    ..Default::default()
                }],
                ..Default::default()
            });
            raw.sample.push(proto::Sample {
                location_id: vec![id, (id % 40) + 1],
                value: vec![7],
                ..Default::default()
            });
        }
        Profile::new(
            raw,
            SourceFormat::Proto { gzipped: false },
            false,
            Vec::new(),
        )
    }

    #[test]
    fn first_rows_cut_through_ties_as_the_whole_table_does() {
        for granularity in [Granularity::Function, Granularity::Line] {
            let whole = tied();
            let table = whole.top_rows(0, granularity).to_vec();
            assert_eq!(table.len(), 40);
            for n in 0..=45 {
                let first = tied().top_first(0, granularity, n);
                assert_eq!(first, table[..n.min(40)], "{granularity:?} n={n}");
            }
        }
    }
}
