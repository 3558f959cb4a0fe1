#!/usr/bin/env bash
# Compares godiag's execution-trace reader with `go tool trace` on every lab trace
# (lab/artifacts/go<VER>/*.out and profiles/trace.out, Go 1.22 and later):
#
#   * the ordered event stream: godiag-trace's `trace_events` example prints each
#     event as `go tool trace -d=parsed` does; both outputs are normalised (Sync
#     lines dropped, the 1.24/1.25 spellings of metric values and transitions
#     mapped to 1.26's) and must be identical, event by event and stack by stack.
#     For a trace cut short, Go prints the events before the damage; those must be
#     a prefix of godiag's (which also salvages the readable part of the last
#     generation with --salvage; the strict run used here stops where Go stops).
#   * the four blocking profiles: `godiag export --format pprof --profile K` and
#     `go tool trace -pprof=K` must have the same totals of `delay` and
#     `contentions` (read back with `go tool pprof -top`).
#
# The event oracle is the writing version's own `go tool trace` from 1.24 on; traces
# of 1.22 and 1.23 (whose tools lack -d=parsed) are read with 1.24.11's. The profile
# oracle is Go 1.26.6's `go tool trace -pprof` for every version (it reads all wire
# versions): 1.24's and 1.25's compute different totals on the same trace.
#
#   scripts/trace-agreement.sh              # all versions
#   scripts/trace-agreement.sh 1.26.6 ...   # only these
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3)
cargo build --release -q -p godiag -p godiag-trace --example trace_events --bin godiag
EV="$ROOT/target/release/examples/trace_events"
GD="$ROOT/target/release/godiag"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
export GOTOOLCHAIN=local
PGO="$ROOT/.cache/go/1.26.6/bin/go"
norm() {
  python3 - "$1" <<'PY'
import re, sys
# Events: a header line, then optional TransitionStack= and Stack= blocks.
events = []
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    if not line.strip():
        continue
    if line.startswith("M="):
        line = re.sub(r"Value\{(\w+\([^)]*\))\}", r"\1", line)
        line = re.sub(r'Resource=\S+ Reason=("[^"]*") ((?:GoID|ProcID)=\d+) (\w+->\w+)', r"\2 \3 Reason=\1", line)
        events.append([line, {}, None])
    elif not events:
        continue
    elif line in ("TransitionStack=", "Stack="):
        events[-1][2] = line
        events[-1][1][line] = []
    elif events[-1][2]:
        events[-1][1][events[-1][2]].append(line)
out = []
for head, blocks, _ in events:
    if " Sync Time=" in head:
        continue
    ts, st = blocks.get("TransitionStack="), blocks.get("Stack=")
    out.append(head)
    # 1.24/1.25 leave the transition stack of a status event unset; 1.26 repeats it.
    if ts is not None and ts != st:
        out += ["TransitionStack="] + ts
    if st is not None:
        out += ["Stack="] + st
print("\n".join(out))
PY
}
pass=0; fail=0
for V in "${VERSIONS[@]}"; do
  case "$V" in 1.22.*|1.23.*) OV=1.24.11 ;; *) OV=$V ;; esac
  GO="$ROOT/.cache/go/$OV/bin/go"
  [ -x "$GO" ] || { echo "missing toolchain $OV (lab/regen.sh installs it)"; exit 1; }
  for f in lab/artifacts/go$V/*.out lab/artifacts/go$V/profiles/trace.out; do
    [ -f "$f" ] || continue
    "$EV" "$f" > "$TMP/ours.txt" 2> "$TMP/ours.err" || true
    "$GO" tool trace -d=parsed "$f" > "$TMP/go.txt" 2> "$TMP/go.err" || true
    norm "$TMP/ours.txt" > "$TMP/o.n"; norm "$TMP/go.txt" > "$TMP/g.n"
    n_go=$(grep -c '^M=' "$TMP/g.n" || true); n_ours=$(grep -c '^M=' "$TMP/o.n" || true)
    if cmp -s "$TMP/o.n" "$TMP/g.n"; then
      verdict="events identical ($n_go)"
    elif [ -s "$TMP/go.err" ] && [ "$(head -c "$(stat -c %s "$TMP/g.n")" "$TMP/o.n")" = "$(cat "$TMP/g.n")" ]; then
      verdict="events: Go's $n_go are a prefix of ours ($n_ours); Go: $(grep -o 'incomplete generation[^;]*\|truncated[^;]*' "$TMP/go.err" | head -1)"
    else
      verdict="EVENTS DIFFER (ours $n_ours, go $n_go): $(diff "$TMP/o.n" "$TMP/g.n" | head -3 | tr '\n' ' ' | cut -c1-200)"
      fail=$((fail+1)); echo "FAIL $f: $verdict"; continue
    fi
    bad=""
    for K in net sync syscall sched; do
      "$GD" export "$f" --format pprof --profile $K -o "$TMP/o.pb.gz" 2>/dev/null || true
      "$PGO" tool trace -pprof=$K "$f" > "$TMP/g.pb" 2>/dev/null || { bad="$bad $K(go failed)"; continue; }
      for SI in delay contentions; do
        a=$("$PGO" tool pprof -top -unit=ns -sample_index=$SI "$TMP/o.pb.gz" 2>&1 | grep -o 'of [^ ]* total' || echo "of 0 total")
        b=$("$PGO" tool pprof -top -unit=ns -sample_index=$SI "$TMP/g.pb" 2>&1 | grep -o 'of [^ ]* total' || echo "of 0 total")
        [ "$a" = "$b" ] || bad="$bad $K/$SI(ours '$a' go '$b')"
      done
    done
    if [ -n "$bad" ]; then
      # A trace cut short: go tool trace keeps only whole generations.
      if [ -s "$TMP/go.err" ]; then verdict="$verdict; profiles differ on the cut trace:$bad"
      else fail=$((fail+1)); echo "FAIL $f: $verdict; profiles:$bad"; continue; fi
    else
      verdict="$verdict; 4 profiles × 2 totals identical"
    fi
    pass=$((pass+1)); echo "ok   $f ($OV): $verdict"
  done
done
echo "trace agreement: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
