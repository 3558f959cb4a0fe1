//! Samples, locations and frames as dense integer ids (built once per
//! profile), location or function ids to indexes, and the rows of the top
//! tables cached from them.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::proto;

/// Aggregation key of a top table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Function,
    Line,
}

/// One row of a top table. Names are shared between the rows of one
/// function (a profile's tables have thousands of rows, a few hundred
/// functions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopRow {
    pub function: Arc<str>,
    pub file: Arc<str>,
    /// 0 at function granularity.
    pub line: i64,
    pub flat: i64,
    pub cum: i64,
}

/// Samples, locations and frames as dense integer ids, so that top tables
/// are array sums instead of string hashing per frame.
#[derive(Clone, Debug, Default)]
pub(crate) struct FrameIndex {
    /// Per distinct (name, file) string pair: the function nodes.
    pub(crate) fn_keys: Vec<(i64, i64)>,
    /// Per distinct (function node, line): the line nodes.
    pub(crate) line_keys: Vec<(u32, i64)>,
    /// Per frame (inlined calls expanded), its function and line node,
    /// its source line and the location it belongs to.
    pub(crate) frame_fn: Vec<u32>,
    pub(crate) frame_line: Vec<u32>,
    pub(crate) frame_line_no: Vec<i64>,
    pub(crate) frame_loc: Vec<u32>,
    /// Per location index, its frames `[start, end)`.
    pub(crate) loc_range: Vec<(u32, u32)>,
}

impl FrameIndex {
    pub(crate) fn build(raw: &proto::Profile, functions: &IdMap) -> Self {
        let mut ix = FrameIndex::default();
        // Strings by text: a producer may repeat a string under two ids, and
        // rows are one per (name, file) text; with one id per text, rows are
        // one per node and need no merging by text later.
        let mut by_text: FxHashMap<&str, i64> = FxHashMap::default();
        let canonical: Vec<i64> = raw
            .string_table
            .iter()
            .enumerate()
            .map(|(i, t)| *by_text.entry(t.as_str()).or_insert(i as i64))
            .collect();
        let canon = |id: i64| {
            usize::try_from(id)
                .ok()
                .and_then(|i| canonical.get(i))
                .copied()
                .unwrap_or(id)
        };
        let mut fn_ids: FxHashMap<(i64, i64), u32> = FxHashMap::default();
        let mut line_ids: FxHashMap<(u32, i64), u32> = FxHashMap::default();
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
        for (li, loc) in raw.location.iter().enumerate() {
            let li = li as u32;
            let start = ix.frame_fn.len() as u32;
            if loc.line.is_empty() {
                // Unsymbolised: one unnamed frame (string 0 is "").
                node(&mut ix, li, 0, 0, 0);
            }
            for l in &loc.line {
                let (name, file) = functions
                    .get(l.function_id)
                    .map(|i| (canon(raw.function[i].name), canon(raw.function[i].filename)))
                    .unwrap_or((0, 0));
                node(&mut ix, li, name, file, l.line);
            }
            ix.loc_range.push((start, ix.frame_fn.len() as u32));
        }
        ix
    }
}

/// Message ids → positions. Go numbers locations and functions 1..n, so a
/// vector serves; sparse ids (other producers) fall back to a hash map.
#[derive(Clone, Debug)]
pub(crate) enum IdMap {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, usize>),
}

impl IdMap {
    pub(crate) fn new(ids: impl Iterator<Item = u64> + Clone) -> Self {
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

    /// Whether every id in `lo..=hi` is defined.
    pub(crate) fn covers(&self, lo: u64, hi: u64) -> bool {
        match self {
            IdMap::Dense(v) => {
                let (Ok(lo), Ok(hi)) = (usize::try_from(lo), usize::try_from(hi)) else {
                    return false;
                };
                v.get(lo..=hi)
                    .is_some_and(|ids| ids.iter().all(|&x| x != u32::MAX))
            }
            IdMap::Sparse(_) => false,
        }
    }

    pub(crate) fn get(&self, id: u64) -> Option<usize> {
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
