"""Benchmark of the service: payment posted -> `access_restored` webhook received.

Starts `termline serve` on a fresh database (a SQLite file by default, or --db URL), a
webhook receiver on loopback, and N SmartWeb contracts started 40 days ago, so each is
suspended today (4.3); then posts, one at a time, the payment that reopens each one and times
how long the signed `access_restored` webhook takes to arrive. Prints p50, p95 and max.

With `--throughput`: POST /v1/events from `--clients` concurrent clients (default 32) while
the scheduler applies them (payments dated today on contracts started today), then the
latency of single requests on the idle server; prints events/s, p50 and p99.

Usage: python bench/service_latency.py [--tries 200] [--db URL] [--json]
       python bench/service_latency.py --throughput [--events 5000] [--clients 32]
              [--contracts 200] [--db URL] [--json]
`--termline PATH` runs another build's `termline` (e.g. the version before a change).
`--driver wrk` sends the events with wrk (Debian's `wrk`, C, one connection per client) for
`--seconds` instead of Python threads, so that the client's own CPU does not take the server's
share of a small machine; its latencies are wrk's (p50 and p99 of every request).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

TERMLINE = str(Path(sys.executable).parent / "termline")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.secret = ""
        self.arrived: dict[tuple[str, str], float] = {}
        self.cond = threading.Condition()

    def wait(self, key: tuple[str, str], timeout: float = 60) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: key in self.arrived, timeout):
                raise TimeoutError(f"no {key[1]} webhook for {key[0]}")
            return self.arrived[key]


def receiver(inbox: Inbox) -> str:
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            at = time.perf_counter()
            data = Webhook(inbox.secret).verify(body, dict(self.headers.items()))
            with inbox.cond:
                inbox.arrived[(data["data"]["contract"], data["type"])] = at
                inbox.cond.notify_all()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/hooks"


def cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([TERMLINE, *args], env=env, check=True, capture_output=True,
                          text=True).stdout


def _start(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    extra = ["--workers", str(workers)] if workers > 1 else []
    server = subprocess.Popen([TERMLINE, "serve", "--port", str(port), *extra], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return server, url


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q + 0.5) - 1))], 1)


WRK_SCRIPT = """
local n = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function request()
  n = n + 1
  local body = string.format(
    '{"date":"%s","type":"payment","contract":"t%04d","amount":"1.00","reference":"wrk-%d-%d"}',
    os.getenv("BENCH_TODAY"), n % tonumber(os.getenv("BENCH_CONTRACTS")), tid, n)
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}, body)
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(args: argparse.Namespace, url: str, key: str, today: str) -> dict[str, Any]:
    """The loaded part by wrk: (events/s, p50 ms, p99 ms), refusing any failed request."""
    script = Path(tempfile.mkdtemp(prefix="termline-wrk-")) / "events.lua"
    script.write_text(WRK_SCRIPT)
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds}s", "--timeout",
         "30s", "-s", str(script), url],
        env={**os.environ, "BENCH_TODAY": today, "BENCH_CONTRACTS": str(args.contracts),
             "BENCH_KEY": key}, check=True, capture_output=True, text=True).stdout
    found = json.loads(done.strip().splitlines()[-1])
    if found["non2xx"] or found["socket_errors"]:
        raise SystemExit(f"wrk: {found['non2xx']} answers not 2xx, {found['socket_errors']} "
                         f"socket errors of {found['requests']}")
    return {"events": found["requests"], "events_per_s":
            round(found["requests"] / (found["duration_us"] / 1e6), 1),
            "p50_ms": round(found["p50_us"] / 1000, 1), "p99_ms": round(found["p99_us"] / 1000, 1)}


