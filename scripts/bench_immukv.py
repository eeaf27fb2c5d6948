"""Timing for scripts/bench-immukv: the official Python client (in-process, imports
excluded) against the immukv binary (whole process) on the same bucket."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--immukv", required=True)
p.add_argument("--moto", required=True, help="the emulator's URL (for populating)")
p.add_argument("--endpoint", required=True, help="the URL both clients use")
p.add_argument("--label", required=True)
p.add_argument("--runs", type=int, default=3)
a = p.parse_args()

here = os.path.dirname(os.path.abspath(__file__))
fixture = os.path.join(here, "..", "tests", "support", "immukv_py.py")
region = os.environ.get("AWS_REGION", "eu-west-1")
bucket = f"bench-{os.getpid()}-{int(time.time())}"


def fixture_run(*args, endpoint):
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint)
    subprocess.run([sys.executable, fixture, *args], check=True, env=env, stdout=subprocess.DEVNULL)


fixture_run("bucket", bucket, endpoint=a.moto)
# 1000 log entries: 200 versions of "hot", 800 of others.
fixture_run("append", bucket, "", "hot", "200", endpoint=a.moto)
for i in range(8):
    fixture_run("append", bucket, "", f"cold-{i}", "100", endpoint=a.moto)

from immukv import Config, ImmuKVClient, S3Overrides  # noqa: E402

kv = ImmuKVClient(
    Config(s3_bucket=bucket, s3_region=region, s3_prefix="", overrides=S3Overrides(endpoint_url=a.endpoint, force_path_style=True)),
    lambda v: v,
    lambda v: v,
)


def timed(fn, runs=a.runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


env = dict(os.environ, AWS_ENDPOINT_URL=a.endpoint, IMMUKV_BUCKET=bucket, IMMUKV_PREFIX="")


def ours(*args, check_lines=None):
    def run():
        out = subprocess.run([a.immukv, "--path-style", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if out.returncode != 0:
            raise SystemExit(f"immukv {args}: {out.stderr.decode()}")
        if check_lines is not None:
            assert out.stdout.count(b"\n") == check_lines, (args, out.stdout.count(b"\n"))

    return run


def py_log():
    assert len(kv.log_entries(None, None)) == 1000


def py_verify():
    assert kv.verify_log_chain() is True


def py_history():
    entries, _ = kv.history("hot", None, None)
    assert len(entries) == 200


rows = [
    ("log, 1000 entries", timed(py_log), timed(ours("log", "--output", "jsonl", check_lines=1000))),
    ("verify, 1000 entries", timed(py_verify), timed(ours("verify"))),
    ("history, 200 versions", timed(py_history), timed(ours("history", "hot", "--output", "jsonl", check_lines=200))),
]


def py_sets():
    for i in range(100):
        kv.set(f"set-{i % 10}", {"i": i})


def our_sets():
    for i in range(100):
        ours("set", f"set-{i % 10}", json.dumps({"i": i}))()


py_set = timed(py_sets, runs=1) / 100
our_set = timed(our_sets, runs=1) / 100
kv.close()
assert subprocess.run([a.immukv, "--path-style", "verify"], env=env, capture_output=True).returncode == 0

print(f"\n{a.label}")
print(f"{'operation':<26}{'python 0.1.30':>14}{'immukv':>12}{'speed-up':>10}")
for name, py, rs in rows:
    print(f"{name:<26}{py * 1000:>11.0f} ms{rs * 1000:>9.0f} ms{py / rs:>9.1f}x")
print(f"{'set, per operation':<26}{py_set * 1000:>11.1f} ms{our_set * 1000:>9.1f} ms{py_set / our_set:>9.1f}x")
