//! Loading one generation: its batches (borrowed), string and stack tables, CPU samples
//! and clock. Batches of a generation arrive in no particular order, so the whole
//! generation is read before any event is ordered.

use crate::spec::{ev, WireVersion};
use crate::tables::{Frame, StackId, StrId, Tables};
use crate::wire::{self, Batch, Item, MAX_FRAMES, MAX_STRING_SIZE};
use crate::Error;
use godiag_model::group::FxMap;

/// Nanoseconds per tick on every OS but Windows (`nanotime()/64`).
pub const DEFAULT_NS_PER_TICK: f64 = 64.0;

#[derive(Clone, Copy, Debug, Default)]
pub struct ClockSnapshot {
    /// Trace time (ns) of the snapshot.
    pub trace: u64,
    pub mono: u64,
    pub wall_sec: u64,
    pub wall_nsec: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct CpuSample {
    pub time: u64,
    pub m: i64,
    pub p: i64,
    pub g: i64,
    pub stack: StackId,
}

/// A generation's table IDs (strings, stacks) mapped to trace-wide ones. The runtime
/// numbers them 1, 2, 3, …, so small IDs index a vector; larger ones, which only
/// damaged or hostile input has, go to a map instead of growing the vector.
#[derive(Default)]
pub struct IdMap {
    dense: Vec<u32>,
    sparse: FxMap<u64, u32>,
}

/// IDs below this are held in the vector (at most 4 MiB of it).
const DENSE_IDS: u64 = 1 << 20;
const ABSENT: u32 = u32::MAX;

impl IdMap {
    #[inline]
    pub fn get(&self, id: u64) -> Option<u32> {
        if id < DENSE_IDS {
            self.dense
                .get(id as usize)
                .copied()
                .filter(|&v| v != ABSENT)
        } else {
            self.sparse.get(&id).copied()
        }
    }

    /// False if `id` was already mapped.
    pub fn insert(&mut self, id: u64, value: u32) -> bool {
        if id < DENSE_IDS {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, ABSENT);
            }
            let fresh = self.dense[i] == ABSENT;
            if fresh {
                self.dense[i] = value;
            }
            fresh
        } else {
            self.sparse.insert(id, value).is_none()
        }
    }
}

pub struct Generation<'a> {
    pub gen: u64,
    /// Event batches per M, in file order, Ms in order of first appearance.
    pub batches: Vec<(i64, Vec<Batch<'a>>)>,
    pub cpu_samples: Vec<CpuSample>,
    pub min_ts: u64,
    /// Nanoseconds per tick.
    pub freq: f64,
    pub clock: Option<ClockSnapshot>,
    pub experimental_batches: usize,
    pub strings: IdMap,
    pub stacks: IdMap,
    /// Where the generation starts and ends in the input.
    pub start: u64,
    pub end: u64,
    /// Read from a trace cut short: tables may be missing, IDs resolve leniently.
    pub incomplete: bool,
}

impl Generation<'_> {
    pub fn ts(&self, ticks: u64) -> u64 {
        (ticks as f64 * self.freq) as u64
    }
}

/// Accumulates the batches of one generation.
pub struct Loader<'a> {
    version: WireVersion,
    gen: u64,
    batches: Vec<(i64, Vec<Batch<'a>>)>,
    m_index: FxMap<i64, usize>,
    raw_samples: Vec<CpuSample>,
    min_ts: u64,
    freq_ticks: Option<u64>,
    /// The clock snapshot as read: its `trace` time still in ticks.
    clock: Option<ClockSnapshot>,
    experimental: usize,
    string_batches: Vec<Batch<'a>>,
    stack_batches: Vec<Batch<'a>>,
    start: u64,
}

