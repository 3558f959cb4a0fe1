//! The `debug=1` text profiles Go still serves, turned into the same
//! `profile.proto` model:
//!
//! ```text
//! heap profile: 27: 106608 [31: 3514480] @ heap/1048576
//! 1: 4096 [2: 8192] @ 0x4c07cc 0x4c074e
//! #    0x4c07cb    main.alloc+0x2b    /app/main.go:12
//!
//! --- mutex:            (block: --- contention:)
//! cycles/second=2596147947
//! sampling period=1
//! 28179708555 1100 @ 0x6ba165 0x6ba0aa
//! #    0x6ba164    sync.(*Mutex).Unlock+0x44    /go/src/sync/mutex.go:223
//!
//! threadcreate profile: total 4
//! 4 @ 0x0 0x0
//! ```
//!
//! Frame lines (`#\t0xPC\tFUNC+0xOFF\tFILE:LINE`, columns padded with runs of
//! tabs; shown with spaces above) give the symbols; several lines with one PC are an inlining chain.
//! Heap values are unsampled (scaled by the sampling rate of the header's
//! `heap/2·rate`) and contention delays converted from cycles, as
//! `go tool pprof` does, so that both report the same numbers.

use std::collections::HashMap;

use crate::error::ReadError;
use crate::proto;
use crate::view::{Profile, SourceFormat};

struct Builder {
    p: proto::Profile,
    strings: HashMap<String, i64>,
    functions: HashMap<(i64, i64), u64>,
    locations: HashMap<(u64, Vec<(u64, i64)>), u64>,
}

impl Builder {
    fn new() -> Self {
        let mut b = Builder {
            p: proto::Profile::default(),
            strings: HashMap::new(),
            functions: HashMap::new(),
            locations: HashMap::new(),
        };
        b.s("");
        b
    }

    fn s(&mut self, v: &str) -> i64 {
        if let Some(&i) = self.strings.get(v) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(v.to_string());
        self.strings.insert(v.to_string(), i);
        i
    }

    fn sample_type(&mut self, t: &str, u: &str) {
        let vt = proto::ValueType {
            r#type: self.s(t),
            unit: self.s(u),
        };
        self.p.sample_type.push(vt);
    }

    fn function(&mut self, name: &str, file: &str) -> u64 {
        let key = (self.s(name), self.s(file));
        if let Some(&id) = self.functions.get(&key) {
            return id;
        }
        let id = self.p.function.len() as u64 + 1;
        self.p.function.push(proto::Function {
            id,
            name: key.0,
            system_name: key.0,
            filename: key.1,
            start_line: 0,
        });
        self.functions.insert(key, id);
        id
    }

    /// One location per PC with its inlining chain.
    fn location(&mut self, pc: u64, lines: Vec<(u64, i64)>) -> u64 {
        let key = (pc, lines);
        if let Some(&id) = self.locations.get(&key) {
            return id;
        }
        let id = self.p.location.len() as u64 + 1;
        self.p.location.push(proto::Location {
            id,
            mapping_id: 0,
            address: pc,
            line: key
                .1
                .iter()
                .map(|&(function_id, line)| proto::Line {
                    function_id,
                    line,
                    column: 0,
                })
                .collect(),
            is_folded: false,
        });
        self.locations.insert(key, id);
        id
    }
}

/// Heap records are samples: one of average size S was kept with
/// probability 1 - exp(-S/rate), so each is scaled by the inverse.
fn unsample_heap(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    ((count as f64 * scale) as i64, (size as f64 * scale) as i64)
}

/// A record being read: its values, and its frames as (pc, function id, line).
/// A record: its values, its `@` addresses, and its frames as (pc, function
/// id, line) from the `#` lines.
type Record = (Vec<i64>, Vec<u64>, Vec<(u64, u64, i64)>);

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// `#\t0x4c07cb\tmain.alloc+0x2b\t/app/main.go:12` → (pc, function, file, line).
fn frame_line(line: &str) -> Option<(u64, &str, &str, i64)> {
    let rest = line.strip_prefix('#')?;
    let mut parts = rest.split('\t').map(str::trim).filter(|p| !p.is_empty());
    let pc = hex(parts.next()?)?;
    let func = parts.next()?;
    let pos = parts.next()?;
    let function = func.rfind("+0x").map_or(func, |i| &func[..i]);
    let (file, line_no) = pos.rsplit_once(':')?;
    Some((pc, function, file, line_no.parse().ok()?))
}

/// Which legacy format the text is, if any. Returns `None` for protobuf.
/// Bytes of a profile's start that tell a legacy text profile.
pub(crate) const HEAD: usize = 64;

