//! The streaming reader: one generation in memory at a time, events out in order.

use crate::event::{Event, NO_GOROUTINE, NO_PROC, NO_THREAD};
use crate::generation::{self, GenEnd, Generation, Loader};
use crate::order::Ordering;
use crate::spec::{self, ev, WireVersion};
use crate::tables::Tables;
use crate::wire::{self, Batch, Header};
use crate::Error;

/// How to treat a trace that ends early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Go's verdicts: an incomplete last generation is an error (what
    /// `go tool trace` reports); the conformance tests use this.
    Strict,
    /// Also yield what can be ordered of an incomplete last generation (a program that
    /// crashed while tracing), then report the truncation.
    Salvage,
}

struct Cursor {
    m: i64,
    /// The thread's slot in the ordering.
    slot: usize,
    /// Index into the generation's per-M batch lists.
    list: usize,
    idx: usize,
    off: usize,
    last_ts: u64,
    ev: Event,
    /// Offset of `ev` in the input, for errors.
    at: u64,
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    version: WireVersion,
    mode: Mode,
    tables: Tables,
    order: Ordering,
    gen: Option<Generation<'a>>,
    frontier: Vec<Cursor>,
    cpu: std::collections::VecDeque<generation::CpuSample>,
    last_ts: u64,
    syncs: u64,
    spill: Option<Batch<'a>>,
    /// An error to report once the events before it are out.
    pending: Option<Error>,
    started: bool,
    finished: bool,
    /// The truncation or damage that ended the trace, once met.
    ended_by: Option<Error>,
    generations: u64,
    first_gen: u64,
    events: u64,
}

impl<'a> Reader<'a> {
    /// Reads the header. Older (v1) traces are recognised and refused with a clear error.
    pub fn new(data: &'a [u8], mode: Mode) -> Result<Reader<'a>, Error> {
        let version = match wire::read_header(data) {
            Some(Header::V2(v)) => v,
            Some(Header::V1(minor)) if minor > 21 => {
                return Err(Error::at(
                    0,
                    format!(
                        "execution trace format go 1.{minor} is newer than this build of godiag reads (the formats of Go 1.22 to 1.27)"
                    ),
                ))
            }
            Some(Header::V1(minor)) => {
                return Err(Error::at(
                    0,
                    format!(
                        "execution trace format go 1.{minor} (written by Go 1.21 or older) is not supported; Go 1.22 and later are"
                    ),
                ))
            }
            None => {
                return Err(Error::at(0, "bad file format: not a Go execution trace"));
            }
        };
        Ok(Reader {
            data,
            pos: wire::HEADER_LEN,
            version,
            mode,
            tables: Tables::new(),
            order: Ordering::new(),
            gen: None,
            frontier: Vec::new(),
            cpu: Default::default(),
            last_ts: 0,
            syncs: 0,
            spill: None,
            pending: None,
            started: false,
            finished: false,
            ended_by: None,
            generations: 0,
            first_gen: 0,
            events: 0,
        })
    }

    pub fn version(&self) -> WireVersion {
        self.version
    }
    pub fn tables(&self) -> &Tables {
        &self.tables
    }
    /// Generations read so far (including an incomplete last one).
    pub fn generations(&self) -> u64 {
        self.generations
    }
    /// The number of the first generation (above 1 for a flight-recorder snapshot).
    pub fn first_generation(&self) -> u64 {
        self.first_gen
    }
    /// Events handed out so far.
    /// How far into the trace the reader got (it reads a generation at a
    /// time, ahead of the events it hands out).
    pub fn bytes_read(&self) -> u64 {
        self.pos as u64
    }

    pub fn events(&self) -> u64 {
        self.events
    }
    /// Time of the last event handed out (ns on the trace clock).
    pub fn last_time(&self) -> u64 {
        self.last_ts
    }
    /// What cut the trace short, if something did.
    pub fn ended_by(&self) -> Option<&Error> {
        self.ended_by.as_ref()
    }
    /// Whether the current generation was read from a trace cut short.
    pub fn in_incomplete_generation(&self) -> bool {
        self.gen.as_ref().is_some_and(|g| g.incomplete)
    }
    /// Goroutines known to the ordering and their states (at the point reached).
    pub fn goroutine_states(&self) -> impl Iterator<Item = (i64, crate::event::GoState)> + '_ {
        self.order.goroutine_statuses()
    }

