#!/usr/bin/env bash
# Checks godiag's pprof top tables against `go tool pprof -top` of the Go
# version that wrote each profile, for every profile under lab/artifacts:
# all *.pb.gz, profiles/heap.pb (raw proto) and the legacy *debug1*.txt texts,
# and the large CPU profile of scripts/bench-pprof.sh when it exists
# (target/bench/big-cpu.pb.gz, or $BIG).
#
#   scripts/pprof-agreement.sh              # all versions
#   scripts/pprof-agreement.sh 1.24.11 ...  # only these versions
#
# For each profile, on its default sample type (default_sample_type, else the
# last one, as pprof):
#   * pprof runs as `go tool pprof -symbolize=none -top -nodecount=20 -nodefraction=0 [-unit=U]`
#     and again with `-lines`, with the toolchain of that version
#     (.cache/go/<VER>/bin/go, GOTOOLCHAIN=local). -unit=ns for nanoseconds and
#     -unit=B for bytes make pprof print raw integers ("%.2f" with ".00"
#     trimmed, exact below 2^53); counts have no scalable unit and print raw
#     with pprof's default -unit=minimum. -nodefraction=0 turns off pprof's
#     display cut (nodes with cum <= 0.5% of the total), which would otherwise
#     show fewer than 20 rows on small profiles; it changes no values.
#   * godiag runs as `target/release/godiag analyze --format json FILE`; its
#     inputs[0].profile has sample_type, total, top (function rows) and
#     top_lines (line rows).
#   * compared: the sample type name, the total, and the rows: with C the flat
#     value of pprof's 20th row, every row with flat > C must be in both tables
#     with the same flat and cum; rows with flat == C (ties at the cut, which
#     pprof orders by name and godiag by cum) must agree on flat and cum where
#     both tables show them, and both tables must have as many rows. Function
#     rows are keyed by function name (pprof's " (inline)" mark dropped),
#     line rows by "function file:line".
#   * the same for every other sample type of the profile (godiag's
#     by_sample_type, pprof's -sample_index=TYPE).
#   * legacy debug=1 texts carry addresses only (their "#" symbol lines are
#     comments to pprof), so pprof without the binary shows one "<unknown>"
#     row. For those only the sample type and the total are compared; the line
#     says "totals only".
#
# Prints one line per profile (OK / DIFF with details) and "N passed, M failed";
# exits 1 on any difference. GODIAG_BUILD=0 skips `cargo build --release`.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
GODIAG=$ROOT/target/release/godiag

if [ "${GODIAG_BUILD:-1}" != 0 ]; then
	echo "cargo build --release" >&2
	cargo build --release --quiet
fi
[ -x "$GODIAG" ] || { echo "pprof-agreement: $GODIAG missing" >&2; exit 2; }
export GOTOOLCHAIN=local

exec python3 - "$ROOT" "$GODIAG" "$@" <<'PY'
import json, os, re, subprocess, sys, glob

root, godiag = sys.argv[1], sys.argv[2]
only = set(sys.argv[3:])
NODECOUNT = 20

def profiles():
    out = []
    for vdir in sorted(glob.glob(os.path.join(root, "lab/artifacts/go*"))):
        ver = os.path.basename(vdir)[2:]
        if only and ver not in only:
            continue
        files = set()
        for dp, _, fs in os.walk(vdir):
            for f in fs:
                p = os.path.join(dp, f)
                rel = os.path.relpath(p, vdir)
                if f.endswith(".pb.gz") or rel == "profiles/heap.pb" or \
                   (f.endswith(".txt") and "debug1" in f):
                    files.add(p)
        out += [(ver, p) for p in sorted(files)]
    # The large CPU profile of scripts/bench-pprof.sh (Go 1.24.11), when present.
    big = os.environ.get("BIG", os.path.join(root, "target/bench/big-cpu.pb.gz"))
    if os.path.exists(big) and (not only or "1.24.11" in only):
        out.append(("1.24.11", big))
    return out

ROW = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$")
NUM = re.compile(r"^(-?[0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$")

def num(tok, unit_suffix):
    m = NUM.match(tok)
    if not m:
        raise ValueError(f"cannot read value {tok!r}")
    v, suf = m.groups()
    if suf not in ("", unit_suffix):
        raise ValueError(f"value {tok!r} is not in {unit_suffix or 'raw counts'}")
    f = float(v)
    if f != int(f):
        raise ValueError(f"value {tok!r} is not an integer")
    return int(f)

