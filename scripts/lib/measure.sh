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
