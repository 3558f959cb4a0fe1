#!/usr/bin/env python3
"""Scores godiag on the real-world corpus (testdata/realworld): crash texts
quoted from public issues, each labelled with the root cause's finding kind
and function as the maintainers or the fix stated it.

    cargo build --release && python3 scripts/realworld.py [--split dev|holdout|all] [--show] [--markdown]

A text is right when the top finding's kind and function both match the
label. Prints the figure per shape and per split (dev: worked on; holdout:
kept unseen while the readers were written). --show lists what was wrong.
--markdown prints the table for docs/accuracy.md.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GODIAG = os.environ.get("GODIAG", os.path.join(ROOT, "target", "release", "godiag"))
CORPUS = os.path.join(ROOT, "testdata", "realworld")


def labels():
    with open(os.path.join(CORPUS, "labels.json")) as f:
        return json.load(f)


# First elements of the standard library's package paths (as godiag-model).
STD_ROOTS = set("""archive bufio builtin bytes cmp compress container context crypto
database debug embed encoding errors expvar flag fmt go hash html image index internal io iter
log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs
sync syscall testing text time type unicode unique unsafe vendor weak""".split())


def package_of(function):
    slash = function.rfind("/") + 1
    dot = function.find(".", slash)
    return function if dot < 0 else function[:dot]


def is_std(pkg):
    """As godiag-model: `vendor/` is the standard library's only for its
    vendored golang.org/x (golang_org/x before Go 1.13)."""
    if pkg.startswith("vendor/"):
        return pkg.startswith(("vendor/golang.org/x/", "vendor/golang_org/x/"))
    return pkg.split("/")[0].split(":")[0] in STD_ROOTS


def same_place(got, want):
    """The function names match; an empty label means the text has no frame
    of the program, so no program location may be claimed."""
    if want == "":
        return not got or is_std(package_of(got))
    return got == want


def top_finding(path):
    out = subprocess.run([GODIAG, "analyze", "--format", "json", path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, None, f"exit {out.returncode}: {out.stderr.strip()[:200]}"
    report = json.loads(out.stdout)
    if not report["findings"]:
        status = report["inputs"][0]["status"] if report["inputs"] else "?"
        return None, None, f"no finding ({status})"
    top = report["findings"][0]
    loc = top.get("location") or {}
    return top["kind"], loc.get("function"), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="all", choices=["dev", "holdout", "all"])
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not os.access(GODIAG, os.X_OK):
        sys.exit(f"{GODIAG} missing: run cargo build --release first")
    rows = {}  # (split, shape) -> [right, total]
    wrong = []
    for entry in labels():
        split = entry["split"]
        if args.split != "all" and split != args.split:
            continue
        kind, function, err = top_finding(os.path.join(CORPUS, entry["file"]))
        ok = kind == entry["kind"] and same_place(function, entry["function"])
        cell = rows.setdefault((split, entry["shape"]), [0, 0])
        cell[0] += ok
        cell[1] += 1
        if not ok:
            wrong.append((split, entry["file"], f'{entry["kind"]} {entry["function"]}',
                          err or f"{kind} {function}"))
    splits = sorted({s for s, _ in rows})
    shapes = sorted({sh for _, sh in rows})
    if args.markdown:
        print("| shape | " + " | ".join(splits) + " |")
        print("|---|" + "---|" * len(splits))
        for sh in shapes:
            cells = []
            for s in splits:
                r, t = rows.get((s, sh), [0, 0])
                cells.append(f"{r}/{t}" if t else "—")
            print(f"| {sh} | " + " | ".join(cells) + " |")
    else:
        for sh in shapes:
            print(f"{sh:24}", "  ".join(f"{s}: {rows.get((s, sh), [0, 0])[0]}/{rows.get((s, sh), [0, 0])[1]}" for s in splits))
    for s in splits:
        r = sum(v[0] for (sp, _), v in rows.items() if sp == s)
        t = sum(v[1] for (sp, _), v in rows.items() if sp == s)
        print(f"{s}: {r}/{t} = {100.0 * r / max(t, 1):.0f} %")
    r = sum(v[0] for v in rows.values())
    t = sum(v[1] for v in rows.values())
    print(f"total: {r}/{t} = {100.0 * r / max(t, 1):.0f} %")
    if args.show:
        for s, f, want, got in wrong:
            print(f"  [{s}] {f}\n      want {want}\n      got  {got}")


if __name__ == "__main__":
    main()
