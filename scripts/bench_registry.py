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
p.add_argument("--ca", help="the endpoint's CA, for the cold runs by where the roots come from")
p.add_argument("--system-bundle", help="the system's CA bundle, likewise")
a = p.parse_args()


def run(argv, env=None):
    """One whole process, to its end: its wall time."""
    start = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if out.returncode != 0 or not json.loads(out.stdout).get("token", "").startswith("IAMBearerAuth~"):
        raise SystemExit(f"{argv[0]} failed: {out.stderr.decode()}")
    return elapsed


def timed(argv, env=None):
    """One whole process: its wall and CPU (user + system) time."""
    before_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = run(argv, env)
    after_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after_usage.ru_utime - before_usage.ru_utime) + (after_usage.ru_stime - before_usage.ru_stime)
    return elapsed, cpu


def report(name, times, cpus):
    times = sorted(times)
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    cpu = statistics.median(cpus)
    print(
        f"{name:<34} median {median * 1000:8.2f} ms   p90 {p90 * 1000:8.2f} ms   "
        f"CPU {cpu * 1000:6.2f} ms   ({len(times)} runs)"
    )
    return median, cpu


def measure(name, argv, before=None, runs=a.runs):
    return compare([(name, argv)], before, runs)[0]


def compare(commands, before=None, runs=a.runs, env=None):
    """Each of `commands` RUNS times, in turn (A B A B ...), so that a drift of the
    machine's speed moves them alike: (median wall, median CPU) of each."""
    results = [([], []) for _ in commands]
    for _ in range(runs):
        for (name, argv), (times, cpus) in zip(commands, results):
            if before:
                before()
            elapsed, cpu = timed(argv, env)
            times.append(elapsed)
            cpus.append(cpu)
    return [report(name, times, cpus) for (name, _), (times, cpus) in zip(commands, results)]


def clear_cache():
    shutil.rmtree(a.cache, ignore_errors=True)


def helper(path):
    return [path, "--service", "execute-api", "--expiration-window", "300", "--registry-host", a.host, "get", a.host]


ours = [a.ours, "--service", "execute-api", "--expiration-window", "300", "--registry-host", a.host, "get", a.host]
python = [a.python[0], a.python[1], "--service", "execute-api", "--expiration-window", "300", "get", a.host]

print(f"credentials helper `get {a.host}` (local HTTPS endpoint verifying SigV4)")
py, _ = measure("python credential_helper.py 0.2.5", python)
if a.baseline:
    (cold, _), (base_cold, _) = compare(
        [("ours, cold cache", ours), ("baseline, cold cache", helper(a.baseline))], before=clear_cache
    )
    run(ours)
    (warm, _), (base_warm, _) = compare(
        [("ours, warm cache", ours), ("baseline, warm cache", helper(a.baseline))], runs=a.runs * 5
    )
    print()
    print(f"cold: {base_cold / cold:6.2f}x the baseline's speed; warm: {base_warm / warm:6.2f}x")
else:
    cold, _ = measure("ours, cold cache", ours, before=clear_cache)
    run(ours)
    warm, _ = measure("ours, warm cache", ours, runs=a.runs * 5)
print()
print(f"warm: {py / warm:6.1f}x faster than the Python helper (target >= 50x, < 5 ms)")
print(f"cold: {py / cold:6.1f}x faster than the Python helper (target >= 3x)")

if a.ca and a.system_bundle:
    # A cold get's CPU depends mostly on the roots it reads.
    bundle = os.path.join(os.path.dirname(a.cache), "bundle.pem")
    with open(bundle, "wb") as out:
        for path in (a.ca, a.system_bundle):
            with open(path, "rb") as f:
                out.write(f.read())
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "AWS_CA_BUNDLE")}
    cases = [
        ("one test CA (SSL_CERT_FILE)", {"SSL_CERT_FILE": a.ca}),
        ("system bundle + CA (SSL_CERT_FILE)", {"SSL_CERT_FILE": bundle}),
        ("system roots, CA in AWS_CA_BUNDLE", {"AWS_CA_BUNDLE": a.ca}),
    ]
    commands = [("ours", ours)] + ([("baseline", helper(a.baseline))] if a.baseline else [])
    for title, extra in cases:
        print()
        print(f"cold get, roots: {title}")
        compare(commands, before=clear_cache, env={**env, **extra})
