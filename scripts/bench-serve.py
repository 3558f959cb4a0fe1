#!/usr/bin/env python3
"""Benchmark `godiag serve` ingest: REPORTS reports (default 10,000) from
SENDERS concurrent senders (default 8), on SQLite and on a real PostgreSQL
(Debian's, started here: initdb as nobody, loopback, fsync on), each
through a fresh `godiag serve` (release build) on loopback.

The reports are the lab's real crash texts and goroutine dumps of all seven
Go versions (every `*.txt` under lab/artifacts that serve accepts), sent
round-robin with service, version and host headers, one keep-alive
connection per sender. Every answer must be 201. Reported: wall time,
throughput, latency p50/p90/p99/max as each sender saw it, and the groups
made.

    cargo build --release && scripts/bench-serve.py
    STORES=sqlite scripts/bench-serve.py

Environment: REPORTS, SENDERS, STORES (sqlite,postgres).
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GODIAG = ROOT / "target/release/godiag"
REPORTS = int(os.environ.get("REPORTS", "10000"))
SENDERS = int(os.environ.get("SENDERS", "8"))
STORES = os.environ.get("STORES", "sqlite,postgres").split(",")
OUT = ROOT / "target/bench/serve"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def corpus():
    """The lab's texts serve takes (crash texts, dumps), all versions."""
    out = []
    for d in sorted((ROOT / "lab/artifacts").glob("go1.*")):
        for f in sorted(d.glob("*.txt")):
            out.append((d.name[2:], f.name, f.read_bytes()))
    return out


def postgres(dir):
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        sys.exit("PostgreSQL (Debian postgresql) is not installed")
    bin = bins[-1].parent
    data = dir / "pgdata"
    data.mkdir(parents=True)
    os.chown(data, 65534, 65534)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    subprocess.run(nobody + [bin / "initdb", "-D", data, "-U", "godiag", "--auth=trust",
                             "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(nobody + [bin / "postgres", "-D", data, "-p", str(port),
                                      "-h", "127.0.0.1", "-k", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    until = time.time() + 30
    while subprocess.run([bin / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "godiag",
                          "-d", "postgres", "-c", "CREATE DATABASE godiag"],
                         capture_output=True).returncode != 0:
        if time.time() > until:
            sys.exit("PostgreSQL never started")
        time.sleep(0.2)
    version = subprocess.run([bin / "postgres", "--version"], capture_output=True,
                             text=True).stdout.strip()
    return proc, f"postgres://godiag@127.0.0.1:{port}/godiag", version


def serve(db, log_path):
    port = free_port()
    proc = subprocess.Popen([GODIAG, "serve", "--listen", f"127.0.0.1:{port}", "--db", db,
                             "--rate-limit", "0"],
                            stderr=open(log_path, "w"))
    until = time.time() + 30
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/v1/groups")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        if time.time() > until:
            sys.exit("serve never answered")
        time.sleep(0.1)


def run(port, reports):
    latencies = [[] for _ in range(SENDERS)]
    failures = []

    def sender(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(k, REPORTS, SENDERS):
            version, name, body = reports[i % len(reports)]
            headers = {"X-Godiag-Service": f"svc-{i % 5}", "X-Godiag-Version": f"go{version}",
                       "X-Godiag-Host": f"host-{k}", "Content-Type": "text/plain"}
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/reports", body=body, headers=headers)
            r = conn.getresponse()
            answer = r.read()
            latencies[k].append(time.perf_counter() - t0)
            if r.status != 201:
                failures.append((name, r.status, answer[:200]))

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return wall, sorted(x for l in latencies for x in l), failures


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    if not GODIAG.exists():
        sys.exit("build first: cargo build --release")
    reports = corpus()
    # What serve refuses (422) is not a report: keep what it takes.
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    proc, port = serve(f"sqlite:{OUT / 'probe.db'}", OUT / "probe.log")
    kept = []
    for r in reports:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/api/v1/reports", body=r[2])
        if c.getresponse().status == 201:
            kept.append(r)
    proc.terminate()
    proc.wait()
    log(f"bench-serve: {len(kept)} lab texts of {len(reports)} accepted; "
        f"{REPORTS} reports from {SENDERS} senders")
    rows = []
    for store in STORES:
        pg = None
        note = "SQLite (bundled), WAL, synchronous=FULL"
        if store == "postgres":
            pg, db, version = postgres(OUT / "pg")
            note = f"{version}, fsync on, one database"
        else:
            db = f"sqlite:{OUT / 'bench.db'}"
        proc, port = serve(db, OUT / f"serve-{store}.log")
        try:
            wall, lat, failures = run(port, kept)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/api/v1/groups")
            groups = json.loads(c.getresponse().read())
        finally:
            proc.terminate()
            proc.wait()
            if pg:
                pg.send_signal(2)
                pg.wait()
        if failures:
            sys.exit(f"{store}: {len(failures)} reports not stored, e.g. {failures[:3]}")
        stored = sum(g["count"] for g in groups)
        if stored != REPORTS:
            sys.exit(f"{store}: {stored} reports stored, not {REPORTS}")
        row = {
            "store": store, "note": note, "reports": REPORTS, "senders": SENDERS,
            "wall_s": round(wall, 2), "per_s": round(REPORTS / wall, 1),
            "p50_ms": round(pct(lat, 0.50) * 1e3, 1), "p90_ms": round(pct(lat, 0.90) * 1e3, 1),
            "p99_ms": round(pct(lat, 0.99) * 1e3, 1), "max_ms": round(lat[-1] * 1e3, 1),
            "groups": len(groups),
        }
        rows.append(row)
        log(json.dumps(row))
    print("| store | reports | senders | wall | throughput | p50 | p90 | p99 | max | groups |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['note']} | {r['reports']:,} | {r['senders']} | {r['wall_s']} s | "
              f"{r['per_s']} reports/s | {r['p50_ms']} ms | {r['p90_ms']} ms | "
              f"{r['p99_ms']} ms | {r['max_ms']} ms | {r['groups']} |")


if __name__ == "__main__":
    main()
