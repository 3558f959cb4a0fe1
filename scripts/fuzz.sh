#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/), each seeded from the lab's own
# artifacts, for SECONDS each (default 600), one after the other.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Targets: traceback sniff pprof trace exe core exe_core archive (all by default).
# Seeds go to target/fuzz-seeds/<target>/ (rebuilt each run; the fuzzer adds
# what it finds there), logs to target/fuzz-logs/<target>.log, and a failing
# input to fuzz/artifacts/<target>/ — keep it as a regression test (see
# docs/fuzzing.md). Needs cargo-fuzz (`cargo install cargo-fuzz`); it runs the
# nightly-only sanitizer flags through RUSTC_BOOTSTRAP=1 on a stable toolchain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECS=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(traceback sniff pprof trace exe core exe_core archive)
SEEDS=target/fuzz-seeds
LOGS=target/fuzz-logs
mkdir -p "$LOGS"

seed() { # target, then files (gzip ones are inflated)
  local t=$1 dir="$SEEDS/$1"
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  local n=0 f
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    case "$f" in
    *.gz) gzip -dc "$f" >"$dir/$n" 2>/dev/null || cp "$f" "$dir/$n" ;;
    *) cp "$f" "$dir/$n" ;;
    esac
  done
}

# Text: crash texts and dumps of two versions, and the real-world corpus.
texts=(lab/artifacts/go1.21.13/*.txt lab/artifacts/go1.27.3/*.txt testdata/realworld/*.txt)
status=0
for t in "${TARGETS[@]}"; do
  maxlen=262144
  case $t in
  traceback | sniff) seed "$t" "${texts[@]}" ;;
  pprof) seed "$t" lab/artifacts/go1.24.11/*.pb.gz lab/artifacts/go1.27.3/*.pb.gz ;;
  trace)
    seed "$t" $(find lab/artifacts/go1.22.10 lab/artifacts/go1.27.3 -name '*.out' -size -300k)
    maxlen=1048576
    ;;
  exe)
    seed "$t" lab/cores/go1.26.6/nil-deref.plain.exe.gz lab/cores/go1.22.10/labels.stripped.exe.gz
    maxlen=4194304
    ;;
  core)
    seed "$t" lab/cores/go1.26.6/*.core.gz
    maxlen=4194304
    ;;
  exe_core) seed "$t" ;; # patches of the lab pair; the empty input is the pair itself
  archive)
    # Small bundles packed as `run --report` packs them (plain tar: the
    # fuzzer mutates the tar, not the deflate stream).
    rm -rf "$SEEDS/$t" && mkdir -p "$SEEDS/$t"
    for f in nil-deref.txt deadlock-abba.crash.txt goroutine-leak.debug2-1.txt; do
      tar -cf "$SEEDS/$t/$f.tar" -C lab/artifacts/go1.24.11 "$f"
    done
    ;;
  *)
    echo "fuzz.sh: unknown target $t" >&2
    exit 2
    ;;
  esac
  echo "fuzz.sh: $t for ${SECS}s ($(ls "$SEEDS/$t" | wc -l) seeds)"
  if (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "../$SEEDS/$t" -- \
    -max_total_time="$SECS" -max_len="$maxlen" -rss_limit_mb=4096 -timeout=20 \
    -print_final_stats=1) >"$LOGS/$t.log" 2>&1; then
    echo "fuzz.sh: $t clean: $(grep -E '^stat::number_of_executed_units' "$LOGS/$t.log" | awk '{print $2}') runs"
  else
    status=1
    echo "fuzz.sh: $t FAILED: see $LOGS/$t.log and fuzz/artifacts/$t/"
    grep -E 'panicked|ERROR|SUMMARY' "$LOGS/$t.log" | head -5
  fi
done
exit $status
