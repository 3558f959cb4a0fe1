//! Grouping goroutines with the same stack, and matching groups across dumps.
//!
//! The key is the wait state (without minutes), the frames' function, file and
//! line, and the creating `go` statement — never the parent goroutine id nor
//! the argument values, which would split one code path into thousands of
//! groups. [`GroupKeyMode::StackAndArgs`] keeps scalar arguments apart for the
//! rarer case where they matter.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::Serialize;

use crate::goroutine::{Frame, Goroutine, Label};

/// What makes two goroutines "the same" when grouping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKeyMode {
    /// Wait state, frames (function, file, line) and creator. Argument values
    /// are ignored: stacks that differ only in arguments merge.
    #[default]
    Stack,
    /// As `Stack`, and scalar argument words must match too (values that look
    /// like pointers may differ).
    StackAndArgs,
}

/// Goroutines sharing one key.
#[derive(Clone, Debug, Serialize)]
pub struct GoroutineGroup<'a> {
    pub status: &'a str,
    pub count: usize,
    /// Frames of the first goroutine of the group (innermost first).
    pub frames: Vec<Frame<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Frame<'a>>,
    /// Smallest and largest `N minutes` among members that printed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<(u32, u32)>,
    /// Up to 16 member ids (in input order), then `ids_total` tells the rest.
    pub ids: Vec<u64>,
    /// Distinct parent goroutines (`created by ... in goroutine N`).
    pub distinct_parents: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub locked_to_thread: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub leaked: usize,
    /// Members a test's leak checker listed (see `Goroutine::outlived_test`).
    #[serde(skip_serializing_if = "is_zero")]
    pub outlived_test: usize,
    /// Labels of the first labelled member.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label<'a>>,
    /// Index of the first member in the input's goroutine list.
    pub first_index: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

const MAX_IDS: usize = 16;

pub use rustc_hash::FxHasher;

type FxBuild = BuildHasherDefault<FxHasher>;

/// A hash map with [`FxHasher`], for integer and short-string keys.
pub type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

/// Argument words that look like pointers (above 512 KiB, as panicparse does)
/// are ignored; scalars are kept.
fn scalar_args(args: &str) -> impl Iterator<Item = &str> {
    args.split(", ").filter(|w| {
        let v = w.trim_end_matches('?');
        match v.strip_prefix("0x").map(|h| u64::from_str_radix(h, 16)) {
            Some(Ok(n)) => n < 512 * 1024,
            _ => true,
        }
    })
}

/// Hashes a string by its length and last 16 bytes: enough to tell frames
/// apart in practice, and a fraction of the cost of hashing long paths
/// (equality is still checked in full).
fn hash_tail(s: &str, h: &mut FxHasher) {
    let b = s.as_bytes();
    h.write_usize(b.len());
    h.write(&b[b.len().saturating_sub(16)..]);
}

fn key_hash(g: &Goroutine<'_>, mode: GroupKeyMode) -> u64 {
    let mut h = FxHasher::default();
    g.status.hash(&mut h);
    g.stack_unavailable.hash(&mut h);
    for f in &g.frames {
        hash_tail(f.function, &mut h);
        hash_tail(f.file, &mut h);
        h.write_u64(u64::from(f.line));
        if mode == GroupKeyMode::StackAndArgs {
            for a in scalar_args(&f.args) {
                a.hash(&mut h);
            }
        }
    }
    if let Some(c) = &g.created_by {
        hash_tail(c.function, &mut h);
        hash_tail(c.file, &mut h);
        h.write_u64(u64::from(c.line));
    }
    h.finish()
}

fn same_frame(a: &Frame<'_>, b: &Frame<'_>, mode: GroupKeyMode) -> bool {
    a.function == b.function
        && a.line == b.line
        && a.file == b.file
        && (mode == GroupKeyMode::Stack || scalar_args(&a.args).eq(scalar_args(&b.args)))
}

fn same_key(a: &Goroutine<'_>, b: &Goroutine<'_>, mode: GroupKeyMode) -> bool {
    a.status == b.status
        && a.stack_unavailable == b.stack_unavailable
        && a.frames.len() == b.frames.len()
        && a.frames
            .iter()
            .zip(&b.frames)
            .all(|(x, y)| same_frame(x, y, mode))
        && match (&a.created_by, &b.created_by) {
            (None, None) => true,
            (Some(x), Some(y)) => same_frame(x, y, GroupKeyMode::Stack),
            _ => false,
        }
}

