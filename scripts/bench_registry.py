"""Timing for scripts/bench-registry: run each command RUNS times, print medians (wall and
CPU time) and ratios."""
import argparse
import json
import os
import resource
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
p.add_argument("--baseline", help="another build of the helper, timed the same way beside ours")
a = p.parse_args()


def run(argv):
    """One whole process, to its end: its wall time."""
    start = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if out.returncode != 0 or not json.loads(out.stdout).get("token", "").startswith("IAMBearerAuth~"):
        raise SystemExit(f"{argv[0]} failed: {out.stderr.decode()}")
    return elapsed


def measure(name, argv, before=None, runs=a.runs):
    times = []
    cpus = []
    for _ in range(runs):
        if before:
            before()
        # The CPU (user + system) of the process just reaped.
        before_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = run(argv)
        after_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(elapsed)
        cpus.append(
            (after_usage.ru_utime - before_usage.ru_utime) + (after_usage.ru_stime - before_usage.ru_stime)
        )
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    cpu = statistics.median(cpus)
    print(
        f"{name:<34} median {median * 1000:8.2f} ms   p90 {p90 * 1000:8.2f} ms   "
        f"CPU {cpu * 1000:6.2f} ms   ({runs} runs)"
    )
    return median


def clear_cache():
    shutil.rmtree(a.cache, ignore_errors=True)


def helper(path):
    return [path, "--service", "execute-api", "--expiration-window", "300", "--registry-host", a.host, "get", a.host]


ours = [a.ours, "--service", "execute-api", "--expiration-window", "300", "--registry-host", a.host, "get", a.host]
python = [a.python[0], a.python[1], "--service", "execute-api", "--expiration-window", "300", "get", a.host]

print(f"credentials helper `get {a.host}` (local HTTPS endpoint verifying SigV4)")
py = measure("python credential_helper.py 0.2.5", python)
cold = measure("ours, cold cache", ours, before=clear_cache)
run(ours)
warm = measure("ours, warm cache", ours, runs=a.runs * 5)
if a.baseline:
    base_cold = measure("baseline, cold cache", helper(a.baseline), before=clear_cache)
    run(helper(a.baseline))
    base_warm = measure("baseline, warm cache", helper(a.baseline), runs=a.runs * 5)
    print()
    print(f"cold: {base_cold / cold:6.2f}x the baseline's speed; warm: {base_warm / warm:6.2f}x")
print()
print(f"warm: {py / warm:6.1f}x faster than the Python helper (target >= 50x, < 5 ms)")
print(f"cold: {py / cold:6.1f}x faster than the Python helper (target >= 3x)")