/// The legacy format `data` starts as, if it is one (its first [`HEAD`]
/// bytes decide).
pub(crate) fn format_of(data: &[u8]) -> Option<SourceFormat> {
    let head = &data[..data.len().min(HEAD)];
    let text_start = std::str::from_utf8(head)
        .map(|s| s.trim_start())
        .unwrap_or("");
    if text_start.starts_with("heap profile: ") {
        Some(SourceFormat::LegacyHeap)
    } else if text_start.starts_with("--- mutex:") || text_start.starts_with("--- contention:") {
        Some(SourceFormat::LegacyContention)
    } else if text_start
        .split_once(" profile: total ")
        .is_some_and(|(name, _)| !name.is_empty() && !name.contains(' '))
    {
        Some(SourceFormat::LegacyCount)
    } else {
        None
    }
}

pub(crate) fn read(data: &[u8]) -> Option<Result<Profile, ReadError>> {
    let format = format_of(data)?;
    // A line without its newline was cut: what it says may be a prefix of
    // a larger number, so it is not read.
    let (whole, cut) = match data.iter().rposition(|&b| b == b'\n') {
        Some(i) if i + 1 < data.len() => (&data[..=i], Some(i + 1)),
        None if !data.is_empty() => (&data[..0], Some(0)),
        _ => (data, None),
    };
    let text = String::from_utf8_lossy(whole);
    Some(parse(&text, format).map(|mut p| {
        if let Some(at) = cut {
            p.partial = true;
            p.warnings.push(format!(
                "input ends inside a line at byte {}; the last {} bytes were not read",
                data.len(),
                data.len() - at
            ));
        }
        p
    }))
}

