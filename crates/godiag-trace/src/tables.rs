//! Strings, frames and stacks interned across generations.
//!
//! Each generation has its own string and stack tables whose IDs restart at 1. The
//! reader maps them to IDs that stay the same for the whole trace, so that analyses can
//! aggregate by stack across generations. The interned sets are small next to the
//! events (a few thousand distinct stacks in a 100 MB trace).

use godiag_model::group::FxMap;

/// A string interned for the whole trace; 0 is the empty string.
pub type StrId = u32;
/// A stack interned for the whole trace; 0 is "no stack".
pub type StackId = u32;

/// One frame: the stack tables arrive symbolized and inline-expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub pc: u64,
    pub func: StrId,
    pub file: StrId,
    pub line: u64,
}

#[derive(Default)]
pub struct Tables {
    strings: Vec<Box<str>>,
    string_ids: FxMap<Box<str>, StrId>,
    frames: Vec<Frame>,
    frame_ids: FxMap<Frame, u32>,
    /// Stack `i` is `stack_frames[stacks[i].0 .. stacks[i].0 + stacks[i].1]`.
    stacks: Vec<(u32, u32)>,
    stack_frames: Vec<u32>,
    stack_ids: FxMap<Box<[u32]>, StackId>,
}

impl Tables {
    pub fn new() -> Tables {
        let mut t = Tables::default();
        t.strings.push("".into());
        t.string_ids.insert("".into(), 0);
        t.stacks.push((0, 0));
        t.stack_ids.insert(Box::new([]), 0);
        t
    }

    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as StrId;
        self.strings.push(s.into());
        self.string_ids.insert(s.into(), id);
        id
    }

    pub fn string(&self, id: StrId) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }

    pub fn intern_frame(&mut self, f: Frame) -> u32 {
        if let Some(&id) = self.frame_ids.get(&f) {
            return id;
        }
        let id = self.frames.len() as u32;
        self.frames.push(f);
        self.frame_ids.insert(f, id);
        id
    }

    pub fn intern_stack(&mut self, frames: &[u32]) -> StackId {
        if let Some(&id) = self.stack_ids.get(frames) {
            return id;
        }
        let id = self.stacks.len() as StackId;
        self.stacks
            .push((self.stack_frames.len() as u32, frames.len() as u32));
        self.stack_frames.extend_from_slice(frames);
        self.stack_ids.insert(frames.into(), id);
        id
    }

    /// The frames of a stack, leaf first.
    pub fn stack(&self, id: StackId) -> impl ExactSizeIterator<Item = &Frame> + '_ {
        let (start, len) = self.stacks.get(id as usize).copied().unwrap_or((0, 0));
        self.stack_frames[start as usize..(start + len) as usize]
            .iter()
            .map(|&f| &self.frames[f as usize])
    }

    pub fn stack_len(&self, id: StackId) -> usize {
        self.stacks.get(id as usize).map_or(0, |s| s.1 as usize)
    }

    /// The first frame of a stack whose function is not in the runtime, else the leaf.
    pub fn user_frame(&self, id: StackId) -> Option<&Frame> {
        let mut leaf = None;
        for f in self.stack(id) {
            leaf.get_or_insert(f);
            let func = self.string(f.func);
            if !is_runtime_function(func) {
                return Some(f);
            }
        }
        leaf
    }

    pub fn num_stacks(&self) -> usize {
        self.stacks.len()
    }

    /// How far each table has grown, for [`Tables::delta_since`].
    pub fn marks(&self) -> TableMarks {
        TableMarks([
            self.strings.len(),
            self.frames.len(),
            self.stacks.len(),
            self.stack_frames.len(),
        ])
    }

    /// What was interned since `mark` (and moves the mark), for a copy of the
    /// tables kept on another thread.
    pub fn delta_since(&self, mark: &mut TableMarks) -> TablesDelta {
        let [s, f, st, sf] = mark.0;
        let d = TablesDelta {
            strings: self.strings[s..].to_vec(),
            frames: self.frames[f..].to_vec(),
            stacks: self.stacks[st..].to_vec(),
            stack_frames: self.stack_frames[sf..].to_vec(),
        };
        *mark = self.marks();
        d
    }

    /// Appends what another `Tables` interned. The copy is for reading: it does not
    /// intern.
    pub fn apply(&mut self, d: TablesDelta) {
        self.strings.extend(d.strings);
        self.frames.extend(d.frames);
        self.stacks.extend(d.stacks);
        self.stack_frames.extend(d.stack_frames);
    }
}

/// Lengths of the tables at some point.
#[derive(Clone, Copy, Debug)]
pub struct TableMarks([usize; 4]);

/// Entries interned between two points.
pub struct TablesDelta {
    strings: Vec<Box<str>>,
    frames: Vec<Frame>,
    stacks: Vec<(u32, u32)>,
    stack_frames: Vec<u32>,
}

/// Functions of the runtime and the packages that wrap its blocking points.
pub fn is_runtime_function(func: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "runtime.",
        "runtime/",
        "internal/",
        "sync.",
        "sync/atomic.",
        "syscall.",
        "time.Sleep",
        "net.",
        "os.",
        "io.",
        "bufio.",
        "crypto/tls.",
        "net/http.",
    ];
    PREFIXES.iter().any(|p| func.starts_with(p))
}