def run_pprof(ver, path, unit, lines, sample_index=None):
    go = os.path.join(root, ".cache/go", ver, "bin/go")
    # -symbolize=none: use the symbols in the profile. Go's CPU profiles leave
    # the mapping's has_functions unset, so when the binary still exists at
    # the mapping's path pprof re-symbolizes from it and folds inlined frames
    # differently; godiag reads the profile alone.
    cmd = [go, "tool", "pprof", "-symbolize=none", "-top", f"-nodecount={NODECOUNT}", "-nodefraction=0"]
    if sample_index:
        cmd.append(f"-sample_index={sample_index}")
    suffix = ""
    if unit == "nanoseconds":
        cmd.append("-unit=ns"); suffix = "ns"
    elif unit == "bytes":
        cmd.append("-unit=B"); suffix = "B"
    if lines:
        cmd.append("-lines")
    cmd.append(path)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 and path.endswith(".txt") and \
            "malformed profile format" in r.stderr:
        raise Unreadable("pprof cannot read it: malformed profile format")
    if r.returncode != 0:
        raise RuntimeError(f"pprof failed: {r.stderr.strip()[:300]}")
    typ, total, rows, inrows = None, None, [], False
    for ln in r.stdout.splitlines():
        if ln.startswith("Type: "):
            typ = ln[6:].strip()
        m = re.search(r" of (\S+) total$", ln)
        if m and ln.startswith("Showing nodes"):
            total = num(m.group(1), suffix)
        if re.match(r"^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$", ln):
            inrows = True
            continue
        if inrows and ln.strip():
            m = ROW.match(ln)
            if not m:
                raise ValueError(f"cannot read pprof row {ln!r}")
            name = m.group(6)
            if name.endswith(" (inline)"):
                name = name[: -len(" (inline)")]
            rows.append((name, num(m.group(1), suffix), num(m.group(4), suffix)))
    if total is None:
        raise ValueError("no total in pprof output")
    return typ, total, rows

def run_godiag(path):
    """Returns (profile object or None, inputs[0])."""
    r = subprocess.run([godiag, "analyze", "--format", "json", path],
                       capture_output=True, text=True)
    try:
        inp = json.loads(r.stdout)["inputs"][0]
    except Exception:
        raise RuntimeError(f"godiag gave no report (exit {r.returncode}): "
                           f"{r.stderr.strip()[:300]}")
    return inp.get("profile"), inp

def godiag_rows(prof, lines):
    if lines:
        return [(f"{r['function']} {r['file']}:{r['line']}", r["flat"], r["cum"])
                for r in prof["top_lines"]]
    return [(r["function"], r["flat"], r["cum"]) for r in prof["top"]]

def fmt(rows):
    return "; ".join(f"{n} flat={f} cum={c}" for n, f, c in rows)

def compare_rows(pp, gd, what):
    """Returns a list of difference strings."""
    diffs = []
    if len(pp) != len(gd):
        diffs.append(f"{what}: pprof shows {len(pp)} rows, godiag {len(gd)}")
    if not pp or not gd:
        return diffs
    cut = pp[-1][1] if len(pp) >= NODECOUNT else None

    def group(rows):
        g = {}
        for n, f, c in rows:
            g.setdefault(n, []).append((f, c))
        return {n: sorted(v) for n, v in g.items()}

    def above(rows):
        return [r for r in rows if cut is None or r[1] > cut]

    pa, ga = group(above(pp)), group(above(gd))
    for n in sorted(set(pa) | set(ga)):
        p, g = pa.get(n), ga.get(n)
        if p == g:
            continue
        if g is None:
            # godiag may list it at the cut (or lower): show its values if any
            gg = group(gd).get(n)
            diffs.append(f"{what}: {n}: pprof flat,cum={p}, godiag "
                         + (f"{gg}" if gg else "missing"))
        elif p is None:
            pp_all = group(pp).get(n)
            diffs.append(f"{what}: {n}: godiag flat,cum={g}, pprof "
                         + (f"{pp_all}" if pp_all else "missing"))
        else:
            diffs.append(f"{what}: {n}: pprof flat,cum={p}, godiag {g}")
    if cut is not None:
        # ties at the cut: both tables end at the same flat value, and rows
        # present in both agree
        if gd[-1][1] != cut and len(gd) >= NODECOUNT:
            diffs.append(f"{what}: 20th row flat: pprof {cut}, godiag {gd[-1][1]}")
        pt = group([r for r in pp if r[1] == cut])
        gt = group([r for r in gd if r[1] <= cut])
        for n in sorted(set(pt) & set(gt)):
            if pt[n] != gt[n]:
                diffs.append(f"{what}: {n} (at cut): pprof flat,cum={pt[n]}, godiag {gt[n]}")
    return diffs

class Done(Exception):
    pass

class Unreadable(Exception):
    pass

