#!/usr/bin/env python3
"""Benchmark how long `godiag attach` stops a live Go program, against gdb
(with the Go runtime's runtime-gdb.py: `info goroutines`) and dlv (`attach`,
`goroutines`), on the same running program in the same run.

The program is lab/cmd/hang with 100,000 parked request goroutines (and the
AB/BA deadlock), built with Go 1.24.11. Its heartbeat prints a line every
5 ms; the pause each tool caused is the longest gap between heartbeats while
the tool ran, as the program itself saw it. godiag also reports the pause it
measured (first thread stopped to last let go).

    scripts/bench-attach.py                 # godiag, gdb, dlv (if found)
    DLV=/path/to/dlv scripts/bench-attach.py

Environment: DLV (dlv binary, built outside this repository; default: dlv in
PATH, skipped if missing), RUNS (default 3), PARKED (default 100000),
OWN_REPLIES=1 (each parked goroutine waits on a channel of its own: as many
wait objects as goroutines), TOOLS (default "godiag gdb dlv"), GODIAG (the
godiag binary; default the release build made here).
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOV = "1.24.11"
GO = ROOT / f".cache/go/{GOV}/bin/go"
RUNS = int(os.environ.get("RUNS", "3"))
PARKED = os.environ.get("PARKED", "100000")
OUT = ROOT / "target/bench/attach"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    if not GO.exists():
        sys.exit(f"bench-attach: Go {GOV} is not installed at {GO} (scripts/test.sh installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")
    log("building lab/cmd/hang and godiag")
    subprocess.run([GO, "build", "-o", OUT / "hang", "./cmd/hang"], cwd=ROOT / "lab", env=env, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "godiag"], cwd=ROOT, check=True)
    godiag = Path(os.environ.get("GODIAG") or ROOT / "target/release/godiag")
    goroot = subprocess.run([GO, "env", "GOROOT"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    only = os.environ.get("TOOLS", "godiag gdb dlv").split()
    dlv = (os.environ.get("DLV") or shutil.which("dlv")) if "dlv" in only else None
    gdb = shutil.which("gdb") if "gdb" in only else None

    replies = ["-own-replies"] if os.environ.get("OWN_REPLIES") == "1" else []
    prog = subprocess.Popen([OUT / "hang", "-parked", PARKED, *replies, "-beat", "5ms"], stdout=subprocess.PIPE, text=True)
    beats = []  # monotonic times of heartbeat lines
    ready = threading.Event()

    def read():
        for line in prog.stdout:
            if line.startswith("ready"):
                ready.set()
            elif line.startswith("beat"):
                beats.append(time.monotonic())

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(120):
        sys.exit("bench-attach: the program never got ready")
    time.sleep(1)
    pid = str(prog.pid)

    init = OUT / "dlv-init"
    init.write_text("goroutines\n")
    report = OUT / "godiag.json"
    tools = [("godiag", "godiag attach PID --format json -o FILE",
              [godiag, "attach", pid, "--format", "json", "-o", report])]
    if gdb:
        tools.append(("gdb", "gdb -p PID -batch -ex 'source runtime-gdb.py' -ex 'info goroutines'",
                      [gdb, "-p", pid, "-batch", "-nx", "-iex", "set auto-load python-scripts off",
                       "-ex", f"source {goroot}/src/runtime/runtime-gdb.py", "-ex", "info goroutines"]))
    if dlv:
        tools.append(("dlv", "dlv attach PID: goroutines, exit, do not kill",
                      ["env", "GO_TELEMETRY_CHILD=2", dlv, "attach", pid, "--init", init,
                       "--check-go-version=false", "--allow-non-terminal-interactive=true"]))
    else:
        log("bench-attach: no dlv (set DLV=/path/to/dlv, built outside this repository); skipping dlv")

    rows = []
    for name, shown, cmd in tools:
        walls, gaps, own = [], [], []
        for _ in range(RUNS):
            time.sleep(0.5)
            start = time.monotonic()
            # dlv asks on exit whether to kill the process; the end of its
            # input answers (it detaches and leaves the process running).
            run = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            end = time.monotonic()
            # dlv ends with status 2 when its kill question meets the end of
            # its input; it has detached by then (checked below: the program
            # still runs).
            if run.returncode != 0 and name != "dlv":
                sys.exit(f"bench-attach: {name} failed: {run.stderr.decode(errors='replace')[-500:]}")
            time.sleep(0.3)
            seen = [t for t in beats if start - 0.05 <= t <= end + 0.3]
            gap = max((b - a for a, b in zip(seen, seen[1:])), default=end - start)
            walls.append(end - start)
            gaps.append(gap)
            if name == "godiag":
                stop = json.loads(report.read_text())["inputs"][0]["process"]
                # The longest stop, as the heartbeat sees it (attach stops twice).
                own.append(max(stop.get("pauses_us") or [stop["paused_us"]]) / 1e6)
        rows.append((name, shown, walls, gaps, own))
        if prog.poll() is not None:
            sys.exit(f"bench-attach: the program exited after {name}")
    alive = prog.poll() is None
    prog.kill()
    prog.wait()

    def med(xs):
        return sorted(xs)[len(xs) // 2]

    print(f"Program: lab/cmd/hang -parked {PARKED} (Go {GOV}), heartbeat every 5 ms; "
          f"{os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]}; {RUNS} runs each; "
          f"still running after all: {alive}")
    if dlv:
        v = subprocess.run(["env", "GO_TELEMETRY_CHILD=2", dlv, "version"], capture_output=True, text=True).stdout
        print("dlv: " + " ".join(l for l in v.splitlines() if l.startswith("Version")))
    if gdb:
        print("gdb: " + subprocess.run([gdb, "--version"], capture_output=True, text=True).stdout.splitlines()[0])
    print()
    print("| tool | command | longest heartbeat gap (pause) per run | median | wall per run | godiag's own measure |")
    print("|---|---|---|---|---|---|")
    for name, shown, walls, gaps, own in rows:
        print(f"| {name} | `{shown}` | {', '.join(f'{g:.3f}' for g in gaps)} s | **{med(gaps):.3f} s** | "
              f"{', '.join(f'{w:.2f}' for w in walls)} s | "
              f"{', '.join(f'{o:.3f}' for o in own) + ' s' if own else '—'} |")


if __name__ == "__main__":
    main()