impl<'a> Loader<'a> {
    pub fn new(version: WireVersion, start: u64) -> Loader<'a> {
        Loader {
            version,
            gen: 0,
            batches: Vec::new(),
            m_index: FxMap::default(),
            raw_samples: Vec::new(),
            min_ts: 0,
            freq_ticks: None,
            clock: None,
            experimental: 0,
            string_batches: Vec::new(),
            stack_batches: Vec::new(),
            start,
        }
    }

    pub fn gen(&self) -> u64 {
        self.gen
    }

    pub fn is_empty(&self) -> bool {
        self.gen == 0
    }

    pub fn add(&mut self, b: Batch<'a>) -> Result<(), Error> {
        if self.gen == 0 {
            self.gen = b.gen;
        }
        if self.min_ts == 0 || b.time < self.min_ts {
            self.min_ts = b.time;
        }
        if b.exp != 0 {
            self.experimental += 1;
        } else if b.is_strings() {
            self.string_batches.push(b);
        } else if b.is_stacks() {
            self.stack_batches.push(b);
        } else if b.is_cpu_samples() {
            read_cpu_samples(&b, &mut self.raw_samples)?;
        } else if b.is_sync(self.version) {
            self.read_sync(&b)?;
        } else if b.data.first() == Some(&ev::END_OF_GENERATION) {
            return Err(Error::at(b.offset, "end-of-generation inside a batch"));
        } else {
            let i = *self.m_index.entry(b.m).or_insert_with(|| {
                self.batches.push((b.m, Vec::new()));
                self.batches.len() - 1
            });
            self.batches[i].1.push(b);
        }
        Ok(())
    }

    fn read_sync(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let d = b.data;
        let mut p = 0;
        if self.version.has_sync_batch() {
            p = 1; // the EvSync byte
        }
        let mut last = b.time;
        while p < d.len() {
            let at = b.offset + p as u64;
            let typ = d[p];
            p += 1;
            let mut next = || {
                wire::uvarint(d, &mut p).ok_or_else(|| Error::at(at, "bad varint in sync batch"))
            };
            match typ {
                ev::FREQUENCY => {
                    if self.freq_ticks.is_some() {
                        return Err(Error::at(at, "found multiple frequency events"));
                    }
                    self.freq_ticks = Some(next()?);
                }
                ev::CLOCK_SNAPSHOT if self.version.has_sync_batch() => {
                    if self.clock.is_some() {
                        return Err(Error::at(at, "found multiple clock snapshot events"));
                    }
                    last = last.wrapping_add(next()?);
                    let mono = next()?;
                    let sec = next()?;
                    let nsec = next()?;
                    self.clock = Some(ClockSnapshot {
                        trace: last,
                        mono,
                        wall_sec: sec,
                        wall_nsec: nsec,
                    });
                }
                other => {
                    return Err(Error::at(
                        at,
                        format!("expected frequency or clock snapshot event, got {other}"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// What a complete generation has and this one lacks: its clock (a frequency
    /// event, and from 1.25 a clock snapshot), which the runtime writes last.
    pub fn missing_clock(&self) -> Option<&'static str> {
        if self.freq_ticks.is_none() {
            Some("no frequency event found")
        } else if self.version.has_sync_batch() && self.clock.is_none() {
            Some("no clock snapshot event found")
        } else {
            None
        }
    }

    /// Finishes the generation: checks the clock, resolves the tables into `tables`.
    /// `incomplete` relaxes what a trace cut short cannot have (clock, tables);
    /// `prev_freq` then stands in for a missing frequency.
    pub fn finish(
        self,
        tables: &mut Tables,
        end: u64,
        incomplete: bool,
        prev_freq: Option<f64>,
    ) -> Result<Generation<'a>, Error> {
        let freq = match self.freq_ticks {
            Some(f) => 1.0 / (f as f64 / 1e9),
            None if incomplete => prev_freq.unwrap_or(DEFAULT_NS_PER_TICK),
            None => return Err(Error::at(self.start, "no frequency event found")),
        };
        if self.version.has_sync_batch() && self.clock.is_none() && !incomplete {
            return Err(Error::at(self.start, "no clock snapshot event found"));
        }
        let mut strings = IdMap::default();
        for b in &self.string_batches {
            read_strings(b, tables, &mut strings)?;
        }
        let mut stacks = IdMap::default();
        let mut pcs: FxMap<u64, u32> = FxMap::default();
        for b in &self.stack_batches {
            read_stacks(b, tables, &strings, &mut pcs, &mut stacks, incomplete)?;
        }
        let mut cpu_samples = self.raw_samples;
        for s in &mut cpu_samples {
            s.time = (s.time as f64 * freq) as u64;
            // Sample stacks are local IDs until now.
            s.stack = stacks.get(u64::from(s.stack)).unwrap_or(0);
        }
        cpu_samples.sort_by_key(|s| s.time);
        let clock = self.clock.map(|c| ClockSnapshot {
            trace: (c.trace as f64 * freq) as u64,
            ..c
        });
        Ok(Generation {
            gen: self.gen,
            batches: self.batches,
            cpu_samples,
            min_ts: self.min_ts,
            freq,
            clock,
            experimental_batches: self.experimental,
            strings,
            stacks,
            start: self.start,
            end,
            incomplete,
        })
    }
}

fn read_strings(b: &Batch, tables: &mut Tables, out: &mut IdMap) -> Result<(), Error> {
    let d = b.data;
    let mut p = 1;
    while p < d.len() {
        let at = b.offset + p as u64;
        if d[p] != ev::STRING {
            return Err(Error::at(
                at,
                format!("expected string event, got {}", d[p]),
            ));
        }
        p += 1;
        let bad = || Error::at(at, "bad varint in string table");
        let id = wire::uvarint(d, &mut p).ok_or_else(bad)?;
        let len = wire::uvarint(d, &mut p).ok_or_else(bad)?;
        if len > MAX_STRING_SIZE {
            return Err(Error::at(
                at,
                format!("invalid string size {len}, maximum is {MAX_STRING_SIZE}"),
            ));
        }
        let bytes = d.get(p..p + len as usize).ok_or_else(|| {
            Error::at(
                at,
                format!("failed to read full string: wanted {len} bytes"),
            )
        })?;
        p += len as usize;
        let sid = tables.intern(&String::from_utf8_lossy(bytes));
        if id == 0 || !out.insert(id, sid) {
            return Err(Error::at(at, format!("duplicate or zero string ID {id}")));
        }
    }
    Ok(())
}

fn read_stacks(
    b: &Batch,
    tables: &mut Tables,
    strings: &IdMap,
    pcs: &mut FxMap<u64, u32>,
    out: &mut IdMap,
    lenient: bool,
) -> Result<(), Error> {
    let d = b.data;
    let mut p = 1;
    let mut frames: Vec<u32> = Vec::new();
    while p < d.len() {
        let at = b.offset + p as u64;
        if d[p] != ev::STACK {
            return Err(Error::at(at, format!("expected stack event, got {}", d[p])));
        }
        p += 1;
        let bad = || Error::at(at, "bad varint in stack table");
        let id = wire::uvarint(d, &mut p).ok_or_else(bad)?;
        let n = wire::uvarint(d, &mut p).ok_or_else(bad)?;
        if n > MAX_FRAMES {
            return Err(Error::at(
                at,
                format!("invalid stack size {n}, maximum is {MAX_FRAMES}"),
            ));
        }
        frames.clear();
        for _ in 0..n {
            let pc = wire::uvarint(d, &mut p).ok_or_else(bad)?;
            let func = wire::uvarint(d, &mut p).ok_or_else(bad)?;
            let file = wire::uvarint(d, &mut p).ok_or_else(bad)?;
            let line = wire::uvarint(d, &mut p).ok_or_else(bad)?;
            // The first definition of a PC in a generation wins, as in Go's reader.
            let fid = match pcs.get(&pc) {
                Some(&f) => f,
                None => {
                    let resolve = |sid: u64, what: &str| -> Result<StrId, Error> {
                        match strings.get(sid) {
                            Some(s) => Ok(s),
                            None if sid == 0 || lenient => Ok(0),
                            None => Err(Error::at(
                                at,
                                format!("found invalid {what} string ID {sid} for stack {id}"),
                            )),
                        }
                    };
                    let frame = Frame {
                        pc,
                        func: resolve(func, "func")?,
                        file: resolve(file, "file")?,
                        line,
                    };
                    let f = tables.intern_frame(frame);
                    pcs.insert(pc, f);
                    f
                }
            };
            frames.push(fid);
        }
        let sid = tables.intern_stack(&frames);
        if id == 0 || !out.insert(id, sid) {
            return Err(Error::at(at, format!("duplicate or zero stack ID {id}")));
        }
    }
    Ok(())
}

fn read_cpu_samples(b: &Batch, out: &mut Vec<CpuSample>) -> Result<(), Error> {
    let d = b.data;
    let mut p = 1;
    while p < d.len() {
        let at = b.offset + p as u64;
        if d[p] != ev::CPU_SAMPLE {
            return Err(Error::at(
                at,
                format!("expected CPU sample event, got {}", d[p]),
            ));
        }
        p += 1;
        let mut next =
            || wire::uvarint(d, &mut p).ok_or_else(|| Error::at(at, "bad varint in CPU sample"));
        let time = next()?;
        let m = next()? as i64;
        let p_ = next()? as i64;
        let g = next()?;
        let stack = next()?;
        out.push(CpuSample {
            time,
            m,
            p: p_,
            g: if g == 0 { -1 } else { g as i64 },
            // A local ID until the stack table is read; IDs above u32 resolve to none.
            stack: u32::try_from(stack).unwrap_or(0),
        });
    }
    Ok(())
}

/// Reads items until the generation ends. Returns the loader, the position after it,
/// and the batch of the next generation if that is how this one ended (before 1.26).
pub enum GenEnd<'a> {
    /// The 1.26 end-of-generation byte, or (before 1.26) the next generation's first batch.
    Complete(Option<Batch<'a>>),
    /// End of input after a complete generation (before 1.26 this is the normal end).
    Eof,
    /// The input ended inside the generation (1.26), or a batch was cut short.
    Truncated(Error),
}

pub fn read_generation<'a>(
    data: &'a [u8],
    pos: &mut usize,
    version: WireVersion,
    loader: &mut Loader<'a>,
) -> Result<GenEnd<'a>, Error> {
    loop {
        let before = *pos;
        let item = match wire::read_item(data, pos) {
            Ok(Some(item)) => item,
            Ok(None) => {
                if version.has_end_of_generation() && !loader.is_empty() {
                    return Ok(GenEnd::Truncated(Error::truncated(
                        before as u64,
                        "incomplete generation found; trace likely truncated",
                    )));
                }
                return Ok(GenEnd::Eof);
            }
            Err(e) if e.is_truncated() => return Ok(GenEnd::Truncated(e)),
            Err(e) => return Err(e),
        };
        match item {
            Item::EndOfGeneration => {
                if version.has_end_of_generation() {
                    return Ok(GenEnd::Complete(None));
                }
                return Err(Error::at(
                    before as u64,
                    "end-of-generation byte before Go 1.26",
                ));
            }
            Item::Batch(b) => {
                if b.gen == 0 {
                    return Err(Error::at(before as u64, "invalid generation number 0"));
                }
                if !loader.is_empty() && b.gen != loader.gen() {
                    if !version.has_end_of_generation() && b.gen == loader.gen() + 1 {
                        return Ok(GenEnd::Complete(Some(b)));
                    }
                    let msg = if version.has_end_of_generation() {
                        "broken trace: missing end-of-generation event, or generations are interleaved"
                    } else {
                        "generations out of order"
                    };
                    return Err(Error::at(before as u64, msg));
                }
                loader.add(b)?;
            }
        }
    }
}