fn parse(text: &str, format: SourceFormat) -> Result<Profile, ReadError> {
    let mut b = Builder::new();
    let mut warnings = Vec::new();
    let mut lines = text.lines().peekable();
    let header = lines.next().unwrap_or("").trim().to_string();
    let mut cycles_per_second: f64 = 0.0;
    let mut sampling_period: i64 = 1;
    match format {
        SourceFormat::LegacyHeap => {
            for (t, u) in [
                ("alloc_objects", "count"),
                ("alloc_space", "bytes"),
                ("inuse_objects", "count"),
                ("inuse_space", "bytes"),
            ] {
                b.sample_type(t, u);
            }
            if let Some(rate) = header
                .rsplit_once("@ heap/")
                .and_then(|(_, r)| r.trim().parse::<i64>().ok())
            {
                b.p.period = rate / 2;
            }
            let pt = proto::ValueType {
                r#type: b.s("space"),
                unit: b.s("bytes"),
            };
            b.p.period_type = Some(pt);
        }
        SourceFormat::LegacyContention => {
            b.sample_type("contentions", "count");
            b.sample_type("delay", "nanoseconds");
            let pt = proto::ValueType {
                r#type: b.s("contentions"),
                unit: b.s("count"),
            };
            b.p.period_type = Some(pt);
            b.p.period = 1;
        }
        _ => {
            let name = header.split(' ').next().unwrap_or("count").to_string();
            b.sample_type(&name, "count");
            let pt = proto::ValueType {
                r#type: b.s(&name),
                unit: b.s("count"),
            };
            b.p.period_type = Some(pt);
            b.p.period = 1;
        }
    }
    // The current record: values, and its frames as (pc, function id, line).
    let mut current: Option<Record> = None;
    let mut offset = header.len() + 1;
    let flush = |b: &mut Builder, cur: &mut Option<Record>| {
        if let Some((values, pcs, frames)) = cur.take() {
            // Consecutive frame lines with one PC are an inlining chain.
            let mut ids = Vec::new();
            // No `#` lines: the addresses alone, for a symboliser (0 is the
            // padding of threadcreate records).
            if frames.is_empty() {
                ids.extend(
                    pcs.iter()
                        .filter(|&&pc| pc != 0)
                        .map(|&pc| b.location(pc, Vec::new())),
                );
            }
            let mut i = 0;
            while i < frames.len() {
                let pc = frames[i].0;
                let mut chain = Vec::new();
                while i < frames.len() && frames[i].0 == pc {
                    chain.push((frames[i].1, frames[i].2));
                    i += 1;
                }
                ids.push(b.location(pc, chain));
            }
            b.p.sample.push(proto::Sample {
                location_id: ids,
                value: values,
                label: Vec::new(),
            });
        }
    };
    for line in lines {
        let line_offset = offset;
        offset += line.len() + 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with("# runtime.MemStats") {
            break;
        }
        if let Some(v) = t.strip_prefix("cycles/second=") {
            cycles_per_second = v.trim().parse().unwrap_or(0.0);
            continue;
        }
        if let Some(v) = t.strip_prefix("sampling period=") {
            sampling_period = v.trim().parse().unwrap_or(1);
            continue;
        }
        if t.starts_with('#') {
            if let Some((pc, func, file, line_no)) = frame_line(t) {
                let fid = b.function(func, file);
                if let Some((_, _, frames)) = current.as_mut() {
                    frames.push((pc, fid, line_no));
                }
            }
            continue;
        }
        let Some((head, pcs)) = t.split_once(" @") else {
            warnings.push(format!(
                "line at byte {line_offset} not understood: {t:.60}"
            ));
            continue;
        };
        let values: Option<Vec<i64>> = match format {
            SourceFormat::LegacyHeap => {
                // `inuse_objs: inuse_bytes [alloc_objs: alloc_bytes]`
                let nums: Vec<i64> = head
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| s.parse().ok())
                    .collect();
                // Unsampled as go tool pprof does: each record was kept
                // with probability 1 - exp(-size/rate).
                let rate = b.p.period;
                (nums.len() == 4).then(|| {
                    let (alloc_n, alloc_b) = unsample_heap(nums[2], nums[3], rate);
                    let (inuse_n, inuse_b) = unsample_heap(nums[0], nums[1], rate);
                    vec![alloc_n, alloc_b, inuse_n, inuse_b]
                })
            }
            SourceFormat::LegacyContention => {
                let mut it = head
                    .split_whitespace()
                    .filter_map(|s| s.parse::<i64>().ok());
                match (it.next(), it.next()) {
                    (Some(cycles), Some(count)) => {
                        // Cycles to nanoseconds, both scaled by the sampling
                        // period (the arithmetic of go tool pprof).
                        let ns = if cycles_per_second > 0.0 {
                            (cycles as f64 * sampling_period as f64 / (cycles_per_second / 1e9))
                                as i64
                        } else {
                            cycles
                        };
                        Some(vec![count.saturating_mul(sampling_period), ns])
                    }
                    _ => None,
                }
            }
            _ => head.trim().parse().ok().map(|n| vec![n]),
        };
        match values {
            Some(v) => {
                flush(&mut b, &mut current);
                let pcs = pcs.split_whitespace().filter_map(hex).collect();
                current = Some((v, pcs, Vec::new()));
            }
            None => warnings.push(format!(
                "record at byte {line_offset} not understood: {t:.60}"
            )),
        }
    }
    flush(&mut b, &mut current);
    if format == SourceFormat::LegacyContention && cycles_per_second == 0.0 {
        warnings.push("no cycles/second line: delays are in CPU cycles, not nanoseconds".into());
    }
    let mut p = Profile::new(b.p, format, false, warnings);
    p.legacy_header = Some(header);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Granularity;
    use crate::view::ProfileKind;

    #[test]
    fn heap_text() {
        let t = "heap profile: 3: 300 [5: 500] @ heap/1048576\n2: 200 [3: 300] @ 0x10 0x20\n#\t0xf\tmain.alloc+0x2b\t\t/app/main.go:12\n#\t0x1f\tmain.main+0x1\t\t/app/main.go:20\n\n1: 100 [2: 200] @ 0x30\n#\t0x2f\tmain.other+0x2\t/app/main.go:30\n\n# runtime.MemStats\n# Alloc = 1\n";
        let p = read(t.as_bytes()).unwrap().unwrap();
        assert_eq!(p.kind(), ProfileKind::Heap);
        let inuse = p.sample_index("inuse_space").unwrap();
        // 2 objects of 100 bytes at rate 524288: scaled by 1/(1-exp(-100/524288)).
        let scale = 1.0 / (1.0 - (-100.0f64 / 524288.0).exp());
        let top = p.top(inuse, Granularity::Line);
        assert_eq!((&*top[0].function, top[0].line), ("main.alloc", 12));
        assert_eq!(top[0].flat, (200.0 * scale) as i64);
    }

    #[test]
    fn contention_text() {
        let t = "--- mutex:\ncycles/second=1000000000\nsampling period=1\n5000 10 @ 0x1\n#\t0x0\tsync.(*Mutex).Unlock+0x44\t/go/src/sync/mutex.go:223\n#\t0x0\tmain.work+0x1\t/app/main.go:9\n";
        let p = read(t.as_bytes()).unwrap().unwrap();
        assert_eq!(p.kind(), ProfileKind::Mutex);
        assert_eq!(p.total(1), 5000);
        // Two lines with one PC: an inlining chain in one location.
        assert_eq!(p.raw.location.len(), 1);
        let t = t.replace("--- mutex:", "--- contention:");
        assert_eq!(
            read(t.as_bytes()).unwrap().unwrap().kind(),
            ProfileKind::Block
        );
    }

    #[test]
    fn count_text() {
        let t = "threadcreate profile: total 4\n4 @ 0x0 0x0\n";
        let p = read(t.as_bytes()).unwrap().unwrap();
        assert_eq!(p.kind(), ProfileKind::ThreadCreate);
        assert_eq!(p.total(0), 4);
    }
}
