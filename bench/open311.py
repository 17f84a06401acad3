#!/usr/bin/env python3
"""Open311 front door: requests filed per second, and the cost of a full `GET requests`.

Starts `target/release/relais-server --demo` on a free port with a fresh data directory, issues
an api key with `relais-server open311-keys add`, files N requests with `POST requests.json`
(form-encoded, one call per request, as Open311 clients do), first one at a time, then from C
concurrent clients, and finally lists them with `GET requests.json` and `GET requests.xml` (at
most 1,000 per answer, as the specification sets). Usage:

    cargo build --release -p relais-server && bench/open311.py [N] [C]

N (default 1000) requests in each phase, C (default 8) concurrent clients. Requests are in one
category without questions, spread over central Paris, each with a short French text.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
C = int(sys.argv[2]) if len(sys.argv) > 2 else 8
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "target", "release", "relais-server")
CATEGORY = "cartons_sacs_dechets_menagers"


def start(data):
    server = subprocess.Popen(
        [SERVER, "--demo", "--listen", "127.0.0.1:0", "--data", data],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    line = server.stdout.readline()
    if not line.startswith("relais-server listening on "):
        sys.exit(f"the server did not start: {line!r}")
    return server, line.split()[-1]


def form(key, rng):
    return urllib.parse.urlencode({
        "api_key": key, "jurisdiction_id": "demo", "service_code": CATEGORY,
        "lat": f"{48.853 + rng.random() * 0.02:.6f}", "long": f"{2.33 + rng.random() * 0.04:.6f}",
        "description": "Sacs poubelle déposés sur le trottoir",
    }).encode()


def file(url, body):
    started = time.perf_counter()
    request = urllib.request.Request(
        f"{url}/open311/v2/requests.json", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


def phase(name, url, key, clients):
    rng = random.Random(clients)
    bodies = [form(key, rng) for _ in range(N)]
    latencies = []
    lock = threading.Lock()

    def run(part):
        mine = [file(url, body) for body in part]
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(bodies[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"{name}: {N} requests in {elapsed:.2f} s = {N / elapsed:.0f} requests/s; "
          f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")


def listing(url, extension):
    started = time.perf_counter()
    with urllib.request.urlopen(
            f"{url}/open311/v2/requests.{extension}?jurisdiction_id=demo") as response:
        body = response.read()
    elapsed = time.perf_counter() - started
    count = body.count(b"<request>") if extension == "xml" else body.count(b"service_request_id")
    print(f"GET requests.{extension}: {count} requests, {len(body) / 1024:.0f} KiB "
          f"in {elapsed * 1000:.0f} ms")


def main():
    with tempfile.TemporaryDirectory() as data:
        server, url = start(data)
        try:
            key = subprocess.run(
                [SERVER, "--data", data, "open311-keys", "--tenant", "demo", "add", "--name",
                 "bench"], check=True, capture_output=True, text=True).stdout.strip()
            phase("POST requests, 1 client", url, key, 1)
            phase(f"POST requests, {C} clients", url, key, C)
            listing(url, "json")
            listing(url, "xml")
        finally:
            server.terminate()
            server.wait()


main()
