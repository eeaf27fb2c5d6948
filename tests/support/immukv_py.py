"""The official ImmuKV Python client (and raw S3) on the emulator, for interop tests
and benchmarks. Every command prints JSON.

immukv_py.py bucket NAME [--no-versioning]
immukv_py.py suspend-versioning BUCKET
immukv_py.py set BUCKET PREFIX KEY VALUE_JSON       -> {"version_id", "sequence"}
immukv_py.py sets BUCKET PREFIX N                    (N sequential sets of bench-N)
immukv_py.py get BUCKET PREFIX KEY                   -> {"value", "sequence", "version_id"}
immukv_py.py read-only-gets BUCKET PREFIX KEY...     -> {KEY: value or null when not found}, read
    with read_only=True, so that the client repairs nothing on the way
immukv_py.py history BUCKET PREFIX KEY               -> [value, ...] newest first
immukv_py.py log BUCKET PREFIX                       -> count of entries
immukv_py.py verify BUCKET PREFIX                    -> true / false
immukv_py.py raw-put BUCKET OBJECT_KEY BODY          -> {"version_id"}
immukv_py.py raw-get BUCKET OBJECT_KEY               -> the body as a JSON string
immukv_py.py raw-get-version BUCKET OBJECT_KEY VERSION_ID -> that version's body, as a JSON string
immukv_py.py delete BUCKET OBJECT_KEY                (a delete marker)
immukv_py.py delete-version BUCKET OBJECT_KEY VERSION_ID  (that version, gone for good)
immukv_py.py versions BUCKET OBJECT_KEY              -> [version id, ...] newest first
immukv_py.py raw-put-sized BUCKET OBJECT_KEY BYTES   -> {"version_id"}: a log entry of about BYTES
immukv_py.py wipe BUCKET                             (every version of every object, gone)
immukv_py.py lifecycle BUCKET RULES_JSON             (PutBucketLifecycleConfiguration: {"Rules": [...]})
immukv_py.py expire BUCKET OBJECT_KEY KEEP           (every version but the newest KEEP, gone: what a lifecycle rule does)
immukv_py.py append BUCKET PREFIX KEY N [--no-key-object] [--typescript] [--tamper] [--value JSON]
    N more log entries for KEY written with raw puts, hashed by the official client's
    helpers (or as the TypeScript client writes and hashes them: its canonical JSON,
    made by node from tests/support/ts_canonical.js), each followed by its key object
    unless --no-key-object (an orphan); --tamper stores a wrong hash in the last one;
    --value sets the value (default {"n": SEQUENCE, "text": "cafe"}).
"""
import json
import os
import sys

import boto3

cmd, bucket, *rest = sys.argv[1:]
endpoint = os.environ["AWS_ENDPOINT_URL"]
region = os.environ.get("AWS_REGION", "eu-west-1")


def s3():
    from botocore.config import Config as BotoConfig

    return boto3.client("s3", endpoint_url=endpoint, region_name=region, config=BotoConfig(s3={"addressing_style": "path"}))


def client(prefix, read_only=False):
    from immukv import Config, ImmuKVClient, S3Overrides

    config = Config(
        s3_bucket=bucket,
        s3_region=region,
        s3_prefix=prefix,
        read_only=read_only,
        overrides=S3Overrides(endpoint_url=endpoint, force_path_style=True),
    )
    return ImmuKVClient(config, lambda v: v, lambda v: v)


if cmd == "bucket":
    c = s3()
    if region == "us-east-1":
        c.create_bucket(Bucket=bucket)
    else:
        c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    if "--no-versioning" not in rest:
        c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
elif cmd == "suspend-versioning":
    s3().put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
elif cmd == "set":
    prefix, key, value = rest
    with client(prefix) as kv:
        e = kv.set(key, json.loads(value))
    print(json.dumps({"version_id": e.version_id, "sequence": e.sequence}))
elif cmd == "sets":
    prefix, n = rest
    with client(prefix) as kv:
        for i in range(int(n)):
            kv.set(f"bench-{i % 10}", {"i": i})
elif cmd == "get":
    prefix, key = rest
    with client(prefix) as kv:
        e = kv.get(key)
    print(json.dumps({"value": e.value, "sequence": e.sequence, "version_id": e.version_id}))
elif cmd == "read-only-gets":
    from immukv import KeyNotFoundError

    prefix, *keys = rest
    found = {}
    with client(prefix, read_only=True) as kv:
        for key in keys:
            try:
                found[key] = kv.get(key).value
            except KeyNotFoundError:
                found[key] = None
    print(json.dumps(found))
elif cmd == "history":
    prefix, key = rest
    with client(prefix) as kv:
        entries, _ = kv.history(key, None, None)
    print(json.dumps([e.value for e in entries]))
elif cmd == "log":
    (prefix,) = rest
    with client(prefix) as kv:
        print(len(kv.log_entries(None, None)))
