//! Bounded memory on huge dumps: past a number of goroutines kept whole,
//! a goroutine whose stack and state equal an earlier one's is counted on
//! that one (`aggregated`) instead of kept. A 2,000,000-goroutine leak dump
//! then costs the text plus one entry per distinct stack, not ~900 bytes
//! per goroutine. What is lost for folded goroutines: their ids, argument
//! words and parents.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use godiag_model::{Frame, Goroutine};

/// How many goroutines are kept whole before folding starts, unless told
/// otherwise.
pub const DEFAULT_FULL_GOROUTINES: usize = 250_000;

/// Limits of one parse.
#[derive(Clone, Copy, Debug)]
pub struct ParseLimits {
    /// Goroutines kept whole; later ones fold into an identical earlier one.
    pub full_goroutines: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            full_goroutines: DEFAULT_FULL_GOROUTINES,
        }
    }
}

pub(crate) struct StackFolder {
    full: usize,
    /// Stack hash → indexes of goroutines with that hash; built when the
    /// limit is first passed.
    index: Option<HashMap<u64, Vec<usize>>>,
    pub(crate) folded: u64,
    pub(crate) first_folded_at: Option<u64>,
}

impl StackFolder {
    pub(crate) fn new(limits: ParseLimits) -> Self {
        Self {
            full: limits.full_goroutines,
            index: None,
            folded: 0,
            first_folded_at: None,
        }
    }

    /// The goroutines were let go (a run of the program ended): the next
    /// ones fold among themselves.
    pub(crate) fn forget_stacks(&mut self) {
        self.index = None;
    }

    /// Folds the last goroutine of `gs` (complete: its record ended) into an
    /// identical earlier one when past the limit.
    pub(crate) fn settle_last(&mut self, gs: &mut Vec<Goroutine<'_>>) {
        if gs.len() <= self.full {
            return;
        }
        let last = gs.len() - 1;
        let index = self.index.get_or_insert_with(|| {
            let mut m: HashMap<u64, Vec<usize>> = HashMap::new();
            // The first goroutine (a crash's failing one) stays one.
            for (i, g) in gs[..last].iter().enumerate().skip(1) {
                if let Some(h) = stack_hash(g) {
                    m.entry(h).or_default().push(i);
                }
            }
            m
        });
        let Some(h) = stack_hash(&gs[last]) else {
            return;
        };
        let same = index
            .get(&h)
            .and_then(|c| c.iter().copied().find(|&i| same_stack(&gs[i], &gs[last])));
        match same {
            Some(i) => {
                let g = gs.pop();
                let weight = g.as_ref().map_or(1, |g| g.aggregated.unwrap_or(1));
                let into = &mut gs[i];
                into.aggregated = Some(into.aggregated.unwrap_or(1).saturating_add(weight));
                self.folded = self.folded.saturating_add(weight);
                if self.first_folded_at.is_none() {
                    self.first_folded_at = g.map(|g| g.offset);
                }
            }
            None => index.entry(h).or_default().push(last),
        }
    }
}

/// What makes two goroutines the same for folding; `None` for one that is
/// never folded (ancestors kept, a cut stack).
fn stack_hash(g: &Goroutine<'_>) -> Option<u64> {
    if !g.ancestors.is_empty() || g.truncated || g.stack_unavailable || g.frames.is_empty() {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    g.status.hash(&mut h);
    g.wait_minutes.hash(&mut h);
    (
        g.locked_to_thread,
        g.leaked,
        g.outlived_test,
        g.durable,
        g.elided,
    )
        .hash(&mut h);
    for l in &g.labels {
        (&l.key, &l.value).hash(&mut h);
    }
    for f in g.frames.iter().chain(g.created_by.as_ref()) {
        frame_key(f).hash(&mut h);
    }
    Some(h.finish())
}

fn frame_key<'s>(f: &'s Frame<'_>) -> (&'s str, &'s str, u32, Option<std::num::NonZeroU32>) {
    (f.function, f.file, f.line, f.pc_offset)
}

fn same_stack(a: &Goroutine<'_>, b: &Goroutine<'_>) -> bool {
    a.status == b.status
        && a.wait_minutes == b.wait_minutes
        && (
            a.locked_to_thread,
            a.leaked,
            a.outlived_test,
            a.durable,
            a.elided,
        ) == (
            b.locked_to_thread,
            b.leaked,
            b.outlived_test,
            b.durable,
            b.elided,
        )
        && a.labels == b.labels
        && a.frames.len() == b.frames.len()
        && a.frames
            .iter()
            .zip(&b.frames)
            .all(|(x, y)| frame_key(x) == frame_key(y))
        && a.created_by.as_ref().map(frame_key) == b.created_by.as_ref().map(frame_key)
}
