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
            if scen.get("evidence") != "pprof":
                continue
            for v in scen["variants"]:
                since = (scen.get("variant_min_go") or {}).get(v, scen.get("min_go", "1.21"))
                if ver >= minor(since) and (scen["name"], v) not in present:
                    print(f"{d}: {scen['name']} variant {v} not indexed")
                    bad += 1
        if go is None and any(m.get("evidence") == "pprof" for m in manifest.values()):
            print(f"{d}: no toolchain for go {index['go_version']}; go tool pprof checks skipped")
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
