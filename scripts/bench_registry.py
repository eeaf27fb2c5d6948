"""Timing for scripts/bench-registry: run each command RUNS times, print medians and ratios."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=40)
p.add_argument("--host", required=True)
p.add_argument("--cache", required=True)
p.add_argument("--ours", required=True)
p.add_argument("--python", nargs=2, required=True, metavar=("PYTHON", "HELPER"))
a = p.parse_args()


def run(argv):
    start = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if out.returncode != 0 or not json.loads(out.stdout).get("token", "").startswith("IAMBearerAuth~"):
        raise SystemExit(f"{argv[0]} failed: {out.stderr.decode()}")
    return elapsed


def measure(name, argv, before=None, runs=a.runs):
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(run(argv))
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"{name:<34} median {median * 1000:8.2f} ms   p90 {p90 * 1000:8.2f} ms   ({runs} runs)")
    return median


def clear_cache():
    shutil.rmtree(a.cache, ignore_errors=True)


ours = [a.ours, "--service", "execute-api", "--expiration-window", "300", "--registry-host", a.host, "get", a.host]
python = [a.python[0], a.python[1], "--service", "execute-api", "--expiration-window", "300", "get", a.host]

print(f"credentials helper `get {a.host}` (local HTTPS endpoint verifying SigV4)")
py = measure("python credential_helper.py 0.2.5", python)
cold = measure("ours, cold cache", ours, before=clear_cache)
run(ours)
warm = measure("ours, warm cache", ours, runs=a.runs * 5)
print()
print(f"warm: {py / warm:6.1f}x faster than the Python helper (target >= 50x, < 5 ms)")
print(f"cold: {py / cold:6.1f}x faster than the Python helper (target >= 3x)")
