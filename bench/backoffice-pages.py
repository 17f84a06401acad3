#!/usr/bin/env python3
"""Time to render the back office's pages, and their weight, with many requests in the town.

Starts `target/release/relais-server --demo` (or $RELAIS_SERVER) on a free port with a fresh
data directory, files N reports through citizen devices' pushes (batches of 500, categories
without required questions, spread over central Paris), adds an admin and an agent, then asks
each page several times with the session cookie and prints the median time, its ratio to the
baseline `GET /healthz` timed in the same run, and the bytes on the wire, plain and gzip. Usage:

    cargo build --release -p relais-server && bench/backoffice-pages.py [N]

N defaults to 100000.
"""

import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("RELAIS_SERVER", os.path.join(ROOT, "target/release/relais-server"))
PASSWORD = "un mot de passe solide"
RUNS = 5


def call(method, url, body=None, token=None, cookie=None, accept_gzip=False):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if cookie:
        headers["cookie"] = cookie
    if accept_gzip:
        headers["accept-encoding"] = "gzip"
    data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers


def uuid7():
    ms = int(time.time() * 1000)
    value = (ms << 80) | random.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def main():
    random.seed(1)
    data = tempfile.mkdtemp()
    # One device per 500 requests, all from this address: lift the registration limits.
    env = {**os.environ, "RUST_LOG": "warn", "RELAIS_REGISTRATIONS_PER_MINUTE": "1000000",
           "RELAIS_TOWN_REGISTRATIONS_PER_MINUTE": "1000000"}
    server = subprocess.Popen(
        [SERVER, "--demo", "--listen", "127.0.0.1:0", "--data", data],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        base = server.stdout.readline().decode().strip().rsplit(" ", 1)[1]
        for email, role in [("admin@paris.example", "admin"), ("agent@paris.example", "agent")]:
            args = [SERVER, "--data", data, "staff", "add", "--password-stdin", "--tenant", "demo",
                    "--email", email, "--name", email, "--role", role]
            if role == "agent":
                args += ["--service", "proprete"]
            subprocess.run(args, input=f"{PASSWORD}\n", text=True, check=True, env=env,
                           capture_output=True)
        reader = json.loads(call("POST", f"{base}/v1/demo/devices",
                                 {"platform": "android", "app_version": "0.1.0"})[0])
        catalogue = json.loads(call("GET", f"{base}/v1/demo/catalogue",
                                    token=reader["token"])[0])
        categories = [c["code"] for c in catalogue["categories"]
                      if not any(q.get("required") for q in c.get("questions", []))]
        started = time.time()
        filed = 0
        while filed < N:
            device = json.loads(call("POST", f"{base}/v1/demo/devices",
                                     {"platform": "android", "app_version": "0.1.0"})[0])
            mutations = []
            for seq in range(1, min(500, N - filed) + 1):
                mutations.append({"seq": seq, "mutation_id": uuid7(), "op": {
                    "type": "create_report", "report_id": uuid7(),
                    "category": random.choice(categories),
                    "location": {"lat": round(48.835 + random.random() * 0.05, 6),
                                 "lon": round(2.29 + random.random() * 0.1, 6)},
                    "text": f"Signalement n°{filed + seq}", "created_at_ms": int(time.time() * 1000),
                    "photos": []}})
            answer = json.loads(call("POST", f"{base}/v1/demo/sync/push",
                                     {"mutations": mutations}, device["token"])[0])
            filed += sum(1 for r in answer["results"] if r["outcome"] == "applied")
        print(f"{filed} reports filed in {time.time() - started:.0f} s, "
              f"{len(categories)} categories")
        # The baseline, timed the same way in the same run: `GET /healthz` (one query of the
        # database, no page), as the other server benchmarks. The ratios are what to compare
        # between runs on this shared machine.
        baseline = []
        for _ in range(RUNS * 4):
            t = time.perf_counter()
            call("GET", base + "/healthz")
            baseline.append((time.perf_counter() - t) * 1000)
        healthz = statistics.median(baseline)
        print(f"baseline GET /healthz: median {healthz:.2f} ms")
        print(f"{'page':42} {'median ms':>9} {'x healthz':>9} {'plain B':>9} {'gzip B':>8}")
        for who in ["admin@paris.example", "agent@paris.example"]:
            session = json.loads(call("POST", f"{base}/v1/staff/login",
                                      {"tenant": "demo", "email": who, "password": PASSWORD})[0])
            cookie = f"relais_session={session['token']}"
            for path in ["/inbox", "/inbox?status=all", "/inbox?overdue=1", "/dashboard",
                         "/dashboard.csv", "/ratings"]:
                times = []
                for _ in range(RUNS):
                    t = time.perf_counter()
                    plain, _ = call("GET", base + path, cookie=cookie)
                    times.append((time.perf_counter() - t) * 1000)
                packed, headers = call("GET", base + path, cookie=cookie, accept_gzip=True)
                if headers.get("content-encoding") != "gzip":
                    packed = gzip.compress(plain)
                label = f"{who.split('@')[0]} {path}"
                median = statistics.median(times)
                print(f"{label:42} {median:9.0f} {median / healthz:9.0f} {len(plain):9} "
                      f"{len(packed):8}")
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