    #[inline]
    fn finalize(&mut self, mut e: Event) -> Event {
        if e.time <= self.last_ts {
            e.time = self.last_ts.saturating_add(1);
        }
        self.last_ts = e.time;
        self.events += 1;
        e
    }

    fn sync_event(&mut self, time: u64, clock: Option<generation::ClockSnapshot>) -> Event {
        self.syncs += 1;
        let mut e = Event {
            time,
            m: NO_THREAD,
            p: NO_PROC,
            g: NO_GOROUTINE,
            typ: ev::READER_SYNC,
            args: [self.syncs, 0, 0, 0],
            extra: [0; 2],
        };
        if let Some(c) = clock {
            e.args[1] = 1;
            e.args[2] = c.trace;
            e.args[3] = c.mono;
            e.extra[0] = c.wall_sec;
            e.extra[1] = c.wall_nsec;
        }
        self.finalize(e)
    }

    /// The next event in order; `Ok(None)` at the end. After an error, `Ok(None)`.
    pub fn next_event(&mut self) -> Result<Option<Event>, Error> {
        loop {
            if let Some(e) = self.order.queue.pop_front() {
                return Ok(Some(self.finalize(e)));
            }
            if self.finished {
                return Ok(None);
            }
            if self.frontier.is_empty() && self.cpu.is_empty() {
                if let Some(err) = self.pending.take() {
                    self.finished = true;
                    self.ended_by = Some(err.clone());
                    return Err(err);
                }
                return self.next_generation().map(Some);
            }
            if let Some(s) = self.cpu.front() {
                if self.frontier.is_empty() || s.time < self.frontier[0].ev.time {
                    let s = *self.cpu.front().expect("checked above");
                    self.cpu.pop_front();
                    let e = Event {
                        time: s.time,
                        m: s.m,
                        p: s.p,
                        g: s.g,
                        typ: ev::CPU_SAMPLE,
                        args: [u64::from(s.stack), 0, 0, 0],
                        extra: [0; 2],
                    };
                    return Ok(Some(self.finalize(e)));
                }
            }
            if let Err(e) = self.step() {
                return self.fail(e);
            }
        }
    }

    /// Ends the stream with `err` (or, in an incomplete generation, a truncation).
    fn fail(&mut self, err: Error) -> Result<Option<Event>, Error> {
        self.finished = true;
        self.frontier.clear();
        self.cpu.clear();
        let incomplete = self.in_incomplete_generation();
        let err = match self.pending.take() {
            // Ordering stopped inside the generation that was cut: the cut is the cause.
            Some(cut) if incomplete => Error::truncated(
                cut.offset(),
                format!(
                    "{}; ordering stopped there: {}",
                    cut.message(),
                    err.message()
                ),
            ),
            _ => err,
        };
        self.ended_by = Some(err.clone());
        if !self.order.queue.is_empty() {
            // Hand out what already happened first.
            self.pending = Some(err);
            self.finished = false;
            return self.drain_then_fail();
        }
        Err(err)
    }

    fn drain_then_fail(&mut self) -> Result<Option<Event>, Error> {
        if let Some(e) = self.order.queue.pop_front() {
            return Ok(Some(self.finalize(e)));
        }
        self.finished = true;
        Err(self
            .pending
            .take()
            .unwrap_or_else(|| Error::at(0, "trace ended")))
    }

    /// Lets one event happen: the earliest ready event of any thread.
    fn step(&mut self) -> Result<(), Error> {
        let Some(gen_no) = self.gen.as_ref().map(|g| g.gen) else {
            return Err(Error::at(self.pos as u64, "broken trace: no generation"));
        };
        if self.try_advance(0, gen_no)? {
            return Ok(());
        }
        // The earliest event is not ready: try the others, earliest first.
        self.frontier.sort_by_key(|c| c.ev.time);
        for i in 1..self.frontier.len() {
            if self.try_advance(i, gen_no)? {
                return Ok(());
            }
        }
        let c = &self.frontier[0];
        let what = spec::spec(c.ev.typ).map_or("?", |s| s.name);
        Err(Error::at(
            c.at,
            format!(
                "broken trace: failed to advance: no thread's next event can happen (generation {gen_no}; earliest: M {} {what} at {})",
                c.m, c.ev.time
            ),
        ))
    }

