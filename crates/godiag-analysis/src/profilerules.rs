//! Findings from pprof profiles: CPU hotspots and GC share, heap growth
//! across snapshots, lock and channel contention, goroutine piles.

use rustc_hash::FxHashMap as HashMap;

use godiag_model::goroutine::is_stdlib_function;
use godiag_model::Source;
use godiag_pprof::{FrameRef, Profile, ProfileKind};

use crate::crashrules::human_bytes;
use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::steps::next_steps;

/// One profile as the rules see it.
pub struct ProfileInput<'r> {
    /// Index in the report's inputs.
    pub index: usize,
    pub profile: &'r Profile,
}

/// A CPU hotspot needs this much CPU time at its site (50 samples at the
/// default 100 Hz): below it, one busy moment looks like a hotspot.
pub(crate) const MIN_HOTSPOT_SECONDS: f64 = 0.5;
/// Lock contention needs this much delay at its site.
pub(crate) const MIN_CONTENTION_SECONDS: f64 = 0.1;

/// Whether a frame's function is the program's (not the runtime's or the
/// standard library's), remembered per function name of one profile:
/// stacks repeat the same few hundred functions thousands of times.
#[derive(Default)]
struct UserFunctions(HashMap<(usize, usize), bool>);

impl UserFunctions {
    /// `f`'s function names a string of the profile that lives as long as
    /// this memo's users: its address and length stand for it.
    fn is_user(&mut self, f: &FrameRef<'_>) -> bool {
        if f.function.is_empty() {
            return false;
        }
        *self
            .0
            .entry((f.function.as_ptr() as usize, f.function.len()))
            .or_insert_with(|| !is_stdlib_function(f.function))
    }
}

/// The site a sample is charged to: its first user frame from the leaf (the
/// code that called into the runtime or library), or the leaf itself.
/// `waits` (a goroutine profile's samples, [`counts_goroutines`]) is
/// asked once per profile by the caller: a profile's kind is read from all
/// its samples.
fn user_site<'p>(
    p: &'p Profile,
    si: usize,
    user: &mut UserFunctions,
    waits: bool,
) -> Option<FrameRef<'p>> {
    let mut first = None;
    let mut started_in = None;
    for f in p.sample_stack(si) {
        if first.is_none() {
            first = Some(f);
        }
        if user.is_user(&f) {
            return Some(f);
        }
        // A goroutine without the program's frame is the standard
        // library's: its kind is the function it started in
        // (`net/http.(*persistConn).readLoop`), not where the runtime
        // parks it (`runtime.gopark`, which every waiting stack shares).
        if waits && !godiag_model::goroutine::in_runtime_package(f.function) {
            started_in = Some(f);
        }
    }
    started_in.or(first)
}

/// A goroutine profile: its samples are goroutines waiting, not costs.
fn counts_goroutines(p: &Profile) -> bool {
    matches!(
        p.kind(),
        ProfileKind::Goroutine | ProfileKind::GoroutineLeak
    )
}

type SiteKey<'p> = (&'p str, &'p str, i64);