passed = failed = skipped = 0
totals_only = goroutine_texts = other_types = 0
for ver, path in profiles():
    rel = os.path.relpath(path, os.path.join(root, "lab/artifacts"))
    try:
        prof, inp = run_godiag(path)
        diffs = []
        if prof is None and inp.get("kind") == "goroutine-count-dump":
            # godiag reads the debug=1 goroutine text as a goroutine dump
            # (grouped stacks, not a profile): compare the goroutine count.
            typ, total, rows = run_pprof(ver, path, "count", False)
            # The goroutine leak profile (Go 1.26+) has the same text form.
            if typ not in ("goroutine", "goroutineleak"):
                diffs.append(f"sample type: pprof {typ}, godiag goroutine count")
            if total != inp.get("goroutines"):
                diffs.append(f"total: pprof {total}, godiag goroutines {inp.get('goroutines')}")
            note = " (goroutine count only: godiag reads it as a goroutine dump)"
            goroutine_texts += 1
            raise Done()
        if prof is None:
            raise RuntimeError(f"godiag read it as {inp.get('kind')!r}, not a profile")
        unit = prof.get("unit", "")
        typ, total, rows = run_pprof(ver, path, unit, False)
        if typ != prof.get("sample_type"):
            diffs.append(f"sample type: pprof {typ}, godiag {prof.get('sample_type')}")
        if total != prof.get("total"):
            diffs.append(f"total: pprof {total}, godiag {prof.get('total')}")
            m = re.match(r"heap profile: *\d+: *(\d+) \[", open(path, errors="replace").readline())
            if m and typ == "inuse_space":
                diffs.append(f"(the header's sampled in-use bytes are {m.group(1)}; pprof scales "
                             "each legacy heap record by 1/(1-exp(-avgsize/rate)), godiag "
                             "keeps the sampled values, see godiag-pprof/src/legacy.rs)")
        unsymbolized = any(n == "<unknown>" or re.match(r"^0x[0-9a-f]+$", n)
                           for n, _, _ in rows)
        note = ""
        if unsymbolized:
            note = " (totals only: pprof shows <unknown> frames, no symbols)"
            totals_only += 1
        else:
            diffs += compare_rows(rows, godiag_rows(prof, False), "top")
            _, ltotal, lrows = run_pprof(ver, path, unit, True)
            if ltotal != total:
                diffs.append(f"pprof -lines total {ltotal} != {total}")
            diffs += compare_rows(lrows, godiag_rows(prof, True), "top -lines")
        # The other sample types (by_sample_type), with -sample_index.
        others = [t for t in prof.get("by_sample_type", [])
                  if t["sample_type"] != prof.get("sample_type")]
        for t in others:
            st = t["sample_type"]
            otyp, ototal, orows = run_pprof(ver, path, t["unit"], False, st)
            if otyp != st:
                diffs.append(f"[{st}] sample type: pprof {otyp}")
            if ototal != t["total"]:
                diffs.append(f"[{st}] total: pprof {ototal}, godiag {t['total']}")
            if not unsymbolized:
                diffs += compare_rows(orows, godiag_rows(t, False), f"[{st}] top")
                _, _, lrows = run_pprof(ver, path, t["unit"], True, st)
                diffs += compare_rows(lrows, godiag_rows(t, True), f"[{st}] top -lines")
        if others:
            note += f" (+{len(others)} other sample type{'s' if len(others) > 1 else ''}: " \
                    + ", ".join(t["sample_type"] for t in others) + ")"
            other_types += len(others)
    except Done:
        pass
    except Unreadable as e:
        skipped += 1
        gt = prof.get("total") if prof else inp.get("goroutines")
        print(f"SKIP {os.path.relpath(path, os.path.join(root, 'lab/artifacts'))}: {e} "
              f"(godiag: {prof.get('sample_type') if prof else inp.get('kind')} total={gt})")
        continue
    except Exception as e:
        diffs, note, typ, total = [f"error: {e}"], "", "?", "?"
    head = f"{rel}: {typ} total={total}"
    if diffs:
        failed += 1
        print(f"DIFF {head}")
        for d in diffs:
            print(f"     {d}")
    else:
        passed += 1
        print(f"OK   {head}{note}")
    sys.stdout.flush()

notes = []
if other_types:
    notes.append(f"besides the default, {other_types} other sample types compared the same way")
if totals_only:
    notes.append(f"{totals_only} legacy texts compared on totals only")
if goroutine_texts:
    notes.append(f"{goroutine_texts} goroutine debug=1 texts on the goroutine count only")
if skipped:
    notes.append(f"{skipped} skipped: pprof cannot read them")
print(f"{passed} passed, {failed} failed" + (f" ({'; '.join(notes)})" if notes else ""))
sys.exit(1 if failed else 0)
PY
