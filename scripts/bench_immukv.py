"""Timing for scripts/bench-immukv: the official Python client (in-process, imports
excluded) against the immukv binary (whole processes, start included), both through
the same model of S3 (tests/support/s3_proxy.py: 20 ms per request, object versions
served from memory once fetched, as S3 serves them in parallel)."""
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
p.add_argument("--endpoint", required=True, help="the S3 model both clients use")
p.add_argument("--latency", type=float, required=True, help="the model's ms per request")
p.add_argument("--runs", type=int, default=3)
p.add_argument("--sets", type=int, default=40)
a = p.parse_args()

here = os.path.dirname(os.path.abspath(__file__))
fixture = os.path.join(here, "..", "tests", "support", "immukv_py.py")
region = os.environ.get("AWS_REGION", "eu-west-1")
bucket = f"bench-{os.getpid()}-{int(time.time())}"


def fixture_run(*args):
    env = dict(os.environ, AWS_ENDPOINT_URL=a.moto)
    subprocess.run([sys.executable, fixture, *args], check=True, env=env, stdout=subprocess.DEVNULL)


fixture_run("bucket", bucket)
# 1000 log entries: 200 versions of "hot", 800 of others.
fixture_run("append", bucket, "", "hot", "200")
for i in range(8):
    fixture_run("append", bucket, "", f"cold-{i}", "100")

from immukv import Config, ImmuKVClient, S3Overrides  # noqa: E402

kv = ImmuKVClient(
    Config(s3_bucket=bucket, s3_region=region, s3_prefix="", overrides=S3Overrides(endpoint_url=a.endpoint, force_path_style=True)),
    lambda v: v,
    lambda v: v,
)
env = dict(os.environ, AWS_ENDPOINT_URL=a.endpoint, IMMUKV_BUCKET=bucket, IMMUKV_PREFIX="")


def timed(fn, runs=a.runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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


# Warm the model's version cache the way S3 always is: every version fetched once.
ours("log", "--output", "jsonl", check_lines=1000)()

rows = []
rows.append(("log, 1000 entries", timed(py_log), timed(ours("log", "--output", "jsonl", check_lines=1000)), "< 1.30 s"))
rows.append(("verify, 1000 entries", timed(py_verify), timed(ours("verify", "--full")), "< 1.30 s"))
ours("verify")()
rows.append(("re-verify, unchanged", None, timed(ours("verify"), runs=a.runs * 3), "< 0.25 s"))
rows.append(("get", timed(lambda: kv.get("hot"), runs=a.runs * 5), timed(ours("get", "hot"), runs=a.runs * 5), None))


def py_sets():
    for i in range(a.sets):
        kv.set(f"set-{i % 10}", {"i": i})


def our_sets():
    for i in range(a.sets):
        ours("set", f"set-{i % 10}", json.dumps({"i": i}))()


# Bulk: 200 lines through `immukv import` against 200 sets by the Python client, each
# into a prefix of its own.
IMPORT_LINES = 200
py_bulk = ImmuKVClient(
    Config(s3_bucket=bucket, s3_region=region, s3_prefix="py-bulk/", overrides=S3Overrides(endpoint_url=a.endpoint, force_path_style=True)),
    lambda v: v,
    lambda v: v,
)
lines_file = os.path.join(os.environ["HOME"], "import.jsonl")
with open(lines_file, "w") as f:
    for i in range(IMPORT_LINES):
        f.write(json.dumps({"key": f"k{i % 10}", "value": {"i": i}}) + "\n")


def py_import():
    for i in range(IMPORT_LINES):
        py_bulk.set(f"k{i % 10}", {"i": i})


py_import_s = timed(py_import, runs=1)
our_import_s = timed(ours("--prefix", "our-bulk/", "import", "--file", lines_file), runs=1)
py_bulk.close()
assert subprocess.run([a.immukv, "--path-style", "--prefix", "our-bulk/", "verify"], env=env, capture_output=True).returncode == 0
rows.append((f"import, {IMPORT_LINES} lines", py_import_s, our_import_s, ">= 3x"))

# An auditor's copy: export, then verify the file offline, against verifying online.
dump_file = os.path.join(os.environ["HOME"], "dump.jsonl")


def export_and_verify():
    with open(dump_file, "wb") as f:
        subprocess.run([a.immukv, "--path-style", "export"], env=env, stdout=f, stderr=subprocess.DEVNULL, check=True)
    subprocess.run([a.immukv, "verify", "--file", dump_file], env=env, capture_output=True, check=True)


def offline_verify():
    subprocess.run([a.immukv, "verify", "--file", dump_file], env=env, capture_output=True, check=True)


rows.append(("export + verify --file", timed(ours("verify", "--full")), timed(export_and_verify), "(vs online verify)"))
rows.append(("verify --file alone", timed(ours("verify", "--full")), timed(offline_verify), "(vs online verify)"))

py_set = timed(py_sets, runs=1) / a.sets
our_set = timed(our_sets, runs=1) / a.sets
rows.append(("set, per operation", py_set, our_set, ">= 1.5x"))
kv.close()
assert subprocess.run([a.immukv, "--path-style", "verify"], env=env, capture_output=True).returncode == 0

rtt = a.latency / 1000
print(f"\nthrough a model of S3 adding {a.latency:.0f} ms per request (version GETs served from memory once fetched)")
print(f"{'operation':<24}{'python 0.1.30':>14}{'immukv':>11}{'ratio':>9}{'round trips':>13}  target")
for name, py, rs, target in rows:
    py_text = f"{py * 1000:>11.0f} ms" if py is not None else f"{'-':>14}"
    ratio = f"{py / rs:>8.1f}x" if py is not None else f"{'-':>9}"
    per = 1 if name in ("get", "set, per operation") else IMPORT_LINES if name.startswith("import") else None
    trips = f"{rs / per / rtt:>13.1f}" if per else f"{'':>13}"
    print(f"{name:<24}{py_text}{rs * 1000:>8.0f} ms{ratio}{trips}  {target or ''}")
print(f"(round trips: immukv's time per operation or line / {a.latency:.0f} ms, process start and the emulator's own time included)")
print("(the export rows compare with our own online `verify --full` in the python column)")