/// Value per user site, largest first.
fn by_site<'p>(p: &'p Profile, index: usize) -> Vec<(SiteKey<'p>, i64)> {
    let mut m: HashMap<SiteKey<'p>, i64> = HashMap::default();
    let mut user = UserFunctions::default();
    let waits = counts_goroutines(p);
    for (si, s) in p.raw.sample.iter().enumerate() {
        let v = s.value.get(index).copied().unwrap_or(0);
        if v == 0 {
            continue;
        }
        if let Some(f) = user_site(p, si, &mut user, waits) {
            {
                let e = m.entry((f.function, f.file, f.line)).or_insert(0);
                *e = e.saturating_add(v);
            }
        }
    }
    let mut v: Vec<(SiteKey<'p>, i64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Value per user function, largest first, each with its heaviest line.
fn by_function<'p>(p: &'p Profile, index: usize) -> Vec<(SiteKey<'p>, i64)> {
    let mut m: HashMap<(&'p str, &'p str), (i64, SiteKey<'p>, i64)> = HashMap::default();
    for (site, v) in by_site(p, index) {
        let e = m.entry((site.0, site.1)).or_insert((0, site, v));
        e.0 = e.0.saturating_add(v);
        // by_site is sorted descending, so the first line seen is the heaviest.
    }
    let mut v: Vec<(SiteKey<'p>, i64)> = m
        .into_values()
        .map(|(total, site, _)| (site, total))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The site as a location; none for a site whose function name the
/// profile lost (damaged), which names no place.
fn location(k: &SiteKey<'_>) -> Option<Location> {
    (!k.0.is_empty()).then(|| Location {
        function: k.0.to_string(),
        file: k.1.to_string(),
        line: u32::try_from(k.2).unwrap_or(0),
    })
}

fn pct(part: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        part as f64 * 100.0 / total as f64
    }
}

fn evidence(input: &ProfileInput<'_>, summary: String, lines: Vec<String>) -> Evidence {
    Evidence {
        source: Source::Pprof,
        summary,
        input: input.index,
        offset: None,
        lines,
        goroutines: None,
    }
}

/// Runs every profile rule.
pub fn analyze_profiles(inputs: &[ProfileInput<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut heaps: Vec<&ProfileInput<'_>> = Vec::new();
    let mut goroutines: Vec<&ProfileInput<'_>> = Vec::new();
    for input in inputs {
        match input.profile.kind() {
            ProfileKind::Cpu => cpu_findings(input, &mut out),
            ProfileKind::Heap | ProfileKind::Allocs => heaps.push(input),
            ProfileKind::Mutex | ProfileKind::Block => contention_finding(input, &mut out),
            ProfileKind::Goroutine | ProfileKind::GoroutineLeak => goroutines.push(input),
            _ => {}
        }
    }
    heap_findings(&heaps, &mut out);
    goroutine_findings(&goroutines, &mut out);
    out
}

/// Frames of the garbage collector's own work in a CPU sample.
fn gc_work(f: &FrameRef<'_>) -> bool {
    matches!(
        f.function,
        "runtime.gcBgMarkWorker"
            | "runtime.gcAssistAlloc"
            | "runtime.bgsweep"
            | "runtime.gcMarkDone"
            | "runtime.markroot"
    ) || f.function.starts_with("runtime.gcDrain")
        || f.function == "runtime.sweepone"
}

fn cpu_findings(input: &ProfileInput<'_>, out: &mut Vec<Finding>) {
    let p = input.profile;
    let Some(index) = p.sample_index("cpu").or(Some(p.default_sample_index())) else {
        return;
    };
    let total = p.total(index);
    if total <= 0 {
        return;
    }
    let secs = total as f64 / 1e9;
    // GC share: samples with a GC worker, assist or sweeper on the stack;
    // allocation: samples inside mallocgc, charged to their user caller.
    let mut gc = 0i64;
    let mut alloc_sites: HashMap<SiteKey<'_>, i64> = HashMap::default();
    let mut users = UserFunctions::default();
    for (si, s) in p.raw.sample.iter().enumerate() {
        let v = s.value.get(index).copied().unwrap_or(0);
        // One walk: GC work anywhere, allocation, and the first user frame
        // above an allocation.
        let (mut in_gc, mut allocating, mut user) = (false, false, None);
        for f in p.sample_stack(si) {
            in_gc |= gc_work(&f);
            if f.function == "runtime.mallocgc" || f.function == "runtime.gcAssistAlloc" {
                allocating = true;
            }
            if allocating && user.is_none() && users.is_user(&f) {
                user = Some(f);
            }
        }
        if in_gc {
            gc = gc.saturating_add(v);
        }
        if let Some(u) = user {
            {
                let e = alloc_sites.entry((u.function, u.file, u.line)).or_insert(0);
                *e = e.saturating_add(v);
            }
        }
    }
    let sites = by_function(p, index);
    if let Some((site, v)) = sites.first() {
        let share = pct(*v, total);
        // Too few samples to stand on: noise, not a hotspot.
        let material = *v as f64 / 1e9 >= MIN_HOTSPOT_SECONDS;
        if share >= 25.0 && material && !is_stdlib_function(site.0) {
            let mut f = Finding::new(
                FindingKind::CpuHotspot,
                format!(
                    "CPU hotspot: {} uses {:.0}% of CPU samples ({:.2} s of {:.2} s)",
                    site.0,
                    share,
                    *v as f64 / 1e9,
                    secs
                ),
                if share >= 50.0 {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
            );
            f.location = location(site);
            let top: Vec<String> = p
                .top_first(index, godiag_pprof::Granularity::Function, 5)
                .iter()
                .map(|r| {
                    format!(
                        "flat {:.1}% cum {:.1}%  {}",
                        pct(r.flat, total),
                        pct(r.cum, total),
                        r.function
                    )
                })
                .collect();
            f.confirm(evidence(
                input,
                format!(
                    "{:.0}% of {:.2} s of CPU samples are charged to {}:{}",
                    share, secs, site.1, site.2
                ),
                top,
            ));
            f.next_steps = next_steps(FindingKind::CpuHotspot);
            out.push(f);
        }
    }
    let gc_share = pct(gc, total);
    if gc_share >= 25.0 {
        let mut alloc: Vec<(SiteKey<'_>, i64)> = alloc_sites.into_iter().collect();
        alloc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut f = Finding::new(
            FindingKind::GcPressure,
            format!("GC pressure: the garbage collector takes {gc_share:.0}% of CPU samples"),
            if gc_share >= 40.0 {
                Confidence::High
            } else {
                Confidence::Medium
            },
        );
        f.location = alloc.first().and_then(|(k, _)| location(k));
        let lines = alloc
            .iter()
            .take(3)
            .map(|(k, v)| {
                format!(
                    "{:.0}% of CPU in allocation from {} {}:{}",
                    pct(*v, total),
                    k.0,
                    k.1,
                    k.2
                )
            })
            .collect();
        f.confirm(evidence(
            input,
            format!("{gc_share:.0}% of CPU samples are GC marking, assists or sweeping"),
            lines,
        ));
        f.next_steps = next_steps(FindingKind::GcPressure);
        out.push(f);
    }
}

/// Whether every frame of a sample is the runtime's.
fn is_runtime_only(p: &Profile, si: usize) -> bool {
    let mut stack = p.sample_stack(si).peekable();
    stack.peek().is_some()
        && stack.all(|f| {
            f.function.starts_with("runtime.") || f.function.starts_with("internal/runtime/")
        })
}

/// A contention profile's delay in one pass: the runtime's own goroutines'
/// (the trace's advancer, with tracing on), and the program's by the
/// function it waited in (a sample's leaf), largest first.
fn split_delay(p: &Profile, index: usize) -> (i64, Vec<(&str, i64)>) {
    let mut runtime = 0i64;
    let mut by_leaf: Vec<(&str, i64)> = Vec::new();
    for (si, s) in p.raw.sample.iter().enumerate() {
        let v = s.value.get(index).copied().unwrap_or(0);
        if is_runtime_only(p, si) {
            runtime = runtime.saturating_add(v);
            continue;
        }
        if v <= 0 {
            continue;
        }
        let Some(leaf) = p.sample_stack(si).next() else {
            continue;
        };
        match by_leaf.iter_mut().find(|(f, _)| *f == leaf.function) {
            Some(e) => e.1 = e.1.saturating_add(v),
            None => by_leaf.push((leaf.function, v)),
        }
    }
    by_leaf.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    (runtime, by_leaf)
}

fn contention_finding(input: &ProfileInput<'_>, out: &mut Vec<Finding>) {
    let p = input.profile;
    let Some(index) = p.sample_index("delay") else {
        return;
    };
    // The runtime's own goroutines (the trace's advancer, with tracing on)
    // wait too: their delay is none of the program's.
    let (runtime_delay, leaves) = split_delay(p, index);
    let total = p.total(index).saturating_sub(runtime_delay);
    let sites = by_function(p, index);
    let Some((site, v)) = sites.first() else {
        return;
    };
    let share = pct(*v, total);
    // A wait that adds up to almost nothing, or that the runtime charges to
    // itself (`runtime._LostContendedRuntimeLock`), is no contention to fix.
    let material = *v as f64 / 1e9 >= MIN_CONTENTION_SECONDS && !is_stdlib_function(site.0);
    if share < 50.0 || total <= 0 || !material {
        return;
    }
    let what = if p.kind() == ProfileKind::Mutex {
        "mutex"
    } else {
        "block"
    };
    let mut f = Finding::new(
        FindingKind::LockContention,
        format!(
            "{} contention: {:.0}% of the {} profile's delay ({:.2} s) is at {}",
            if what == "mutex" { "lock" } else { "blocking" },
            share,
            what,
            total as f64 / 1e9,
            site.0
        ),
        if share >= 80.0 {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    f.location = location(site);
    // One total throughout: the program's; what the leaves hold under it,
    // a tenth of a percent and more.
    let leafs: Vec<String> = leaves
        .into_iter()
        .filter(|(_, v)| pct(*v, total) >= 0.1)
        .take(4)
        .map(|(function, v)| format!("flat {:.1}%  {function}", pct(v, total)))
        .collect();
    let left_out = if runtime_delay >= 5_000_000 {
        format!(
            " (the runtime's own goroutines' {:.2} s left out)",
            runtime_delay as f64 / 1e9
        )
    } else {
        String::new()
    };
    f.confirm(evidence(
        input,
        format!(
            "{what} profile: {:.0}% of the program's {:.2} s of delay charged to {}:{}{left_out}",
            share,
            total as f64 / 1e9,
            site.1,
            site.2
        ),
        leafs,
    ));
    f.next_steps = next_steps(FindingKind::LockContention);
    out.push(f);
}

/// How close in time an allocs profile is to a heap profile for both to
/// be one snapshot (`collect` takes them a few seconds apart).
const SAME_MOMENT_NANOS: u64 = 60_000_000_000;

fn heap_findings(heaps: &[&ProfileInput<'_>], out: &mut Vec<Finding>) {
    // `/debug/pprof/allocs` is the heap profile under another default
    // sample type: taken beside a heap profile, it is the same moment
    // again, not another snapshot.
    let heap_times: Vec<i64> = heaps
        .iter()
        .filter(|h| h.profile.kind() == ProfileKind::Heap)
        .map(|h| h.profile.raw.time_nanos)
        .collect();
    let same_moment_as_a_heap = |h: &ProfileInput<'_>| {
        h.profile.kind() == ProfileKind::Allocs
            && heap_times
                .iter()
                .any(|t| t.abs_diff(h.profile.raw.time_nanos) < SAME_MOMENT_NANOS)
    };
    let snapshots: Vec<&ProfileInput<'_>> = {
        let mut v: Vec<&ProfileInput<'_>> = heaps
            .iter()
            .copied()
            .filter(|h| h.profile.sample_index("inuse_space").is_some())
            .filter(|h| !same_moment_as_a_heap(h))
            .collect();
        // By capture time where recorded, else in the order given.
        v.sort_by_key(|h| h.profile.raw.time_nanos);
        // Snapshots of one program only: the latest's, and those whose
        // main binary is not recorded. Another program's heap is no
        // earlier state of this one.
        let program = v.last().and_then(|h| h.profile.main_binary());
        v.retain(|h| {
            program.is_none()
                || h.profile.main_binary().is_none()
                || h.profile.main_binary() == program
        });
        v
    };
    if snapshots.is_empty() {
        return;
    }
    let series: Vec<HashMap<SiteKey<'_>, i64>> = snapshots
        .iter()
        .map(|h| {
            let idx = h.profile.sample_index("inuse_space").unwrap_or(0);
            by_site(h.profile, idx).into_iter().collect()
        })
        .collect();
    if snapshots.len() >= 2 {
        let (first, last) = (&series[0], &series[series.len() - 1]);
        let mut growth: Vec<(SiteKey<'_>, i64)> = last
            .iter()
            .map(|(k, v)| (*k, v.saturating_sub(first.get(k).copied().unwrap_or(0))))
            .filter(|(_, g)| *g > 0)
            .collect();
        growth.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some((site, g)) = growth.first() {
            let values: Vec<i64> = series
                .iter()
                .map(|s| s.get(site).copied().unwrap_or(0))
                .collect();
            let steady = values.windows(2).all(|w| w[1] >= w[0]);
            let total_last = last.values().sum::<i64>();
            if *g >= 1 << 20 && steady {
                let t0 = snapshots[0].profile.raw.time_nanos;
                let t1 = snapshots[snapshots.len() - 1].profile.raw.time_nanos;
                let minutes = t1.saturating_sub(t0) as f64 / 60e9;
                let rate = if minutes > 0.0 {
                    format!(", {} per minute", human_bytes((*g as f64 / minutes) as u64))
                } else {
                    String::new()
                };
                let mut f = Finding::new(
                    FindingKind::HeapLeak,
                    format!(
                        "heap leak: in-use memory allocated at {} grew by {} over {} snapshots{rate}",
                        site.0,
                        human_bytes(*g as u64),
                        snapshots.len()
                    ),
                    if snapshots.len() >= 3 && pct(*values.last().unwrap_or(&0), total_last) >= 25.0 {
                        Confidence::High
                    } else {
                        Confidence::Medium
                    },
                );
                f.location = location(site);
                for (h, v) in snapshots.iter().zip(&values) {
                    f.confirm(evidence(
                        h,
                        format!("{} in use at {}:{}", human_bytes(*v as u64), site.1, site.2),
                        Vec::new(),
                    ));
                }
                f.next_steps = next_steps(FindingKind::HeapLeak);
                out.push(f);
                return;
            }
        }
    }
    // Several snapshots without a site's steady growth show no leak: what
    // one holds most of is then no more than its working set.
    if snapshots.len() >= 2 {
        return;
    }
    // One snapshot: the largest retainer, weakly.
    let h = snapshots[snapshots.len() - 1];
    let last = &series[series.len() - 1];
    let total: i64 = last.values().sum();
    let mut top: Vec<(&SiteKey<'_>, &i64)> = last.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if let Some((site, v)) = top.first() {
        if pct(**v, total) >= 50.0 && **v >= 1 << 20 {
            // A damaged profile may have lost the site's name with the
            // part that held its function.
            let named = !site.0.is_empty();
            let mut f = Finding::new(
                FindingKind::HeapLeak,
                format!(
                    "largest retainer: {} holds {} ({:.0}% of the in-use heap); one snapshot cannot show growth",
                    if named {
                        site.0
                    } else {
                        "an allocation site whose name the profile lost"
                    },
                    human_bytes(**v as u64),
                    pct(**v, total)
                ),
                Confidence::Low,
            );
            f.location = location(site);
            f.confirm(evidence(
                h,
                format!(
                    "{} of {} in use",
                    human_bytes(**v as u64),
                    human_bytes(total as u64)
                ),
                Vec::new(),
            ));
            f.next_steps = next_steps(FindingKind::HeapLeak);
            out.push(f);
        }
    }
}

fn goroutine_findings(profiles: &[&ProfileInput<'_>], out: &mut Vec<Finding>) {
    // The leak profile (Go 1.26+) proves goroutines can never run again.
    for input in profiles
        .iter()
        .filter(|i| i.profile.kind() == ProfileKind::GoroutineLeak)
    {
        let p = input.profile;
        let total = p.total(0);
        if let Some((site, v)) = by_site(p, 0).first() {
            let mut f = Finding::new(
                FindingKind::GoroutineLeak,
                format!("goroutine leak: the runtime's leak detector found {v} leaked goroutines blocked at {}", site.0),
                Confidence::High,
            );
            f.location = location(site);
            f.confirm(evidence(
                input,
                format!("goroutineleak profile: {v} of {total} leaked goroutines here"),
                Vec::new(),
            ));
            f.next_steps = next_steps(FindingKind::GoroutineLeak);
            out.push(f);
        }
    }
    let plain: Vec<&&ProfileInput<'_>> = profiles
        .iter()
        .filter(|i| i.profile.kind() == ProfileKind::Goroutine)
        .collect();
    if plain.is_empty() {
        return;
    }
    let last = plain[plain.len() - 1];
    let total = last.profile.total(0);
    let sites = by_site(last.profile, 0);
    let Some((site, v)) = sites.first() else {
        return;
    };
    let before = if plain.len() >= 2 {
        by_site(plain[0].profile, 0)
            .into_iter()
            .find(|(k, _)| k == site)
            .map_or(0, |(_, n)| n)
    } else {
        *v
    };
    let grew = plain.len() >= 2 && *v > before;
    if !(grew || (*v >= 100 && pct(*v, total) >= 50.0)) {
        return;
    }
    let mut f = Finding::new(
        FindingKind::GoroutineLeak,
        if grew {
            format!(
                "goroutine leak: goroutines at {} grew from {before} to {v}",
                site.0
            )
        } else {
            format!(
                "possible goroutine leak: {v} of {total} goroutines at {}",
                site.0
            )
        },
        // One whole profile's pile-up: as possible as the same profile read
        // in its `debug=1` text.
        if grew {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    f.location = location(site);
    if grew {
        f.confirm(evidence(
            plain[0],
            format!("{before} goroutines at {}:{}", site.1, site.2),
            Vec::new(),
        ));
    }
    f.confirm(evidence(
        last,
        format!("{v} of {total} goroutines at {}:{}", site.1, site.2),
        site_labels(last.profile, site),
    ));
    f.next_steps = if grew {
        crate::steps::steps_after_comparing_dumps(FindingKind::GoroutineLeak)
    } else {
        next_steps(FindingKind::GoroutineLeak)
    };
    out.push(f);
}

/// Evidence a profile adds to a finding another source made: an
/// out-of-memory crash whose allocating function is also the heap's largest
/// in-use site confirms; a goroutine leak that a goroutine profile does not
/// show (no goroutines, or far fewer, at that site) is contradicted.
pub fn confirm_from_profiles(findings: &mut [Finding], inputs: &[ProfileInput<'_>]) {
    contradict_leaks(findings, inputs);
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == FindingKind::OutOfMemory)
    {
        let Some(loc) = f.location.clone() else {
            continue;
        };
        for input in inputs {
            let p = input.profile;
            if !matches!(p.kind(), ProfileKind::Heap | ProfileKind::Allocs) {
                continue;
            }
            let Some(index) = p
                .sample_index("inuse_space")
                .or(Some(p.default_sample_index()))
            else {
                continue;
            };
            let total = p.total(index);
            if let Some((site, v)) = by_function(p, index).first() {
                if site.0 == loc.function {
                    f.confirm(evidence(
                        input,
                        format!(
                            "the heap's largest in-use site is the same function: {} ({:.0}% of {})",
                            human_bytes(*v as u64),
                            pct(*v, total),
                            human_bytes(total as u64)
                        ),
                        Vec::new(),
                    ));
                }
            }
        }
    }
}

/// The pprof labels (`pprof.Do`) on the samples charged to a site, most
/// frequent first: who started the goroutines.
fn site_labels(p: &Profile, site: &SiteKey<'_>) -> Vec<String> {
    let mut counts: HashMap<String, i64> = HashMap::default();
    let mut user = UserFunctions::default();
    let waits = counts_goroutines(p);
    for (si, s) in p.raw.sample.iter().enumerate() {
        let Some(f) = user_site(p, si, &mut user, waits) else {
            continue;
        };
        if (f.function, f.file, f.line) != *site {
            continue;
        }
        let v = s.value.first().copied().unwrap_or(0);
        for l in &s.label {
            let value = if l.str != 0 {
                p.str(l.str).to_string()
            } else {
                l.num.to_string()
            };
            let e = counts
                .entry(format!("{}={value}", p.str(l.key)))
                .or_insert(0);
            *e = e.saturating_add(v);
        }
    }
    let mut v: Vec<(String, i64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter()
        .take(5)
        .map(|(l, n)| format!("label {l}: {n} goroutines"))
        .collect()
}

/// A goroutine-leak finding the pprof leg did not confirm, checked against
/// the latest goroutine profile: far fewer goroutines at the site than the
/// dumps counted means they were released, so this is no leak.
fn contradict_leaks(findings: &mut [Finding], inputs: &[ProfileInput<'_>]) {
    let Some(latest) = inputs
        .iter()
        .filter(|i| i.profile.kind() == ProfileKind::Goroutine)
        .max_by_key(|i| i.profile.raw.time_nanos)
    else {
        return;
    };
    let sites = by_site(latest.profile, 0);
    let total = latest.profile.total(0);
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == FindingKind::GoroutineLeak)
    {
        if f.verification.contains_key(Source::Pprof.name()) {
            continue;
        }
        let Some(loc) = f.location.clone() else {
            continue;
        };
        let at_site: i64 = sites
            .iter()
            .filter(|(k, _)| k.0 == loc.function && k.2 == i64::from(loc.line))
            .map(|(_, v)| *v)
            .sum();
        // The largest count any dump evidence reported for the site.
        let dumped = f
            .evidence
            .iter()
            .filter_map(|e| e.goroutines)
            .max()
            .map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
        if dumped >= 10 && at_site * 10 < dumped {
            f.contradict(
                evidence(
                    latest,
                    format!(
                        "the goroutine profile shows {at_site} of {total} goroutines at {}:{}, against {dumped} in the dump: they were released",
                        loc.file, loc.line
                    ),
                    Vec::new(),
                ),
                "the goroutine profile",
            );
            f.confidence = Confidence::Low;
        }
    }
}
