#!/usr/bin/env python3
"""Checks captured artifacts against lab/manifest.json.

Usage: python3 lab/check.py [ARTIFACTS_DIR]   (default lab/artifacts)

For every artifact listed in each go<VER>/index.json it checks that the file exists with
the indexed size, that the expected exit code was seen, that the headline message for that
version is printed, that the root-cause line (file:line) is in the failing goroutine's
frames, and a few variant-specific features. Exits 1 on any failure.
"""
import json
import os
import re
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


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(LAB, "artifacts")
    manifest = {s["name"]: s for s in json.load(open(os.path.join(LAB, "manifest.json")))["scenarios"]}
    bad = 0
    seen = {}
    for d in sorted(os.listdir(root)):
        idx = os.path.join(root, d, "index.json")
        if not os.path.exists(idx):
            continue
        index = json.load(open(idx))
        ver = minor(index["go_version"])
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
    print(f"checked {sum(len(v) for v in seen.values())} artifacts, {bad} problem(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