/// The group that holds the goroutine at `index`: the one whose first
/// member has its key (the group a failing goroutine shares with identical
/// ones printed before it).
pub fn group_of(
    groups: &[GoroutineGroup<'_>],
    goroutines: &[Goroutine<'_>],
    index: usize,
    mode: GroupKeyMode,
) -> Option<usize> {
    let g = goroutines.get(index)?;
    groups
        .iter()
        .position(|gr| gr.first_index == index)
        .or_else(|| {
            groups.iter().position(|gr| {
                goroutines
                    .get(gr.first_index)
                    .is_some_and(|first| same_key(first, g, mode))
            })
        })
}

/// Groups goroutines; groups are ordered by size (largest first), ties by
/// first appearance. The crashing goroutine is not singled out here.
pub fn group_goroutines<'a>(
    goroutines: &[Goroutine<'a>],
    mode: GroupKeyMode,
) -> Vec<GoroutineGroup<'a>> {
    let mut by_hash: HashMap<u64, Vec<usize>, FxBuild> = HashMap::default();
    let mut groups: Vec<GoroutineGroup<'a>> = Vec::new();
    let mut parents: Vec<HashMap<u64, (), FxBuild>> = Vec::new();
    for (i, g) in goroutines.iter().enumerate() {
        let candidates = by_hash.entry(key_hash(g, mode)).or_default();
        let found = candidates
            .iter()
            .copied()
            .find(|&gi| same_key(&goroutines[groups[gi].first_index], g, mode));
        let gi = match found {
            Some(gi) => gi,
            None => {
                groups.push(GoroutineGroup {
                    status: g.status,
                    count: 0,
                    frames: g.frames.clone(),
                    created_by: g.created_by.clone(),
                    wait_minutes: None,
                    ids: Vec::new(),
                    distinct_parents: 0,
                    locked_to_thread: 0,
                    leaked: 0,
                    outlived_test: 0,
                    labels: Vec::new(),
                    first_index: i,
                });
                parents.push(HashMap::default());
                candidates.push(groups.len() - 1);
                groups.len() - 1
            }
        };
        let grp = &mut groups[gi];
        grp.count += usize::try_from(g.aggregated.unwrap_or(1)).unwrap_or(1);
        // A tool's aggregate printed no ids.
        if let Some(id) = g.known_id().filter(|_| grp.ids.len() < MAX_IDS) {
            grp.ids.push(id);
        }
        if let Some(m) = g.wait_minutes {
            grp.wait_minutes = Some(match grp.wait_minutes {
                None => (m, m),
                Some((lo, hi)) => (lo.min(m), hi.max(m)),
            });
        }
        grp.locked_to_thread += usize::from(g.locked_to_thread);
        grp.leaked += usize::from(g.leaked);
        if g.outlived_test {
            let n = usize::try_from(g.weight()).unwrap_or(usize::MAX);
            grp.outlived_test = grp.outlived_test.saturating_add(n);
        }
        if grp.labels.is_empty() && !g.labels.is_empty() {
            grp.labels = g.labels.clone();
        }
        if let Some(p) = g.parent {
            parents[gi].insert(p, ());
        }
    }
    for (g, p) in groups.iter_mut().zip(&parents) {
        g.distinct_parents = p.len();
    }
    groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.first_index.cmp(&b.first_index))
    });
    groups
}

/// One group matched between an earlier and a later dump.
#[derive(Clone, Debug, Serialize)]
pub struct GroupDiff {
    /// Index into the later dump's groups, or `None` when the group vanished.
    pub later: Option<usize>,
    /// Index into the earlier dump's groups, or `None` when the group is new.
    pub earlier: Option<usize>,
    pub before: usize,
    pub after: usize,
}

impl GroupDiff {
    pub fn growth(&self) -> i64 {
        self.after as i64 - self.before as i64
    }
}

fn group_key_hash(g: &GoroutineGroup<'_>) -> u64 {
    let mut h = FxHasher::default();
    g.status.hash(&mut h);
    for f in &g.frames {
        f.function.hash(&mut h);
        f.file.hash(&mut h);
        h.write_u64(u64::from(f.line));
    }
    if let Some(c) = &g.created_by {
        c.function.hash(&mut h);
        h.write_u64(u64::from(c.line));
    }
    h.finish()
}

fn same_group(a: &GoroutineGroup<'_>, b: &GoroutineGroup<'_>) -> bool {
    a.status == b.status
        && a.frames.len() == b.frames.len()
        && a.frames
            .iter()
            .zip(&b.frames)
            .all(|(x, y)| same_frame(x, y, GroupKeyMode::Stack))
        && a.created_by.as_ref().map(|c| (c.function, c.line))
            == b.created_by.as_ref().map(|c| (c.function, c.line))
}

