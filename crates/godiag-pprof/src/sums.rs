//! The flat and cumulative sums the top tables are read from, per
//! function and per line node, and the scratch space of one pass over the
//! samples. The top tables compute them.

use crate::index::FrameIndex;

/// Sample types summed together in one pass.
pub(crate) const LANES: usize = 4;

/// Per-node sums of up to [`LANES`] sample types.
#[derive(Clone, Debug)]
pub(crate) struct Lanes {
    pub(crate) flat_f: Vec<[i64; LANES]>,
    pub(crate) cum_f: Vec<[i64; LANES]>,
    pub(crate) flat_l: Vec<[i64; LANES]>,
    pub(crate) cum_l: Vec<[i64; LANES]>,
}

impl Lanes {
    pub(crate) fn zero(functions: usize, lines: usize) -> Self {
        Lanes {
            flat_f: vec![[0; LANES]; functions],
            cum_f: vec![[0; LANES]; functions],
            flat_l: vec![[0; LANES]; lines],
            cum_l: vec![[0; LANES]; lines],
        }
    }

    pub(crate) fn add(&mut self, other: &Lanes) {
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

/// Flat and cumulative sums of every sample type per function and per
/// line node (type t's sums are lane t % 4 of chunk t / 4), and each
/// function's rank by name: rows that tie on their numbers are ordered by
/// name, then line, and ranks let sorting compare integers.
#[derive(Clone, Debug)]
pub(crate) struct Sums {
    pub(crate) chunks: Vec<Lanes>,
    pub(crate) name_rank: Vec<u32>,
}

/// What one pass of the sums writes besides them: per node, the sample
/// that last counted it (a node counts once per sample in its cumulative
/// value, however often it recurs); per location of one frame, the sums of
/// the samples that counted its nodes there.
pub(crate) struct Scratch {
    pub(crate) stamp_f: Vec<u32>,
    pub(crate) stamp_l: Vec<u32>,
    pub(crate) cum_loc: Vec<[i64; LANES]>,
}

impl Scratch {
    pub(crate) fn new(ix: &FrameIndex) -> Self {
        Scratch {
            stamp_f: vec![u32::MAX; ix.fn_keys.len()],
            stamp_l: vec![u32::MAX; ix.line_keys.len()],
            cum_loc: vec![[0; LANES]; ix.loc_range.len()],
        }
    }
}
