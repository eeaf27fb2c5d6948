"""An HTTP proxy in front of the AWS emulator that models S3 as clients meet it.

s3_proxy.py UPSTREAM_URL [options]
  --latency MS          hold every request MS before answering (once per request, in
                        parallel across connections, as a real network round trip)
  --cache-versions      answer GET ...?versionId=... from memory once fetched: object
                        versions never change, and S3 serves them in parallel
  --drop-after P        with probability P, carry a PUT out upstream, then close the
                        client's connection without an answer (the response was lost)
  --slowdown P          with probability P, answer a request 503 SlowDown without
                        forwarding it
  --conflict P          with probability P, answer a conditional PUT (If-Match or
                        If-None-Match) 409 ConditionalRequestConflict without carrying it
                        out, as S3 does while a conflicting write is in flight
  --conflict-on SUFFIX:N
                        answer the first N conditional PUTs whose path ends with SUFFIX
                        409 ConditionalRequestConflict, without carrying them out
                        (repeatable)
  --deny METHOD:SUFFIX  answer 403 AccessDenied to METHOD requests whose path ends with
                        SUFFIX (repeatable), as S3 does under a least-privilege policy
  --not-found METHOD:SUFFIX
                        answer 404 NoSuchKey to those requests (an object that reads as
                        missing while its versions are listed)
  --json-error STATUS:CODE
                        answer every JSON-protocol call (SSM, Secrets Manager, STS...:
                        the ones with an X-Amz-Target header) with STATUS and error CODE
  --json-error-on TARGET:N:STATUS:CODE
                        answer the first N JSON-protocol calls whose X-Amz-Target ends with
                        TARGET with STATUS and error CODE, without forwarding them
                        (repeatable)
  --drop-json TARGET:N  carry the first N JSON-protocol calls whose X-Amz-Target ends
                        with TARGET out upstream, then close the connection without an
                        answer (repeatable)
  --ssm-shared ACCOUNT  answer SSM GetParameter calls that name a parameter of ACCOUNT by
                        its ARN as AWS does for a parameter that account shares with the
                        caller (AWS RAM): read from the emulator as ACCOUNT, which the
                        emulator, having no sharing, never does (repeatable)
  --body-rate BYTES     read request bodies at BYTES a second, as a slow uplink sends
                        them (an upload long enough to watch)
  --seed N              the random faults' seed (default 1)
  --age-versions DAYS   answer as if every object had been written DAYS earlier: the
                        LastModified of version listings and of GETs move back (the
                        emulator cannot turn its clock back; S3's retention counts from
                        these times)
  --lifecycle           keep the lifecycle configuration a PUT ?lifecycle sends and answer
                        GET ?lifecycle with it, as S3 does (the emulator drops
                        NewerNoncurrentVersions)

A rule's SUFFIX starting with `?` matches the query string instead (`GET:?versioning`).
Answers are made what S3 sends where the emulator differs: GetBucketVersioning's root
element is VersioningConfiguration; a PUT whose body does not have the SHA-256 its
x-amz-checksum-sha256 header names is refused 400 BadDigest without being carried out.

GET /__proxy_stats answers {"requests": N, "dropped": N, "slowdowns": N, "denied": N,
"conflicts": N}.
GET /__proxy_log answers every request so far, in order: [{"method", "path", "query",
"conditional" (an If-None-Match or If-Match header was sent), "checksum_sha256" (the
x-amz-checksum-sha256 header, or null), "status"}], so that a test
waits for what a client did rather than for time to pass.
Prints its port on stdout and stops when stdin closes.
"""
import argparse
import base64
import hashlib
import datetime
import email.utils
import http.client
import re
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

parser = argparse.ArgumentParser()
parser.add_argument("upstream")
parser.add_argument("--latency", type=float, default=0)
parser.add_argument("--cache-versions", action="store_true")
parser.add_argument("--drop-after", type=float, default=0)
parser.add_argument("--slowdown", type=float, default=0)
parser.add_argument("--conflict", type=float, default=0)
parser.add_argument("--conflict-on", action="append", default=[])
parser.add_argument("--deny", action="append", default=[])
parser.add_argument("--not-found", action="append", default=[])
parser.add_argument("--json-error")
parser.add_argument("--json-error-on", action="append", default=[])
parser.add_argument("--drop-json", action="append", default=[])
parser.add_argument("--ssm-shared", action="append", default=[])
parser.add_argument("--body-rate", type=int, default=0)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--age-versions", type=float, default=0)
parser.add_argument("--lifecycle", action="store_true")
args = parser.parse_args()

upstream = urlsplit(args.upstream)
LOCK = threading.Lock()
RANDOM = random.Random(args.seed)
STATS = {"requests": 0, "dropped": 0, "slowdowns": 0, "denied": 0, "conflicts": 0}
# [TARGET, calls left, status, code] and [TARGET, calls left].
JSON_ERRORS = [[t, int(n), int(st), c] for t, n, st, c in (r.split(":", 3) for r in args.json_error_on)]
JSON_DROPS = [[t, int(n)] for t, n in (r.split(":", 1) for r in args.drop_json)]