/// Matches the groups of two dumps of one process, largest growth first.
/// Groups are keyed by state and stack (wait minutes and ids ignored).
pub fn diff_groups(earlier: &[GoroutineGroup<'_>], later: &[GoroutineGroup<'_>]) -> Vec<GroupDiff> {
    let mut index: HashMap<u64, Vec<usize>, FxBuild> = HashMap::default();
    for (i, g) in earlier.iter().enumerate() {
        index.entry(group_key_hash(g)).or_default().push(i);
    }
    let mut matched = vec![false; earlier.len()];
    let mut out = Vec::with_capacity(later.len());
    for (li, g) in later.iter().enumerate() {
        let e = index.get(&group_key_hash(g)).and_then(|c| {
            c.iter()
                .copied()
                .find(|&ei| !matched[ei] && same_group(&earlier[ei], g))
        });
        if let Some(ei) = e {
            matched[ei] = true;
        }
        out.push(GroupDiff {
            later: Some(li),
            earlier: e,
            before: e.map_or(0, |ei| earlier[ei].count),
            after: g.count,
        });
    }
    for (ei, g) in earlier.iter().enumerate() {
        if !matched[ei] {
            out.push(GroupDiff {
                later: None,
                earlier: Some(ei),
                before: g.count,
                after: 0,
            });
        }
    }
    out.sort_by(|a, b| b.growth().cmp(&a.growth()).then(b.after.cmp(&a.after)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(id: u64, status: &'static str, args: &'static str, parent: u64) -> Goroutine<'static> {
        Goroutine {
            id,
            status,
            frames: vec![Frame {
                function: "main.worker",
                args: args.into(),
                file: "/src/main.go",
                line: 10,
                pc_offset: std::num::NonZeroU32::new(0x20),
                pc: None,
            }],
            created_by: Some(Frame {
                function: "main.main",
                args: "".into(),
                file: "/src/main.go",
                line: 20,
                pc_offset: None,
                pc: None,
            }),
            parent: Some(parent),
            ..Goroutine::default()
        }
    }

    #[test]
    fn groups_ignore_args_and_parent_ids() {
        let gs = vec![
            g(1, "chan receive", "0x1, 0xc000010000", 1),
            g(2, "chan receive", "0x2, 0xc000020000", 7),
            g(3, "select", "0x1", 1),
        ];
        let groups = group_goroutines(&gs, GroupKeyMode::Stack);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 2);
        assert_eq!(groups[0].distinct_parents, 2);
        let groups = group_goroutines(&gs, GroupKeyMode::StackAndArgs);
        assert_eq!(groups.len(), 3, "scalar 0x1 vs 0x2 splits; pointers do not");
    }

    /// A goroutine that is not its group's first member is found in it.
    #[test]
    fn group_of_a_later_member() {
        let gs = vec![
            g(1, "select", "0x1", 1),
            g(2, "chan receive", "0x1", 1),
            g(3, "chan receive", "0x2", 1),
        ];
        let groups = group_goroutines(&gs, GroupKeyMode::Stack);
        let of = |i| group_of(&groups, &gs, i, GroupKeyMode::Stack).map(|g| groups[g].first_index);
        assert_eq!(
            (of(0), of(1), of(2), of(3)),
            (Some(0), Some(1), Some(1), None)
        );
    }

    #[test]
    fn diff_reports_growth() {
        let a = vec![g(1, "chan receive", "", 1)];
        let b = vec![
            g(1, "chan receive", "", 1),
            g(2, "chan receive", "", 1),
            g(3, "select", "", 1),
        ];
        let ga = group_goroutines(&a, GroupKeyMode::Stack);
        let gb = group_goroutines(&b, GroupKeyMode::Stack);
        let d = diff_groups(&ga, &gb);
        assert_eq!((d[0].before, d[0].after), (1, 2));
        assert_eq!((d[1].before, d[1].after), (0, 1));
    }
}

/// The goroutines blocked on one object (a channel, a mutex, a wait
/// group), as a core dump shows it: N waiters on one object are one fact.
#[derive(Clone, Debug, Serialize)]
pub struct WaitObjectGroup<'a> {
    pub addr: u64,
    /// `chan string`, `sync.Mutex`, ...
    pub what: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
    pub waiters: usize,
    /// Waiters by wait reason (`chan receive`: 5), most first.
    pub by_status: Vec<(&'a str, usize)>,
    /// Up to 16 waiter ids.
    pub ids: Vec<u64>,
    /// Where the first waiter is in the program's own code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<Frame<'a>>,
}

/// Groups blocked goroutines by the object they wait on (each case of a
/// select counts), most waiters first, then by address.
pub fn group_wait_objects<'a>(goroutines: &[crate::Goroutine<'a>]) -> Vec<WaitObjectGroup<'a>> {
    let mut index: FxMap<u64, usize> = FxMap::default();
    let mut out: Vec<WaitObjectGroup<'a>> = Vec::new();
    for g in goroutines {
        for w in &g.waits_on {
            let i = *index.entry(w.addr).or_insert_with(|| {
                out.push(WaitObjectGroup {
                    addr: w.addr,
                    what: w.what.clone(),
                    state: w.state.clone(),
                    waiters: 0,
                    by_status: Vec::new(),
                    ids: Vec::new(),
                    frame: g.first_user_frame().cloned(),
                });
                out.len() - 1
            });
            let o = &mut out[i];
            o.waiters += 1;
            match o.by_status.iter_mut().find(|(s, _)| *s == g.status) {
                Some((_, n)) => *n += 1,
                None => o.by_status.push((g.status, 1)),
            }
            if o.ids.len() < MAX_IDS {
                o.ids.push(g.id);
            }
        }
    }
    for o in &mut out {
        o.by_status.sort_by_key(|s| std::cmp::Reverse(s.1));
    }
    out.sort_by(|a, b| b.waiters.cmp(&a.waiters).then(a.addr.cmp(&b.addr)));
    out
}
