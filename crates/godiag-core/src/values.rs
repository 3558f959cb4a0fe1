//! Go values a report wants from a goroutine: its profiler labels
//! (`pprof.Do`) and the values of the panics in progress, read from memory
//! with the layouts of [`crate::layout`].

use std::borrow::Cow;

use godiag_exe::{GoExecutable, Memory};
use godiag_model::Label;

use crate::image::{Image, ProcessImage};
use crate::layout::Layout;
use crate::waits::WaitReader;

/// Longest string read, and most labels or panics followed.
const MAX_STRING: usize = 4096;
const MAX_ITEMS: usize = 64;

/// A Go string from its header: in the core (heap, stack) or, for
/// constants, in the executable's read-only data.
pub(crate) fn string(
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    ptr: u64,
    len: u64,
) -> Option<String> {
    let len = usize::try_from(len).ok().filter(|&n| n <= MAX_STRING)?;
    if len == 0 {
        return Some(String::new());
    }
    let image = ProcessImage { core, exe, bias };
    let bytes = image.read(ptr, len)?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The string header (pointer, length) at `at`: in the core, or in the
/// executable's read-only data (a constant converted to an interface, as
/// in `panic("...")`, points at a static header there, which a core does
/// not hold).
fn string_at(core: &Image<'_>, exe: &GoExecutable<'_>, bias: u64, at: u64) -> Option<String> {
    let image = ProcessImage { core, exe, bias };
    let ptr = image.read_u64(at)?;
    let len = image.read_u64(at.wrapping_add(8))?;
    string(core, exe, bias, ptr, len)
}

/// The goroutine's profiler labels. Go 1.24+ points `g.labels` at a slice
/// of key/value string pairs; earlier versions at a `map[string]string`
/// variable, read here bucket by bucket (8 entries each: tophash bytes,
/// keys, values, overflow).
pub(crate) fn labels(
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    layout: &Layout,
    minor: Option<u32>,
    gp: u64,
) -> Vec<Label<'static>> {
    let Some(m) = core
        .read_u64(gp.wrapping_add(layout.g.labels))
        .filter(|&m| m != 0)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |kv: u64| {
        if let (Some(k), Some(v)) = (
            string_at(core, exe, bias, kv),
            string_at(core, exe, bias, kv.wrapping_add(16)),
        ) {
            out.push(Label {
                key: Cow::Owned(k),
                value: Cow::Owned(v),
            });
        }
    };
    if minor.is_none_or(|m| m >= 24) {
        let (Some(list), Some(n)) = (core.read_u64(m), core.read_u64(m.wrapping_add(8))) else {
            return Vec::new();
        };
        for i in 0..n.min(MAX_ITEMS as u64) {
            push(list.wrapping_add(32 * i));
        }
        return out;
    }
    // `g.labels` points at a map variable, which points at the hmap: count
    // @0, B @9, buckets @16. A bucket of map[string]string is 8 tophash
    // bytes, 8 keys, 8 values, then the overflow pointer.
    let Some(h) = core.read_u64(m) else {
        return Vec::new();
    };
    let (Some(b), Some(buckets)) = (
        core.read(h.wrapping_add(9), 1),
        core.read_u64(h.wrapping_add(16)),
    ) else {
        return Vec::new();
    };
    let nbuckets = 1u64 << b[0].min(6);
    for i in 0..nbuckets {
        let mut bucket = buckets.wrapping_add(272 * i);
        for _ in 0..8 {
            if bucket == 0 || out.len() >= MAX_ITEMS {
                break;
            }
            let Some(tophash) = core.read(bucket, 8) else {
                break;
            };
            for (slot, &top) in tophash.iter().enumerate() {
                // 0–4 mark empty or evacuated slots.
                if top > 4 {
                    let key = bucket.wrapping_add(8 + 16 * slot as u64);
                    if let (Some(k), Some(v)) = (
                        string_at(core, exe, bias, key),
                        string_at(core, exe, bias, key.wrapping_add(128)),
                    ) {
                        out.push(Label {
                            key: Cow::Owned(k),
                            value: Cow::Owned(v),
                        });
                    }
                }
            }
            bucket = core.read_u64(bucket.wrapping_add(264)).unwrap_or(0);
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The values of the goroutine's panics, oldest first, each with whether it
/// was recovered: what `panic: ...` printed. Strings, errors made by
/// `errors.New`/`fmt.Errorf` (their first field is the message), the
/// runtime's string errors and integers are spelled out; other values are
/// named by their type (their `Error` method cannot run on a core).
pub(crate) fn panics(
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    layout: &Layout,
    types: &WaitReader<'_, '_>,
    gp: u64,
) -> Vec<(String, bool)> {
    let p = layout.panic;
    let mut out = Vec::new();
    let mut at = core.read_u64(gp.wrapping_add(layout.g.panic)).unwrap_or(0);
    while at != 0 && out.len() < MAX_ITEMS {
        let ty = core.read_u64(at.wrapping_add(p.arg)).unwrap_or(0);
        let data = core.read_u64(at.wrapping_add(p.arg + 8)).unwrap_or(0);
        let recovered = core
            .read(at.wrapping_add(p.recovered), 1)
            .is_some_and(|b| b[0] != 0);
        if ty != 0 {
            let name = types.type_name(ty).unwrap_or_else(|| "?".into());
            // An interface holds pointers as they are and other values
            // behind a pointer: either way `data` addresses the struct or
            // string whose first field is the message.
            let value = match name.as_str() {
                "string"
                | "runtime.plainError"
                | "*errors.errorString"
                | "*fmt.wrapError"
                | "*fmt.wrapErrors" => string_at(core, exe, bias, data),
                "runtime.errorString" => {
                    string_at(core, exe, bias, data).map(|s| format!("runtime error: {s}"))
                }
                "int" | "int64" => ProcessImage { core, exe, bias }
                    .read_u64(data)
                    .map(|v| (v as i64).to_string()),
                _ => None,
            };
            out.push((
                value.unwrap_or_else(|| format!("a value of type {name}")),
                recovered,
            ));
        }
        at = core.read_u64(at.wrapping_add(p.link)).unwrap_or(0);
    }
    out.reverse();
    out
}