    fn try_advance(&mut self, i: usize, gen_no: u64) -> Result<bool, Error> {
        let c = &self.frontier[i];
        if !self.order.advance(&c.ev, c.at, gen_no, Some(c.slot))? {
            return Ok(false);
        }
        let more = self.next_in_cursor(i)?;
        if more {
            heap_fix(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    /// Decodes the cursor's next event; false when its batches are exhausted.
    fn next_in_cursor(&mut self, i: usize) -> Result<bool, Error> {
        let gen = self
            .gen
            .as_ref()
            .expect("a generation is loaded while cursors exist");
        let c = &mut self.frontier[i];
        let batches = &gen.batches[c.list].1;
        while c.idx < batches.len() && batches[c.idx].data.len() == c.off {
            c.idx += 1;
            c.off = 0;
            c.last_ts = 0;
        }
        let Some(b) = batches.get(c.idx) else {
            return Ok(false);
        };
        if c.last_ts == 0 {
            c.last_ts = gen.ts(b.time);
        }
        let at = b.offset + c.off as u64;
        let n = decode_event(
            &b.data[c.off..],
            at,
            gen,
            self.version,
            self.mode,
            &mut c.ev,
        )?;
        c.at = at;
        c.off += n;
        c.ev.time = gen.ts(c.ev.time).wrapping_add(c.last_ts);
        c.ev.m = c.m;
        c.last_ts = c.ev.time;
        Ok(true)
    }

    /// Loads the next generation and returns its Sync event, or the final Sync.
    fn next_generation(&mut self) -> Result<Event, Error> {
        let start = self.pos;
        if self.started && self.spill.is_none() && !self.version.has_end_of_generation() {
            // Before 1.26 the last generation ends at the end of the input.
            self.finished = true;
            let t = self.last_ts;
            return Ok(self.sync_event(t, None));
        }
        self.started = true;
        let mut loader = Loader::new(self.version, start as u64);
        if let Some(b) = self.spill.take() {
            loader.add(b)?;
        }
        let end = generation::read_generation(self.data, &mut self.pos, self.version, &mut loader);
        let end = match end {
            Ok(e) => e,
            Err(e) => {
                // Damage: report it after a Sync, as Go does.
                self.pending = Some(e);
                let t = self.last_ts;
                return Ok(self.sync_event(t, None));
            }
        };
        let (complete, cut) = match end {
            GenEnd::Complete(spill) => {
                self.spill = spill;
                (true, None)
            }
            GenEnd::Eof => {
                if loader.is_empty() {
                    self.finished = true;
                    let t = self.last_ts;
                    return Ok(self.sync_event(t, None));
                }
                (true, None)
            }
            GenEnd::Truncated(e) => (false, Some(e)),
        };
        let prev_freq = self.gen.as_ref().map(|g| g.freq);
        let gen_no = loader.gen();
        let generation = if complete {
            // A last generation without its clock: the trace was cut at a batch
            // boundary. Salvage reads it as incomplete.
            let cut_short = match loader.missing_clock() {
                Some(why) if self.mode == Mode::Salvage && self.pos >= self.data.len() => {
                    self.pending = Some(Error::truncated(
                        self.data.len() as u64,
                        format!("trace ends inside generation {gen_no} ({why})"),
                    ));
                    true
                }
                _ => false,
            };
            match loader.finish(&mut self.tables, self.pos as u64, cut_short, prev_freq) {
                Ok(g) => g,
                Err(e) => {
                    self.pending = Some(e);
                    let t = self.last_ts;
                    return Ok(self.sync_event(t, None));
                }
            }
        } else {
            let cut = cut.expect("set when incomplete");
            let salvage = self.mode == Mode::Salvage;
            // Go reads the batches before a cut batch (before 1.26) but not a 1.26
            // generation without its end marker.
            let go_reads_it = !self.version.has_end_of_generation();
            if !salvage && !go_reads_it {
                self.pending = Some(cut);
                let t = self.last_ts;
                return Ok(self.sync_event(t, None));
            }
            match loader.finish(&mut self.tables, self.pos as u64, salvage, prev_freq) {
                Ok(g) => {
                    self.pending = Some(cut);
                    g
                }
                Err(e) => {
                    self.pending = Some(if salvage { cut } else { e });
                    let t = self.last_ts;
                    return Ok(self.sync_event(t, None));
                }
            }
        };
        self.install(generation)
    }

    fn install(&mut self, g: Generation<'a>) -> Result<Event, Error> {
        if self.generations == 0 {
            self.first_gen = g.gen;
        }
        self.generations += 1;
        let sync_time = g.ts(g.min_ts);
        let clock = g.clock;
        self.cpu = g.cpu_samples.iter().copied().collect();
        let lists: Vec<i64> = g.batches.iter().map(|(m, _)| *m).collect();
        self.gen = Some(g);
        self.frontier.clear();
        for (list, m) in lists.into_iter().enumerate() {
            let slot = self.order.m_slot(m);
            self.frontier.push(Cursor {
                m,
                slot,
                list,
                idx: 0,
                off: 0,
                last_ts: 0,
                ev: Event {
                    time: 0,
                    m,
                    p: NO_PROC,
                    g: NO_GOROUTINE,
                    typ: 0,
                    args: [0; 4],
                    extra: [0; 2],
                },
                at: 0,
            });
            let i = self.frontier.len() - 1;
            if self.next_in_cursor(i)? {
                heap_up(&mut self.frontier, i);
            } else {
                self.frontier.pop();
            }
        }
        Ok(self.sync_event(sync_time, clock))
    }
}

/// Decodes one timed event into `out` (its `time` still the raw delta in ticks) and
/// returns its length. Written in place: this runs once per event.
fn decode_event(
    d: &[u8],
    at: u64,
    gen: &Generation,
    version: WireVersion,
    mode: Mode,
    out: &mut Event,
) -> Result<usize, Error> {
    let typ = d[0];
    let Some(sp) = spec::spec(typ).filter(|s| s.timed && !s.args.is_empty()) else {
        return Err(Error::at(at, format!("found invalid event type: {typ}")));
    };
    if !version.knows(typ) && typ < 128 {
        return Err(Error::at(
            at,
            format!(
                "event {} does not exist in trace version go 1.{}",
                sp.name, version.0
            ),
        ));
    }
    let mut p = 1;
    let dt = wire::uvarint(d, &mut p)
        .ok_or_else(|| Error::at(at, "found invalid uvarint for timestamp"))?;
    let mut args = [0u64; 4];
    for slot in args.iter_mut().take(sp.args.len() - 1) {
        *slot = wire::uvarint(d, &mut p).ok_or_else(|| Error::at(at, "found invalid uvarint"))?;
    }
    let lenient = mode == Mode::Salvage && gen.incomplete;
    for &i in sp.stack_args {
        let slot = &mut args[usize::from(i) - 1];
        if *slot != 0 {
            *slot = match gen.stacks.get(*slot) {
                Some(s) => u64::from(s),
                None if lenient => 0,
                None => {
                    return Err(Error::at(
                        at,
                        format!("found invalid stack ID {} for event {}", slot, sp.name),
                    ))
                }
            };
        }
    }
    for &i in sp.string_args {
        let slot = &mut args[usize::from(i) - 1];
        if *slot != 0 {
            *slot = match gen.strings.get(*slot) {
                Some(s) => u64::from(s),
                None if lenient => 0,
                None => {
                    return Err(Error::at(
                        at,
                        format!("found invalid string ID {} for event {}", slot, sp.name),
                    ))
                }
            };
        }
    }
    *out = Event {
        time: dt,
        m: NO_THREAD,
        p: NO_PROC,
        g: NO_GOROUTINE,
        typ,
        args,
        extra: [0; 2],
    };
    Ok(p)
}

// A binary min-heap on the cursors' next event time, with Go's tie behaviour so that
// equal timestamps are tried in the same order.
fn heap_up(h: &mut [Cursor], mut i: usize) -> usize {
    while i > 0 && h[(i - 1) / 2].ev.time > h[i].ev.time {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

fn heap_down(h: &mut [Cursor], mut i: usize) {
    loop {
        let mut m = i;
        let mut t = h[i].ev.time;
        for c in [2 * i + 1, 2 * i + 2] {
            if c < h.len() && h[c].ev.time < t {
                m = c;
                t = h[c].ev.time;
            }
        }
        if m == i {
            return;
        }
        h.swap(i, m);
        i = m;
    }
}

fn heap_fix(h: &mut [Cursor], i: usize) {
    if heap_up(h, i) == i {
        heap_down(h, i);
    }
}

fn heap_remove(h: &mut Vec<Cursor>, mut i: usize) {
    while i > 0 {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = h.len() - 1;
    h.swap(0, last);
    h.pop();
    if !h.is_empty() {
        heap_down(h, 0);
    }
}

impl Reader<'_> {
    /// Gives up the reader, keeping its interned strings and stacks.
    pub fn into_tables(self) -> Tables {
        self.tables
    }
}
