#!/usr/bin/env python3
"""Bytes per report on the wire, plain and gzip, in a push and in a pull page.

Starts `target/release/relais-server --demo` on a free port with a fresh data directory,
registers one citizen device, pushes N `create_report` mutations (one batch, like a phone's
outbox) and pulls them back in one page, then prints the bytes per report of each body, plain
and gzip-compressed (the compression the device and the server use), and the mean size of one
report change in the page. The JSON is written as the phone's core writes it (serde_json: no
spaces, UTF-8, fields at their defaults left out). Usage:

    cargo build --release -p relais-server && bench/wire-bytes.py [N]

N (default 500, at most 500) is the number of reports. Reports are in one category without
questions, spread over central Paris, each with a short French text.
"""

import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
if not 1 <= N <= 500:
    sys.exit("N is one push: 1 to 500 mutations (the protocol's batch limit)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATEGORY = "cartons_sacs_dechets_menagers"


def call(method, url, body=None, token=None, gzip_body=False, accept_gzip=False):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if accept_gzip:
        headers["accept-encoding"] = "gzip"
    data = None
    if body is not None:
        data = compact(body)
        if gzip_body:
            data = gzip.compress(data)
            headers["content-encoding"] = "gzip"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        wire = len(raw)
        if response.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return json.loads(raw), wire


def compact(value):
    # JSON as serde_json writes it: no spaces, UTF-8 (not \u escapes).
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def uuid7():
    # A UUIDv7 as the phones make them: the time in milliseconds, then random bits.
    ms = int(time.time() * 1000)
    value = (ms << 80) | random.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def main():
    random.seed(1)
    data = tempfile.mkdtemp()
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/relais-server"), "--demo", "--listen",
         "127.0.0.1:0", "--data", data],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        base = server.stdout.readline().decode().strip().rsplit(" ", 1)[1]
        device, _ = call("POST", f"{base}/v1/demo/devices",
                         {"platform": "android", "app_version": "0.1.0", "language": "fr"})
        token = device["token"]
        mutations = []
        for seq in range(1, N + 1):
            mutations.append({
                "seq": seq,
                "mutation_id": uuid7(),
                "op": {
                    "type": "create_report",
                    "report_id": uuid7(),
                    "category": CATEGORY,
                    "location": {"lat": round(48.850 + random.random() * 0.015, 6),
                                 "lon": round(2.335 + random.random() * 0.03, 6),
                                 "accuracy_m": 8.0},
                    "text": f"Sacs de déchets devant le n°{seq}",
                    "created_at_ms": 1764000000000 + seq,
                },
            })
        body = {"mutations": mutations}
        plain = len(compact(body))
        packed = len(gzip.compress(compact(body)))
        answer, _ = call("POST", f"{base}/v1/demo/sync/push", body, token, gzip_body=True)
        refused = [r for r in answer["results"] if r["outcome"] != "applied"]
        if refused:
            sys.exit(f"{len(refused)} of {N} not applied, the first: {refused[0]}")
        page, plain_pull = call("GET", f"{base}/v1/demo/sync/pull?limit=1000", token=token)
        _, gzip_pull = call("GET", f"{base}/v1/demo/sync/pull?limit=1000", token=token,
                            accept_gzip=True)
        changes = len(page["changes"])
        print(f"reports: {N}; changes in the pull page: {changes}")
        print("body, bytes per report      plain            gzip")
        print(f"push (create_report)       {plain / N:14.0f}   {packed / N:13.0f}")
        print(f"pull page (per change)     {plain_pull / changes:14.0f}   {gzip_pull / changes:13.0f}")
        reports = [compact(c) for c in page["changes"] if c["kind"] == "report"]
        print(f"one report change (mean)   {sum(map(len, reports)) / len(reports):14.0f}")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
