//! `bt full` for the goroutines a report names: each frame with the
//! values of its parameters and locals, read through the executable's
//! DWARF from the process image. Without DWARF (`-ldflags=-w`), the words
//! of each frame's argument spill area, which the register ABI writes and
//! the runtime's traceback prints, are what is left.

use godiag_exe::{DebugVariables, GoExecutable, Memory};
use godiag_model::{FrameVariable, FullBacktrace, FullFrame, ValuesFrom, VariableRole};

use crate::core_file::load_bias;
use crate::image::{Image, ProcessImage};
use crate::layout;
use crate::unwind::PcCache;
use crate::walk::{g_status, is_dead, stack_start, thread_contexts};

/// Most frames listed per goroutine.
const MAX_FRAMES: usize = 64;

/// The full backtraces of the goroutines `(goid, g address)` given, in
/// that order. Empty for a goroutine whose stack cannot be walked.
pub fn full_backtraces(
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    exe_bytes: &[u8],
    goroutines: &[(u64, u64)],
) -> Vec<FullBacktrace> {
    BacktraceReader::new(exe, exe_bytes).map_or_else(Vec::new, |r| r.read(core, goroutines))
}

/// What reading full backtraces needs of the executable alone (its object
/// file, the runtime's `g` layout, its DWARF), prepared before the process
/// is stopped: loading the DWARF takes about half the time of reading a few
/// goroutines' frames, and a live process need not wait for it.
pub struct BacktraceReader<'e, 'x> {
    exe: &'x GoExecutable<'e>,
    file: object::File<'x>,
    go: layout::GOffsets,
    dwarf: Option<DebugVariables<'x>>,
}

impl<'e, 'x> BacktraceReader<'e, 'x> {
    /// `None` when the executable cannot be parsed as an object file.
    pub fn new(exe: &'x GoExecutable<'e>, exe_bytes: &'x [u8]) -> Option<Self> {
        let file = object::File::parse(exe_bytes).ok()?;
        let go = layout::layout(exe, &file).g;
        let dwarf = DebugVariables::load(&file);
        Some(BacktraceReader {
            exe,
            file,
            go,
            dwarf,
        })
    }

    /// The full backtraces of the goroutines `(goid, g address)` given, in
    /// that order, read from `core`. A goroutine whose `g` no longer holds
    /// that id, or holds a dead goroutine, is left out: in a live process
    /// stopped a second time the goroutine may have exited and its `g` been
    /// given to another.
    pub fn read(&self, core: &Image<'_>, goroutines: &[(u64, u64)]) -> Vec<FullBacktrace> {
        let (exe, go) = (self.exe, &self.go);
        let bias = load_bias(core, &self.file);
        let dwarf = self.dwarf.as_ref();
        let image = ProcessImage { core, exe, bias };
        let mut cache = PcCache::default();
        let (_, contexts) = thread_contexts(core, &mut cache, exe, bias);
        goroutines
            .iter()
            .filter_map(|&(goid, gp)| {
                let status = g_status(core, gp, go).filter(|&s| !is_dead(s))?;
                if core.read_u64(gp.wrapping_add(go.goid)) != Some(goid) {
                    return None;
                }
                let sched = (
                    core.read_u64(gp.wrapping_add(go.sched + 8)).unwrap_or(0),
                    core.read_u64(gp.wrapping_add(go.sched)).unwrap_or(0),
                );
                let stack = (
                    core.read_u64(gp).unwrap_or(0),
                    core.read_u64(gp.wrapping_add(8)).unwrap_or(0),
                );
                let frames = stack_start(status, sched, stack, &contexts)
                    .map(|start| walk(&image, &mut cache, dwarf, start))
                    .unwrap_or_default();
                Some(FullBacktrace {
                    goroutine: goid,
                    frames,
                    values_from: if dwarf.is_some() {
                        ValuesFrom::Dwarf
                    } else {
                        ValuesFrom::SpillSlots
                    },
                })
            })
            .collect()
    }
}

fn walk<'e>(
    image: &ProcessImage<'_, 'e>,
    cache: &mut PcCache<'e>,
    dwarf: Option<&DebugVariables<'_>>,
    (mut pc, mut sp, mut exact): (u64, u64, bool),
) -> Vec<FullFrame> {
    let mut out = Vec::new();
    while out.len() < MAX_FRAMES {
        let Some(step) = cache.step(image.exe, image.bias, pc, exact) else {
            break;
        };
        // The canonical frame address: the caller's SP, above the return
        // address; the arguments' spill area starts there.
        let cfa = step.size.map(|s| sp.wrapping_add(s).wrapping_add(8));
        let scopes = match (dwarf, cfa) {
            (Some(d), Some(cfa)) => d
                .frame_variables(step.lookup, cfa, image.bias, image)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        // Scopes run outermost first, frames innermost first: pair them
        // from the physical function inwards.
        let mut scopes = scopes.into_iter().rev().collect::<Vec<_>>();
        let physical = step.frames.len().saturating_sub(1);
        for (i, fr) in step.frames.iter().enumerate() {
            let inlined = i < physical;
            let at = scopes
                .iter()
                .position(|s| s.function == fr.function)
                .or((scopes.len() == step.frames.len()).then_some(0));
            let variables = at
                .map(|k| scopes.remove(k).variables)
                .unwrap_or_default()
                .into_iter()
                .map(|v| FrameVariable {
                    name: v.name,
                    role: if v.parameter {
                        VariableRole::Parameter
                    } else {
                        VariableRole::Local
                    },
                    type_name: v.type_name,
                    value: v.value,
                })
                .collect();
            let argument_words = match (dwarf, cfa, inlined) {
                (None, Some(cfa), false) => image
                    .exe
                    .frame_args(step.lookup, cfa, &|a| image.read_u64(a))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            out.push(FullFrame {
                function: fr.function.to_string(),
                file: fr.file.to_string(),
                line: fr.line,
                inlined,
                variables,
                argument_words,
            });
        }
        if matches!(
            step.name,
            "runtime.goexit" | "runtime.mstart" | "runtime.rt0_go"
        ) {
            break;
        }
        let (Some(size), Some(cfa)) = (step.size, cfa) else {
            break;
        };
        let Some(ret) = image.core.read_u64(sp.wrapping_add(size)) else {
            break;
        };
        sp = cfa;
        pc = ret;
        exact = step.name == "runtime.sigpanic" || step.name == "runtime.asyncPreempt";
        if pc == 0 {
            break;
        }
    }
    out
}
