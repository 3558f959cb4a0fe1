#!/usr/bin/env python3
"""Checks captured artifacts against lab/manifest.json.

Usage: python3 lab/check.py [ARTIFACTS_DIR]   (default lab/artifacts)

For every artifact listed in each go<VER>/index.json it checks that the file exists with
the indexed size, that the expected exit code was seen, that the headline message for that
version is printed, that the root-cause line (file:line) is in the failing goroutine's
frames, and a few variant-specific features. Exits 1 on any failure.

Scenarios with "evidence": "pprof" are checked differently: every expected file must be
indexed and present, and `go tool pprof -top -lines -show='^main\\.'` (run with the same
toolchain, .cache/go/<VER>/bin/go, for the manifest's sample type) must put the manifest
location in its first row, i.e. the user line with the most flat weight once runtime and
library frames are folded into their callers. debug=1 texts are checked by parsing (the
record with the most delay must have the location as its first main. frame); heap and
goroutine profiles must grow between snapshots. -v prints the top row for each profile.

Scenarios with "evidence": "trace" wrote runtime/trace execution traces (*.out). Each must
start with the header of the wire format that Go version writes, be read without error by
that version's `go tool trace -d=parsed` (-d=1 before 1.24) unless the manifest's
trace_facts.parse_error_by_version expects an error, show the root-cause line in its stacks,
and show the scenario's trace_facts (goroutines starved or leaked, GC cycles, waits at the
root-cause line, tasks/regions/logs, generations). A crash's stderr (crash.txt) is checked
like crash text. -v prints what was measured per trace.
"""
import json
import os
import re
import subprocess
import sys

LAB = os.path.dirname(os.path.abspath(__file__))


def minor(v):
    return tuple(int(x) for x in v.split(".")[:2])


def failing_block(text, scen):
    """The text of the goroutine that failed (or the whole text where that is not defined)."""
    if scen["kind"] in ("data-race", "goroutine-leak"):
        return text
    blocks = re.split(r"\n(?=goroutine \d+)", text)
    want = r"goroutine 1 " if scen["name"] == "sigquit" else r"goroutine [1-9]\d* "
    for b in blocks:
        if re.match(want, b):
            return b
    return ""


def expected_exit(scen, variant):
    if scen["kind"] == "goroutine-leak":
        return 0
    if scen["build"] == "race":
        return 66
    if variant == "gotraceback-crash":
        return 134
    return 2


FEATURES = {  # (scenario, variant) -> list of (regex, min_version or None)
    ("nil-deref", "gotraceback-system"): [(r"goroutine \d+ gp=0x[0-9a-f]+ m=", (1, 22)), (r"fp=0x", None)],
    ("nil-deref", "gotraceback-crash"): [(r"fp=0x", None)],
    ("map-concurrent-writes", "gotraceback-all"): [(r"(?s)main\.writer.*\n\ngoroutine .*main\.writer", None)],
    ("nil-deref", "gotraceback-all"): [(r"\[chan receive\]", None)],
    ("map-concurrent-writes", "gctrace-schedtrace"): [(r"(?m)^gc \d+ @", None), (r"(?m)^SCHED ", None)],
    ("goroutine-panic", "ancestors"): [(r"\[originating from goroutine \d+\]:", None)],
    ("labels", "labels-126"): [(r'labels:\{"request_id": "abc-123"', (1, 26))],
    ("labels-127", "default"): [(r'\] \{request_id: "abc-123", route: /api/v1\}:', None)],
    ("deep-stack", "default"): [(r"\.\.\.\d+ frames elided\.\.\.", None)],
    ("stack-overflow-recursion", "default"): [(r"\.\.\.\d+ frames elided\.\.\.", None)],
    ("goroutine-leak-minutes", "debug2"): [(r"\[chan receive, 1 minutes\]", None)],
    ("panic-repanic", "default"): [(r"\[recovered\]", None)],
    ("cgo-crash", "default"): [(r"\[syscall\]", None)],
    ("deadlock-waitgroup", "default"): [(r"goroutine 1 \[semacquire\]", None)],
}
VERSIONED = {  # overrides by version
    ("labels", "labels-126", (1, 27)): [(r'\] \{request_id: "abc-123", route: /api/v1\}:', None)],
    ("panic-repanic", "default", (1, 25)): [(r"\[recovered, repanicked\]", None)],
    ("deadlock-waitgroup", "default", (1, 24)): [(r"goroutine 1 \[sync\.WaitGroup\.Wait\]", None)],
}


