# Shared by the benchmark scripts (sourced, not run).
#
# measure NAME CMD...: runs CMD $RUNS times with stdout to /dev/null, timed
# by GNU time ($TIME), and records "median-wall max-rss-kb" in
# $RESULT_<NAME> and the wall time of each run ("w1 w2 ...") in
# $WALLS_<NAME>. Needs RUNS, TIME, TMP (a scratch directory) and the
# functions log and die from the caller. With MEASURE_FAIL_FAST=1 a failing
# run stops the script.
measure() {
	local name=$1
	shift
	local i wall rss rc walls=() maxrss=0
	log "timing ($RUNS runs): $*"
	for ((i = 1; i <= RUNS; i++)); do
		rc=0
		"$TIME" -f '%e s %M KB' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr" || rc=$?
		if [ "$rc" -ne 0 ]; then
			log "  run $i exited with status $rc; stderr:"
			head -n 20 "$TMP/stderr" >&2
			if [ "${MEASURE_FAIL_FAST:-0}" = 1 ]; then die "command failed"; fi
		fi
		# The last line is ours; earlier ones are "Command exited with ...".
		read -r wall _ rss _ < <(tail -n 1 "$TMP/time")
		log "  run $i: $wall s, $rss KB"
		walls+=("$wall")
		if ((rss > maxrss)); then maxrss=$rss; fi
	done
	wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
	printf -v "RESULT_$name" '%s %s' "$wall" "$maxrss"
	printf -v "WALLS_$name" '%s' "${walls[*]}"
}