def take(rules, target):
    """The first rule for `target` with calls left, counted down (None when there is none)."""
    with LOCK:
        for rule in rules:
            if rule[1] > 0 and target and target.endswith(rule[0]):
                rule[1] -= 1
                return rule
    return None


# SUFFIX -> how many more conditional PUTs to it are answered 409.
CONFLICTS_LEFT = {rule.rsplit(":", 1)[0]: int(rule.rsplit(":", 1)[1]) for rule in args.conflict_on}
LOG = []
VERSIONS = {}
LIFECYCLES = {}
AGE = datetime.timedelta(days=args.age_versions)


def aged_listing(data):
    """Every <LastModified> of a listing, AGE earlier."""

    def back(m):
        t = datetime.datetime.fromisoformat(m.group(1).decode().replace("Z", "+00:00")) - AGE
        return b"<LastModified>" + t.strftime("%Y-%m-%dT%H:%M:%S.").encode() + b"%03dZ</LastModified>" % (t.microsecond // 1000)

    return re.sub(rb"<LastModified>([^<]+)</LastModified>", back, data)


def aged_headers(headers):
    out = []
    for k, v in headers:
        if k.lower() == "last-modified":
            v = email.utils.format_datetime(email.utils.parsedate_to_datetime(v) - AGE, usegmt=True)
        out.append((k, v))
    return out
LOCAL = threading.local()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def shared_parameter(region, account, name, decrypt):
    """GetParameter's answer for a parameter `account` shares: read as that account."""
    import boto3

    keys = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "proxy"}
    sts = boto3.client("sts", endpoint_url=args.upstream, region_name=region, **keys)
    role = f"arn:aws:iam::{account}:role/shared-parameters"
    owner = sts.assume_role(RoleArn=role, RoleSessionName="ssm-share")["Credentials"]
    ssm = boto3.client(
        "ssm",
        endpoint_url=args.upstream,
        region_name=region,
        aws_access_key_id=owner["AccessKeyId"],
        aws_secret_access_key=owner["SecretAccessKey"],
        aws_session_token=owner["SessionToken"],
    )
    headers = [("Content-Type", "application/x-amz-json-1.1")]
    try:
        found = ssm.get_parameter(Name=name, WithDecryption=decrypt)["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        body = {"__type": "ParameterNotFound", "message": "parameter not found"}
        return 400, headers + [("x-amzn-ErrorType", "ParameterNotFound")], json.dumps(body).encode()
    found["LastModifiedDate"] = found["LastModifiedDate"].timestamp()
    return 200, headers, json.dumps({"Parameter": found}).encode()


def chance(p):
    with LOCK:
        return p > 0 and RANDOM.random() < p


def upstream_connection():
    conn = getattr(LOCAL, "conn", None)
    if conn is None:
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        LOCAL.conn = conn
    return conn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = b""
            while True:
                size_line = self.rfile.readline()
                raw += size_line
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:
                        trailer = self.rfile.readline()
                        raw += trailer
                        if trailer in (b"\r\n", b"\n", b""):
                            return raw
                chunk = self.rfile.read(size + 2)
                raw += chunk
        length = int(self.headers.get("Content-Length") or 0)
        if args.body_rate and length:
            body, started = b"", time.monotonic()
            while len(body) < length:
                body += self.rfile.read(min(64 * 1024, length - len(body)))
                ahead = len(body) / args.body_rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            return body
        return self.rfile.read(length) if length else b""

    def answer(self, status, headers, body):
        if not self.path.startswith("/__proxy_"):
            url = urlsplit(self.path)
            conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Match"))
            checksum = self.headers.get("x-amz-checksum-sha256")
            with LOCK:
                LOG.append({"method": self.command, "path": url.path, "query": url.query, "conditional": conditional, "checksum_sha256": checksum, "status": status})
        self.send_response(status)
        head = self.command == "HEAD"
        for k, v in headers:
            # A HEAD answer keeps the object's Content-Length and has no body.
            if k.lower() not in HOP_BY_HOP and (head or k.lower() != "content-length"):
                self.send_header(k, v)
        if not head:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.wfile.flush()

    def forward(self, body):
        for attempt in range(2):
            conn = upstream_connection()
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in self.headers.items():
                    if k.lower() not in ("connection", "keep-alive", "proxy-connection", "expect"):
                        conn.putheader(k, v)
                conn.endheaders()
                if body:
                    conn.send(body)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.getheaders(), data
            except (http.client.HTTPException, OSError):
                conn.close()
                LOCAL.conn = None
                if attempt:
                    raise

    def handle_any(self):
        start = time.monotonic()
        body = self.read_body()
        with LOCK:
            STATS["requests"] += 1
        url = urlsplit(self.path)
        if url.path == "/__proxy_stats":
            with LOCK:
                data = json.dumps(STATS).encode()
            return self.answer(200, [("Content-Type", "application/json")], data)
        if url.path == "/__proxy_log":
            with LOCK:
                data = json.dumps(LOG).encode()
            return self.answer(200, [("Content-Type", "application/json")], data)

        def wait():
            left = args.latency / 1000 - (time.monotonic() - start)
            if left > 0:
                time.sleep(left)

        for rules, status, code in ((args.deny, 403, b"AccessDenied"), (args.not_found, 404, b"NoSuchKey")):
            for rule in rules:
                method, suffix = rule.split(":", 1)
                target = "?" + url.query if suffix.startswith("?") else url.path
                if self.command == method and target.endswith(suffix):
                    with LOCK:
                        STATS["denied"] += 1
                    wait()
                    xml = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>" + code + b"</Code><Message>refused by the test proxy</Message></Error>"
                    return self.answer(status, [("Content-Type", "application/xml")], xml)
        target = self.headers.get("X-Amz-Target")
        rule = take(JSON_ERRORS, target)
        if rule:
            wait()
            body = json.dumps({"__type": rule[3], "message": "refused by the test proxy"}).encode()
            return self.answer(rule[2], [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", rule[3])], body)
        if args.json_error and target:
            status, code = args.json_error.split(":", 1)
            wait()
            body = json.dumps({"__type": code, "message": "refused by the test proxy"}).encode()
            return self.answer(int(status), [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)], body)
        if args.ssm_shared and target == "AmazonSSM.GetParameter":
            asked = json.loads(body or b"{}")
            arn = re.match(r"arn:[^:]+:ssm:([^:]+):(\d{12}):parameter(/.+)$", asked.get("Name", ""))
            if arn and arn.group(2) in args.ssm_shared:
                wait()
                return self.answer(*shared_parameter(arn.group(1), arn.group(2), arn.group(3), asked.get("WithDecryption", False)))
        if chance(args.slowdown):
            with LOCK:
                STATS["slowdowns"] += 1
            wait()
            xml = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
            return self.answer(503, [("Content-Type", "application/xml")], xml)
        named = self.headers.get("x-amz-checksum-sha256")
        if self.command == "PUT" and named and named != base64.b64encode(hashlib.sha256(body).digest()).decode():
            wait()
            xml = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum.</Message></Error>"
            return self.answer(400, [("Content-Type", "application/xml")], xml)
        if self.command == "PUT" and (self.headers.get("If-Match") or self.headers.get("If-None-Match")):
            conflict = chance(args.conflict)
            with LOCK:
                for suffix, left in CONFLICTS_LEFT.items():
                    if left > 0 and url.path.endswith(suffix):
                        CONFLICTS_LEFT[suffix] = left - 1
                        conflict = True
                        break
                if conflict:
                    STATS["conflicts"] += 1
            if conflict:
                wait()
                xml = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>ConditionalRequestConflict</Code>"
                       b"<Message>A conflicting operation occurred. If using PutObject you can retry the request. "
                       b"If using multipart upload you should initiate another CreateMultipartUpload request and "
                       b"re-upload each part.</Message></Error>")
                return self.answer(409, [("Content-Type", "application/xml")], xml)
        query = parse_qs(url.query, keep_blank_values=True)
        if args.lifecycle and "lifecycle" in query:
            if self.command == "PUT":
                with LOCK:
                    LIFECYCLES[url.path.rstrip("/")] = body
                wait()
                return self.answer(200, [], b"")
            if self.command == "GET":
                with LOCK:
                    stored = LIFECYCLES.get(url.path.rstrip("/"))
                wait()
                if stored is None:
                    xml = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchLifecycleConfiguration</Code><Message>The lifecycle configuration does not exist</Message></Error>"
                    return self.answer(404, [("Content-Type", "application/xml")], xml)
                return self.answer(200, [("Content-Type", "application/xml")], stored)
        version = query.get("versionId", [None])[0]
        key = (url.path, version)
        if args.cache_versions and self.command == "GET" and version:
            with LOCK:
                cached = VERSIONS.get(key)
            if cached:
                wait()
                return self.answer(*cached)
        status, headers, data = self.forward(body)
        if b"<GetBucketVersioningResponse" in data:
            data = data.replace(b"GetBucketVersioningResponse", b"VersioningConfiguration")
        if AGE:
            headers = aged_headers(headers)
            if b"<ListVersionsResult" in data[:512] or b"<ListBucketResult" in data[:512]:
                data = aged_listing(data)
        if args.cache_versions and self.command == "GET" and version and status == 200:
            with LOCK:
                VERSIONS[key] = (status, headers, data)
        wait()
        if (self.command == "PUT" and chance(args.drop_after)) or take(JSON_DROPS, target):
            # The upstream carried the request out; the client never hears of it.
            with LOCK:
                STATS["dropped"] += 1
                LOG.append({"method": self.command, "path": urlsplit(self.path).path, "query": url.query, "conditional": bool(self.headers.get("If-Match") or self.headers.get("If-None-Match")), "checksum_sha256": self.headers.get("x-amz-checksum-sha256"), "status": None})
            self.close_connection = True
            return
        self.answer(status, headers, data)

    do_GET = handle_any
    do_PUT = handle_any
    do_POST = handle_any
    do_HEAD = handle_any
    do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that hangs up early (a listing stopped at --limit) is no error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