def throughput(args: argparse.Namespace, env: dict[str, str], key: str) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    server, url = _start(env, args.workers)
    auth = {"Authorization": f"Bearer {key}"}
    try:
        client = httpx.Client(base_url=url, timeout=120, headers=auth,
                              limits=httpx.Limits(max_connections=args.clients + 4))
        today = datetime.now(UTC).date()
        ids = [f"t{i:04d}" for i in range(args.contracts)]
        for cid in ids:
            client.post("/v1/contracts", json={
                "id": cid, "policy": "smartweb", "start": today.isoformat(),
                "customer": {"name": cid},
                "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}
            ).raise_for_status()
        time.sleep(2)  # the scheduler runs the new contracts' first day

        def post(i: int) -> float:
            started = time.perf_counter()
            answer = client.post("/v1/events", json={
                "date": today.isoformat(), "type": "payment", "contract": ids[i % len(ids)],
                "amount": "1.00", "reference": f"bench-{i}"})
            answer.raise_for_status()
            return (time.perf_counter() - started) * 1000

        if args.driver == "wrk":
            loaded_by = _wrk(args, url, key, today.isoformat())
        else:
            began = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                loaded = list(pool.map(post, range(args.events)))
            wall = time.perf_counter() - began
            loaded_by = {"events": args.events, "events_per_s": round(args.events / wall, 1),
                         "p50_ms": _pct(loaded, 0.50), "p99_ms": _pct(loaded, 0.99)}
        time.sleep(2)  # let the scheduler settle before the idle measurement
        idle_post = [post(10_000_000 + i) for i in range(100)]
        idle_get = []
        for _ in range(100):
            started = time.perf_counter()
            client.get(f"/v1/contracts/{ids[0]}").raise_for_status()
            idle_get.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait()
    return {"db": env["TERMLINE_DATABASE_URL"].split(":")[0], "clients": args.clients,
            "workers": args.workers, "driver": args.driver, **loaded_by,
            "idle_post_p50_ms": _pct(idle_post, 0.50),
            "idle_get_p50_ms": _pct(idle_get, 0.50)}


def main() -> None:
    global TERMLINE
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=200)
    parser.add_argument("--db", default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--termline", default=None)
    parser.add_argument("--driver", choices=("threads", "wrk"), default="threads")
    parser.add_argument("--seconds", type=int, default=20, help="wrk's duration")
    args = parser.parse_args()
    if args.termline:
        TERMLINE = args.termline
    work = Path(tempfile.mkdtemp(prefix="termline-bench-"))
    db = args.db or f"sqlite:///{work / 'service.db'}"
    env = {**os.environ, "TERMLINE_DATABASE_URL": db, "TERMLINE_OUTBOX_DIR": str(work / "out")}
    cli(env, "db", "upgrade")
    cli(env, "tenant", "add", "bench", "--timezone", "UTC")
    key = json.loads(cli(env, "key", "create", "--tenant", "bench", "--scope", "write",
                         "--json"))["key"]
    if args.throughput:
        found = throughput(args, env, key)
        print(json.dumps(found) if args.json else
              f"{found['events']} events from {found['clients']} clients ({found['db']}, "
              f"{found['workers']} worker(s)): {found['events_per_s']} events/s, p50 "
              f"{found['p50_ms']} ms, p99 {found['p99_ms']} ms; idle: POST "
              f"{found['idle_post_p50_ms']} ms, GET {found['idle_get_p50_ms']} ms (p50)")
        return
    port = free_port()
    server = subprocess.Popen([TERMLINE, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                              headers={"Authorization": f"Bearer {key}"})
        for _ in range(300):
            try:
                if client.get("/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        inbox = Inbox()
        made = client.post("/v1/webhook_endpoints", json={
            "url": receiver(inbox), "events": ["access_suspended", "access_restored"]}).json()
        inbox.secret = made["secret"]
        today = datetime.now(UTC).date()
        start = today - timedelta(days=40)
        ids = [f"b{i:04d}" for i in range(args.tries)]
        for cid in ids:
            client.post("/v1/contracts", json={
                "id": cid, "policy": "smartweb", "start": start.isoformat(),
                "customer": {"name": cid},
                "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}
            ).raise_for_status()
        for cid in ids:
            inbox.wait((cid, "access_suspended"))
        latencies = []
        for cid in ids:
            posted = time.perf_counter()
            client.post("/v1/events", json={"date": today.isoformat(), "type": "payment",
                                            "contract": cid, "amount": "628.00"}
                        ).raise_for_status()
            latencies.append(inbox.wait((cid, "access_restored")) - posted)
    finally:
        server.terminate()
        server.wait()
    ms = sorted(x * 1000 for x in latencies)
    report = {"db": db.split(":")[0], "tries": len(ms),
              "p50_ms": round(statistics.median(ms), 1),
              "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
              "max_ms": round(ms[-1], 1)}
    print(json.dumps(report) if args.json else
          f"payment posted -> access_restored received over {report['tries']} tries "
          f"({report['db']}): p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
          f"max {report['max_ms']} ms")


if __name__ == "__main__":
    main()
