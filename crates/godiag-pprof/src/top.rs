//! Top tables (`go tool pprof -top`), their differences, folded stacks.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::index::{FrameIndex, Granularity, TopRow};
use crate::view::Profile;

/// Sample types summed together in one pass.
const LANES: usize = 4;

/// Per-node sums of up to [`LANES`] sample types.
struct Lanes {
    flat_f: Vec<[i64; LANES]>,
    cum_f: Vec<[i64; LANES]>,
    flat_l: Vec<[i64; LANES]>,
    cum_l: Vec<[i64; LANES]>,
}

impl Lanes {
    fn zero(functions: usize, lines: usize) -> Self {
        Lanes {
            flat_f: vec![[0; LANES]; functions],
            cum_f: vec![[0; LANES]; functions],
            flat_l: vec![[0; LANES]; lines],
            cum_l: vec![[0; LANES]; lines],
        }
    }

    fn add(&mut self, other: &Lanes) {
        for (into, from) in [
            (&mut self.flat_f, &other.flat_f),
            (&mut self.cum_f, &other.cum_f),
            (&mut self.flat_l, &other.flat_l),
            (&mut self.cum_l, &other.cum_l),
        ] {
            for (a, b) in into.iter_mut().zip(from) {
                for t in 0..LANES {
                    a[t] = a[t].wrapping_add(b[t]);
                }
            }
        }
    }
}

/// Frames the sums visit from which a second thread helps: starting one
/// costs tens of microseconds. (Two, not one per core: asking how many
/// cores there are reads cgroup files, which costs more than it saves.)
const FRAMES_FOR_TWO_THREADS: usize = 100_000;

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
            .get_or_init(|| FrameIndex::build(&self.raw, &self.functions));
        let types = self.raw.sample_type.len();
        let (nf, nl) = (ix.fn_keys.len(), ix.line_keys.len());
        // Sample types in lanes of four: one vector add per node and frame;
        // type t's sums are lane t % 4 of chunk t / 4.
        let chunks: Vec<Lanes> = (0..types)
            .step_by(LANES)
            .map(|first| self.sum_lanes_parallel(ix, first, (types - first).min(LANES)))
            .collect();
        // Every node is its own row: (name, file) and (function, line) are
        // unique by text (string ids are canonical in the index). Rows tie
        // on their numbers by function name, then line: names are ranked
        // once (equal names, equal rank) so that sorting compares integers.
        let mut by_name: Vec<u32> = (0..nf as u32).collect();
        by_name.sort_by(|&a, &b| {
            self.str(ix.fn_keys[a as usize].0)
                .cmp(self.str(ix.fn_keys[b as usize].0))
        });
        let mut name_rank = vec![0u32; nf];
        for (i, pair) in by_name.iter().enumerate() {
            let same = i > 0
                && self.str(ix.fn_keys[by_name[i - 1] as usize].0)
                    == self.str(ix.fn_keys[*pair as usize].0);
            name_rank[*pair as usize] = if same {
                name_rank[by_name[i - 1] as usize]
            } else {
                i as u32
            };
        }
        // Each function's names once, shared by its rows in every table.
        let names: Vec<(Arc<str>, Arc<str>)> = ix
            .fn_keys
            .iter()
            .map(|&(name, file)| (Arc::from(self.str(name)), Arc::from(self.str(file))))
            .collect();
        let tables = |n: usize, granularity: Granularity| {
            let key = |k: usize| match granularity {
                Granularity::Function => (k as u32, 0),
                Granularity::Line => ix.line_keys[k],
            };
            (0..types)
                .map(|t| {
                    let lanes = &chunks[t / LANES];
                    let (flat, cum) = match granularity {
                        Granularity::Function => (&lanes.flat_f, &lanes.cum_f),
                        Granularity::Line => (&lanes.flat_l, &lanes.cum_l),
                    };
                    let lane = t % LANES;
                    let mut rows: Vec<(usize, i64, i64)> = (0..n)
                        .map(|k| (k, flat[k][lane], cum[k][lane]))
                        .filter(|&(_, f, c)| f != 0 || c != 0)
                        .collect();
                    // Rows equal in all of it stay in node order (`k` last:
                    // the order is total, so an unstable sort is exact).
                    rows.sort_unstable_by_key(|&(k, f, c)| {
                        let (fk, line) = key(k);
                        (
                            std::cmp::Reverse(f.unsigned_abs()),
                            std::cmp::Reverse(c.unsigned_abs()),
                            name_rank[fk as usize],
                            line,
                            k,
                        )
                    });
                    rows.into_iter()
                        .map(|(k, flat, cum)| {
                            let (fk, line) = key(k);
                            let (function, file) = &names[fk as usize];
                            TopRow {
                                function: function.clone(),
                                file: file.clone(),
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
            tables(nf, Granularity::Function),
            tables(nl, Granularity::Line),
        )
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
            let mut stamps = vec![u32::MAX; nf + nl];
            self.sum_lanes(ix, first, width, 0..n, &mut total, &mut stamps);
            return total;
        }
        let mut other = Lanes::zero(nf, nl);
        let mut stamps = [vec![u32::MAX; nf + nl], vec![u32::MAX; nf + nl]];
        let [mine, theirs] = &mut stamps;
        std::thread::scope(|scope| {
            let half =
                scope.spawn(|| self.sum_lanes(ix, first, width, n / 2..n, &mut other, theirs));
            self.sum_lanes(ix, first, width, 0..n / 2, &mut total, mine);
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
        stamps: &mut [u32],
    ) {
        // The sample that last counted a node: a node counts once per sample
        // in its cumulative value, however often it recurs. Functions'
        // stamps first, then lines'.
        let (stamp_f, stamp_l) = stamps.split_at_mut(out.cum_f.len());
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
            let mut leaf = true;
            for id in self.stacks.ids(si) {
                let Some(loc) = self.locations.get(id) else {
                    continue;
                };
                let (a, b) = ix.loc_range[loc];
                for pos in a as usize..b as usize {
                    let (kf, kl) = (ix.frame_fn[pos] as usize, ix.frame_line[pos] as usize);
                    if leaf {
                        add(&mut out.flat_f[kf], &v);
                        add(&mut out.flat_l[kl], &v);
                        leaf = false;
                    }
                    if stamp_f[kf] != si as u32 {
                        stamp_f[kf] = si as u32;
                        add(&mut out.cum_f[kf], &v);
                    }
                    if stamp_l[kl] != si as u32 {
                        stamp_l[kl] = si as u32;
                        add(&mut out.cum_l[kl], &v);
                    }
                }
            }
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