elif cmd == "verify":
    (prefix,) = rest
    with client(prefix) as kv:
        print(json.dumps(kv.verify_log_chain()))
elif cmd == "raw-put":
    key, body = rest
    print(json.dumps({"version_id": s3().put_object(Bucket=bucket, Key=key, Body=body.encode())["VersionId"]}))
elif cmd == "raw-get":
    (key,) = rest
    print(json.dumps(s3().get_object(Bucket=bucket, Key=key)["Body"].read().decode()))
elif cmd == "raw-get-version":
    key, version = rest
    print(json.dumps(s3().get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read().decode()))
elif cmd == "delete":
    (key,) = rest
    s3().delete_object(Bucket=bucket, Key=key)
elif cmd == "append":
    import hashlib
    import subprocess
    import time

    from immukv._internal.json_helpers import dumps_canonical

    prefix, key, n, *flags = rest
    typescript = "--typescript" in flags
    fixed_value = json.loads(flags[flags.index("--value") + 1]) if "--value" in flags else None
    support = os.path.dirname(os.path.abspath(__file__))

    def canonical(obj):
        if not typescript:
            return dumps_canonical(obj)
        out = subprocess.run(["node", os.path.join(support, "ts_canonical.js")], input=json.dumps([obj]).encode(), capture_output=True, check=True)
        return out.stdout.rstrip(b"\n")

    c = s3()
    log_key = f"{prefix}_log.json"
    key_path = f"{prefix}keys/{key}.json"
    try:
        head = c.get_object(Bucket=bucket, Key=log_key)
        latest = json.loads(head["Body"].read())
        prev_hash, seq, prev_vid = latest["hash"], latest["sequence"], head["VersionId"]
    except c.exceptions.NoSuchKey:
        prev_hash, seq, prev_vid = "sha256:genesis", -1, None
    for i in range(int(n)):
        seq += 1
        ts = int(time.time() * 1000)
        value = fixed_value if fixed_value is not None else {"n": seq, "text": "caf\u00e9"}
        if typescript:
            hashed = {"key": key, "previousHash": prev_hash, "sequence": seq, "timestampMs": ts, "value": value}
        else:
            hashed = {"key": key, "previous_hash": prev_hash, "sequence": seq, "timestamp_ms": ts, "value": value}
        h = "sha256:" + hashlib.sha256(canonical(hashed)).hexdigest()
        if "--tamper" in flags and i == int(n) - 1:
            h = "sha256:" + "0" * 64
        entry = {"hash": h, "key": key, "previous_hash": prev_hash, "sequence": seq, "timestamp_ms": ts, "value": value}
        if prev_vid:
            entry["previous_version_id"] = prev_vid
        try:
            # What a real writer records: the key object's ETag before this write.
            entry["previous_key_object_etag"] = c.head_object(Bucket=bucket, Key=key_path)["ETag"]
        except c.exceptions.ClientError:
            pass
        vid = c.put_object(Bucket=bucket, Key=log_key, Body=canonical(entry))["VersionId"]
        if "--no-key-object" not in flags:
            obj = {"hash": h, "key": key, "log_version_id": vid, "previous_hash": prev_hash, "sequence": seq, "timestamp_ms": ts, "value": value}
            c.put_object(Bucket=bucket, Key=key_path, Body=canonical(obj))
        prev_hash, prev_vid = h, vid
    print(json.dumps({"sequence": seq, "version_id": prev_vid}))
elif cmd == "delete-version":
    key, version = rest
    s3().delete_object(Bucket=bucket, Key=key, VersionId=version)
elif cmd == "versions":
    (key,) = rest
    out = s3().list_object_versions(Bucket=bucket, Prefix=key)
    print(json.dumps([v["VersionId"] for v in out.get("Versions", []) if v["Key"] == key]))
elif cmd == "raw-put-sized":
    key, size = rest
    body = json.dumps({"hash": "sha256:" + "0" * 64, "key": "big", "previous_hash": "sha256:genesis", "sequence": 0, "timestamp_ms": 0, "value": "x" * int(size)})
    print(json.dumps({"version_id": s3().put_object(Bucket=bucket, Key=key, Body=body.encode())["VersionId"]}))
elif cmd == "wipe":
    c = s3()
    out = c.list_object_versions(Bucket=bucket)
    for v in out.get("Versions", []) + out.get("DeleteMarkers", []):
        c.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
elif cmd == "lifecycle":
    (rules,) = rest
    s3().put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=json.loads(rules))
elif cmd == "expire":
    key, keep = rest
    c = s3()
    out = c.list_object_versions(Bucket=bucket, Prefix=key)
    for v in [v for v in out.get("Versions", []) if v["Key"] == key][int(keep):]:
        c.delete_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])
elif cmd == "list":
    out = s3().list_object_versions(Bucket=bucket)
    print(json.dumps({"versions": len(out.get("Versions", [])), "delete_markers": len(out.get("DeleteMarkers", []))}))
else:
    raise SystemExit(f"unknown command {cmd}")