def features(name, variant, ver):
    best = None
    for (n, v, since), pats in VERSIONED.items():
        if n == name and v == variant and ver >= since and (best is None or since > best[0]):
            best = (since, pats)
    if best:
        return best[1]
    return FEATURES.get((name, variant), [])


UNITS = {"": 1, "B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40,
         "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "mins": 60, "hrs": 3600}
VERBOSE = False


def quantity(s):
    m = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", s)
    if not m or m.group(2) not in UNITS:
        raise ValueError(f"cannot read quantity {s!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def go_tool(go_version):
    cache = os.environ.get("LAB_GO_CACHE", os.path.join(os.path.dirname(LAB), ".cache", "go"))
    go = os.path.join(cache, go_version, "bin", "go")
    return go if os.access(go, os.X_OK) else None


def pprof_top(go, path, sample_type, show_main=True):
    """Runs go tool pprof -top -lines; returns (total, [(flat, flat%, function, file:line)])."""
    cmd = [go, "tool", "pprof", "-top", "-lines", f"-sample_index={sample_type}"]
    if show_main:
        cmd.append(r"-show=^main\.")
    env = dict(os.environ, GOTOOLCHAIN="local", PPROF_BINARY_PATH="/nonexistent")
    out = subprocess.run(cmd + [path], capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"go tool pprof failed: {out.stderr.strip()[:200]}")
    total = None
    rows = []
    for line in out.stdout.splitlines():
        m = re.search(r" of ([0-9.]+[a-zA-Z]*) total", line)
        if m and line.startswith("Showing nodes"):
            total = quantity(m.group(1))
        m = re.match(r"\s*([0-9.]+[a-zA-Z]*)\s+([0-9.]+)%\s+[0-9.]+%\s+[0-9.]+[a-zA-Z]*\s+[0-9.]+%\s+(\S+) (\S+:\d+)", line)
        if m:
            rows.append((quantity(m.group(1)), float(m.group(2)), m.group(3), m.group(4)))
    return total, rows


def debug1_top(text, needle):
    """mutex/block debug=1 text: the first main. frame of the record with most cycles."""
    if not re.match(r"--- (mutex|contention):\ncycles/second=\d+\n", text):
        return "no '--- mutex:'/'--- contention:' + cycles/second header"
    records = re.findall(r"(?m)^(\d+) (\d+) @[ 0-9a-fx]*\n((?:#.*\n?)*)", text)
    if not records:
        return "no records"
    cycles, count, frames = max(records, key=lambda r: int(r[0]))
    for fr in frames.splitlines():
        parts = re.split(r"\t+", fr)
        if len(parts) >= 4 and parts[2].startswith("main."):
            if parts[3].endswith(needle):
                return None
            return f"top record's first main. frame is {parts[3]}, want {needle}"
    return "top record has no main. frame"


def check_pprof(a, scen, path, go, ver, errs, totals):
    """Checks one artifact of an evidence=pprof scenario; appends to errs."""
    loc = scen["location"]
    needle = f"{loc['file']}:{loc['line']}"
    if a["exit_code"] != 0:
        errs.append(f"exit code {a['exit_code']}, want 0")
    fmt = a.get("format")
    want_fmt = ("pprof-proto" if a["file"].endswith(".pb.gz") else
                "pprof-text" if a["file"].endswith(".debug1.txt") else
                "goroutine-dump" if a["file"].endswith(".debug2.txt") else "text")
    if fmt != want_fmt:
        errs.append(f"format {fmt!r}, want {want_fmt!r}")
    st = scen["sample_types"].get(a["variant"])
    if fmt == "pprof-proto":
        data = open(path, "rb").read(2)
        if data != b"\x1f\x8b":
            errs.append("not gzip")
            return
        if go is None:
            return
        try:
            total, rows = pprof_top(go, path, st)
        except Exception as e:  # noqa: BLE001
            errs.append(str(e))
            return
        if not rows:
            errs.append("pprof -top shows no main. rows")
            return
        flat, pct, func, fl = rows[0]
        if VERBOSE:
            print(f"  {ver} {a['file']}: [{st}] top {func} {fl.split('/lab/')[-1]} {pct}% of {total:g}")
        if not fl.endswith(needle):
            errs.append(f"pprof top row is {func} {fl}, want {needle}")
        elif pct < 30:
            errs.append(f"top row has only {pct}% of {st}")
        if func != loc["function"]:
            errs.append(f"pprof top function {func}, want {loc['function']}")
        if scen["name"] in ("heap-leak", "goroutine-leak-profile") and a["variant"] != "goroutineleak":
            totals[a["variant"]] = total
    elif fmt == "pprof-text":
        err = debug1_top(open(path, errors="replace").read(), needle)
        if err:
            errs.append(err)
    elif fmt == "goroutine-dump":
        text = open(path, errors="replace").read()
        if text.count(needle) < 10:
            errs.append(f"debug=2 dump shows {needle} only {text.count(needle)} times")
    else:  # gctrace
        n = len(re.findall(r"(?m)^gc \d+ @[0-9.]+s \d+%: ", open(path, errors="replace").read()))
        if n < 10:
            errs.append(f"only {n} 'gc N @' lines")


def check_growth(scen, totals, where):
    """Heap in use / goroutine count must grow from one snapshot to the next."""
    seq = [v for v in scen["variants"] if v in totals]
    bad = []
    for a, b in zip(seq, seq[1:]):
        if not totals[b] > totals[a]:
            bad.append(f"{where}: {scen['name']} does not grow from {a} ({totals[a]:g}) to {b} ({totals[b]:g})")
    return bad


# Trace header ("go 1.NN trace\0\0\0") by Go minor version: the wire format it writes.
TRACE_WIRE = {(1, 22): "1.22", (1, 23): "1.23", (1, 24): "1.23", (1, 25): "1.25",
              (1, 26): "1.26", (1, 27): "1.26"}
TR_EVENT = re.compile(r"^M=(-?\d+) P=(-?\d+) G=(-?\d+) (\w+) Time=(\d+)(.*)$")
TR_FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
TR_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
TR_FRAME = re.compile(r"^\t(\S.*) @ 0x[0-9a-f]+$")
TR_FILE = re.compile(r"^\t\t(.*):(\d+)$")


def trace_dump(go, ver, path, mode):
    """go tool trace -d=parsed|wire (-d=1|2 before 1.24): (exit code, stdout, stderr)."""
    flag = {"parsed": "-d=1", "wire": "-d=2"}[mode] if ver < (1, 24) else f"-d={mode}"
    env = dict(os.environ, GOTOOLCHAIN="local")
    out = subprocess.run([go, "tool", "trace", flag, path], capture_output=True, text=True,
                         env=env, timeout=600)
    return out.returncode, out.stdout, out.stderr


def trace_events(text):
    """Events of `go tool trace -d=parsed`: kind, time, fields, transition, stacks."""
    evs, cur, label = [], None, None
    for line in text.splitlines():
        m = TR_EVENT.match(line)
        if m:
            rest = m.group(6)
            fields = {k: v[1:-1] if v.startswith('"') else v for k, v in TR_FIELD.findall(rest)}
            tr = re.search(r"\b(\w+)->(\w+)\b", TR_QUOTED.sub('""', rest))
            cur = {"kind": m.group(4), "t": int(m.group(5)), "g": m.group(3), "f": fields,
                   "tr": tr.groups() if tr else None, "stacks": {}}
            evs.append(cur)
            label = None
        elif cur is None:
            continue
        elif line.endswith("Stack="):
            label = line[:-1]
            cur["stacks"][label] = []
        elif label and (m := TR_FRAME.match(line)):
            cur["stacks"][label].append([m.group(1), "", 0])
        elif label and cur["stacks"][label] and (m := TR_FILE.match(line)):
            cur["stacks"][label][-1][1:] = [m.group(1), int(m.group(2))]
    return evs


def trace_measure(evs, needle):
    """What a trace shows, for the trace_facts checks (times in ms)."""
    def at(e):
        return any(f"{fl}:{ln}".endswith(needle) for fr in e["stacks"].values() for _, fl, ln in fr)
    end = evs[-1]["t"] if evs else 0
    m = {"events": len(evs), "span_ms": (end - evs[0]["t"]) / 1e6 if evs else 0,
         "location_seen": any(at(e) for e in evs), "gomaxprocs": set(), "ranges": {},
         "assists_at_location": 0, "tasks": {}, "regions": {}, "logs": {}, "region_ms": {},
         "wait_ms_at_location": {}, "long_syscalls_ms": [], "starved": [], "leaked": 0}
    per_g = {}
    open_regions = {}
    for e in evs:
        k, f = e["kind"], e["f"]
        if k == "Metric" and f.get("Name") == "/sched/gomaxprocs:threads":
            m["gomaxprocs"].add(int(re.search(r"\((\d+)\)", f.get("Value", "(0)")).group(1)))
        elif k == "RangeBegin":
            m["ranges"][f.get("Name")] = m["ranges"].get(f.get("Name"), 0) + 1
            if f.get("Name") == "GC mark assist" and at(e):
                m["assists_at_location"] += 1
        elif k == "TaskBegin":
            m["tasks"][f.get("Type")] = m["tasks"].get(f.get("Type"), 0) + 1
        elif k == "Log":
            m["logs"][f.get("Category")] = m["logs"].get(f.get("Category"), 0) + 1
        elif k == "RegionBegin":
            m["regions"][f.get("Type")] = m["regions"].get(f.get("Type"), 0) + 1
            open_regions.setdefault((e["g"], f.get("Type")), []).append(e["t"])
        elif k == "RegionEnd" and open_regions.get((e["g"], f.get("Type"))):
            d = (e["t"] - open_regions[(e["g"], f.get("Type"))].pop()) / 1e6
            m["region_ms"].setdefault(f.get("Type"), []).append(d)
        elif k == "StateTransition" and "GoID" in f and e["tr"]:
            per_g.setdefault(f["GoID"], []).append((e["t"], e["tr"][0], e["tr"][1], f.get("Reason", ""), e))
    for trs in per_g.values():
        runnable_since = syscall_since = None
        worst = 0
        for i, (t, old, new, reason, e) in enumerate(trs):
            if new == "Runnable" and old != "Runnable":
                runnable_since = t
            if old == "Runnable" and new == "Running" and runnable_since is not None:
                worst = max(worst, t - runnable_since)
            if new == "Syscall":
                syscall_since = t
            if old == "Syscall" and syscall_since is not None:
                m["long_syscalls_ms"].append((t - syscall_since) / 1e6)
                syscall_since = None
            if new == "Waiting" and old == "Running" and at(e):
                until = trs[i + 1][0] if i + 1 < len(trs) else end
                w = m["wait_ms_at_location"]
                w[reason] = w.get(reason, 0) + (until - t) / 1e6
                if i + 1 == len(trs):
                    m["leaked"] += 1
        m["starved"].append(worst / 1e6)
    return m


def trace_generations(go, ver, path):
    """Generation numbers of the batches in a trace (wire dump), or None if unreadable."""
    rc, out, _ = trace_dump(go, ver, path, "wire")
    gens = sorted({int(g) for g in re.findall(r"(?m)^EventBatch gen=(\d+)", out)})
    return gens or None


def check_trace(a, scen, path, go, ver, d, errs):
    """Checks one artifact of an evidence=trace scenario; appends to errs."""
    loc = scen["location"]
    needle = f"{loc['file']}:{loc['line']}"
    facts = scen.get("trace_facts", {})
    want_rc = 2 if scen.get("message") else 0
    if a["exit_code"] != want_rc:
        errs.append(f"exit code {a['exit_code']}, want {want_rc}")
    want_fmt = "execution-trace" if a["file"].endswith(".out") else "text"
    if a.get("format") != want_fmt:
        errs.append(f"format {a.get('format')!r}, want {want_fmt!r}")
    if want_fmt == "text":  # the crash's stderr
        text = open(path, errors="replace").read()
        if scen["message"] not in text:
            errs.append(f"message {scen['message']!r} not found")
        if not re.search(re.escape(needle) + r"(\s|$)", failing_block(text, scen)):
            errs.append(f"{needle} not in failing goroutine")
        return
    head = open(path, "rb").read(16)
    want_head = f"go {TRACE_WIRE.get(ver, '?')} trace".encode() + b"\0\0\0"
    if head != want_head:
        errs.append(f"header {head!r}, want {want_head!r}")
    if go is None:
        return
    rc, out, err = trace_dump(go, ver, path, "parsed")
    want_err = None
    for since, e in sorted((facts.get("parse_error_by_version") or {}).items()):
        if ver >= minor(since):
            want_err = e
    if want_err is not None:
        gens = trace_generations(go, ver, path)
        if rc == 0 or want_err not in err:
            errs.append(f"go tool trace: want error {want_err!r}, got exit {rc} {err.strip()[:120]!r}")
        elif VERBOSE:
            print(f"  {d} {a['file']}: go tool trace fails as expected ({err.strip()[:80]}); "
                  f"generations in the file {gens}")
        if "min_generations" in facts and not (gens and len(gens) >= facts["min_generations"]):
            errs.append(f"generations {gens}, want >= {facts['min_generations']}")
        return
    if rc != 0:
        errs.append(f"go tool trace -d failed: {err.strip()[:200]}")
        return
    m = trace_measure(trace_events(out), needle)
    if facts.get("location_in_trace", True) and not m["location_seen"]:
        errs.append(f"{needle} in no stack of the trace")
    gens = trace_generations(go, ver, path) if ("min_first_generation" in facts or
                                                "min_generations" in facts) else None
    waits = {r: round(v) for r, v in m["wait_ms_at_location"].items()}
    if VERBOSE:
        print(f"  {d} {a['file']}: {m['events']} events over {m['span_ms']:.0f} ms; "
              f"gomaxprocs {sorted(m['gomaxprocs'])}; starved>=100ms "
              f"{sum(1 for w in m['starved'] if w >= 100)} (max {max(m['starved'] or [0]):.0f} ms); "
              f"GC {m['ranges'].get('GC concurrent mark phase', 0)}, assists at line "
              f"{m['assists_at_location']}; waits at line {waits}; leaked {m['leaked']}; "
              f"syscalls>=40ms {sum(1 for x in m['long_syscalls_ms'] if x >= 40)}; "
              f"tasks {m['tasks']}; regions {m['regions']}; generations {gens}")
    def want(cond, what):
        if not cond:
            errs.append(what)
    if "gomaxprocs" in facts:
        want(m["gomaxprocs"] == {facts["gomaxprocs"]}, f"GOMAXPROCS {sorted(m['gomaxprocs'])}, want {facts['gomaxprocs']}")
    if "min_starved_goroutines" in facts:
        n = sum(1 for w in m["starved"] if w >= facts["starved_ms"])
        want(n >= facts["min_starved_goroutines"], f"only {n} goroutines waited >= {facts['starved_ms']} ms to run")
    if "min_gc_cycles" in facts:
        n = m["ranges"].get("GC concurrent mark phase", 0)
        want(n >= facts["min_gc_cycles"], f"only {n} GC cycles")
    if "min_mark_assists_at_location" in facts:
        want(m["assists_at_location"] >= facts["min_mark_assists_at_location"],
             f"only {m['assists_at_location']} mark assists at {needle}")
    for reason, ms in (facts.get("min_wait_ms_at_location") or {}).items():
        got = m["wait_ms_at_location"].get(reason, 0)
        want(got >= ms, f"{got:.0f} ms waiting ({reason}) at {needle}, want >= {ms}")
    if "min_long_syscalls" in facts:
        n = sum(1 for x in m["long_syscalls_ms"] if x >= facts["long_syscall_ms"])
        want(n >= facts["min_long_syscalls"], f"only {n} syscalls >= {facts['long_syscall_ms']} ms")
    if "leaked_goroutines" in facts:
        want(m["leaked"] == facts["leaked_goroutines"],
             f"{m['leaked']} goroutines end blocked at {needle}, want {facts['leaked_goroutines']}")
    for key in ("tasks", "regions", "logs"):
        if key in facts:
            want(m[key] == facts[key], f"{key} {m[key]}, want {facts[key]}")
    for name, ms in (facts.get("region_min_ms") or {}).items():
        ds = m["region_ms"].get(name, [])
        want(ds and min(ds) >= ms, f"region {name} durations {[round(x, 1) for x in ds]}, want >= {ms} ms")
    if "min_span_ms" in facts:
        want(m["span_ms"] >= facts["min_span_ms"], f"trace spans {m['span_ms']:.0f} ms, want >= {facts['min_span_ms']}")
    if "min_first_generation" in facts:
        want(gens and gens[0] >= facts["min_first_generation"],
             f"first generation {gens and gens[0]}, want >= {facts['min_first_generation']}")
    if "min_generations" in facts:
        want(gens and len(gens) >= facts["min_generations"], f"generations {gens}, want >= {facts['min_generations']}")


def main():
    global VERBOSE
    args = sys.argv[1:]
    if "-v" in args:
        VERBOSE = True
        args.remove("-v")
    root = args[0] if args else os.path.join(LAB, "artifacts")
    manifest = {s["name"]: s for s in json.load(open(os.path.join(LAB, "manifest.json")))["scenarios"]}
    bad = 0
    seen = {}
    for d in sorted(os.listdir(root)):
        idx = os.path.join(root, d, "index.json")
        if not os.path.exists(idx):
            continue
        index = json.load(open(idx))
        ver = minor(index["go_version"])
        go = go_tool(index["go_version"])
        pprof_totals = {}
        present = {(a["scenario"], a["variant"]) for a in index["artifacts"]}
        for scen in manifest.values():
            if scen.get("evidence") not in ("pprof", "trace"):
                continue
            for v in scen["variants"]:
                since = (scen.get("variant_min_go") or {}).get(v, scen.get("min_go", "1.21"))
                if ver >= minor(since) and (scen["name"], v) not in present:
                    print(f"{d}: {scen['name']} variant {v} not indexed")
                    bad += 1
        if go is None and any(m.get("evidence") in ("pprof", "trace") for m in manifest.values()):
            print(f"{d}: no toolchain for go {index['go_version']}; go tool pprof/trace checks skipped")
        for a in index["artifacts"]:
            errs = []
            scen = manifest.get(a["scenario"])
            path = os.path.join(root, d, a["file"])
            if scen is None:
                print(f"{d}/{a['file']}: scenario not in manifest")
                bad += 1
                continue
            if a["variant"] not in scen["variants"]:
                errs.append(f"variant {a['variant']} not in manifest")
            if not os.path.exists(path):
                print(f"{d}/{a['file']}: missing")
                bad += 1
                continue
            if scen.get("evidence") == "trace":
                if os.path.getsize(path) != a["bytes"]:
                    errs.append("size differs from index")
                check_trace(a, scen, path, go, ver, d, errs)
                seen.setdefault(scen["name"], set()).add((a["variant"], index["go_version"]))
                if errs:
                    bad += 1
                    print(f"{d}/{a['file']}: " + "; ".join(errs))
                continue
            if scen.get("evidence") == "pprof":
                if os.path.getsize(path) != a["bytes"]:
                    errs.append("size differs from index")
                check_pprof(a, scen, path, go, d, errs, pprof_totals.setdefault(scen["name"], {}))
                seen.setdefault(scen["name"], set()).add((a["variant"], index["go_version"]))
                if errs:
                    bad += 1
                    print(f"{d}/{a['file']}: " + "; ".join(errs))
                continue
            text = open(path, errors="replace").read()
            if len(text.encode("utf-8", "surrogateescape")) != a["bytes"] and os.path.getsize(path) != a["bytes"]:
                errs.append("size differs from index")
            if a["exit_code"] != expected_exit(scen, a["variant"]):
                errs.append(f"exit code {a['exit_code']}, want {expected_exit(scen, a['variant'])}")
            msg = scen.get("message")
            for since, m in sorted((scen.get("message_by_version") or {}).items()):
                if ver >= minor(since):
                    msg = m
            if msg and msg not in text:
                errs.append(f"message {msg!r} not found")
            loc = scen["location"]
            needle = f"{loc['file']}:{loc['line']}"
            block = failing_block(text, scen)
            if scen["kind"] == "goroutine-leak":
                if not re.search(re.escape(needle) + r"\b", text) and "debug1" not in a["variant"]:
                    errs.append(f"{needle} not in dump")
                if "debug1" in a["variant"]:
                    if not re.search(re.escape(loc["function"]) + r"\+0x", text):
                        errs.append(f"{loc['function']} not in debug=1 dump")
            elif not re.search(re.escape(needle) + r"(\s|$)", block):
                errs.append(f"{needle} not in failing goroutine")
            for pat, since in features(scen["name"], a["variant"], ver):
                if since and ver < since:
                    continue
                if not re.search(pat, text):
                    errs.append(f"feature /{pat}/ missing")
            seen.setdefault(scen["name"], set()).add((a["variant"], index["go_version"]))
            if errs:
                bad += 1
                print(f"{d}/{a['file']}: " + "; ".join(errs))
        for name, totals in pprof_totals.items():
            for msg in check_growth(manifest[name], totals, d):
                print(msg)
                bad += 1
    print(f"checked {sum(len(v) for v in seen.values())} artifacts, {bad} problem(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
