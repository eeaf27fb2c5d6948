"""A local registry token endpoint that verifies SigV4 signatures for real.

Usage: token_endpoint.py --keys KEYS.json --region R --service S [--mode MODE]
                         [--tls-cert CERT --tls-key KEY]

KEYS.json maps access key ids to {"secret": ..., "session_token": ... (optional)}.
A request is answered with a token only when its signature, recomputed with
botocore's own SigV4 code from the known secret, matches; when the credential scope
names the expected region and service; when a session token, if the key has one, was
sent and signed. Otherwise 403. `expiration_seconds` above 60000 gets 400, as the
registry does.

GET /__stats answers {"token_requests": N, "minted": M}. Prints the port on stdout
and stops when stdin closes.

Modes: normal, html (200 with an HTML page), slow (sleeps 5 s), error (500),
cap=N (400 above N seconds instead of 60000), huge (200 with a megabyte of token-like
text and no Content-Length), redirect=URL (307 to URL + the path, for every request).
--prefix P serves the token at P/token only (an API Gateway stage).

The registry's own API: GET /.well-known/terraform.json (discovery) and
/v1/modules/NS/NAME/SYSTEM/versions, which answers 401 unless the bearer token is one
this endpoint minted, and then 403 (no grant), as the registry does. With --grant NS
(repeatable) the caller may download in NS: /versions lists version 1.0.0,
/v1/modules/NS/NAME/SYSTEM/1.0.0/download answers 204 with X-Terraform-Get naming
/archives/NS/NAME/SYSTEM.tar.gz on this server, which serves (without a token, as a
registry's storage does) a module whose one output says where it came from
(--label). GET /__stats also counts "module_requests" (by a known token).

The API (--api-key) also answers: /moved/... with a 307 to the same path without
/moved (the same origin), /status/N with HTTP N, /huge/N with N bytes.
"""
import argparse
import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import sigv4_check
import testlib

parser = argparse.ArgumentParser()
parser.add_argument("--keys", required=True)
parser.add_argument("--region", required=True)
parser.add_argument("--service", required=True)
parser.add_argument("--mode", default="normal")
parser.add_argument("--api-key", help="also serve every other path as an API that takes this x-api-key or a SigV4 signature")
parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
parser.add_argument("--prefix", default="", help="serve the token at PREFIX/token only")
parser.add_argument("--grant", action="append", default=[], help="a namespace the caller may download in")
parser.add_argument("--label", default="a test registry", help="what the served modules say they came from")
args = parser.parse_args()

with open(args.keys) as f:
    KEYS = json.load(f)

LOCK = threading.Lock()
STATS = {"token_requests": 0, "minted": 0, "paths": [], "bearer_checks": 0, "module_requests": 0}
MINTED = set()


def verify(handler, body=b""):
    """The reason the request is refused, or None when the signature is valid."""
    return sigv4_check.verify(KEYS, args.region, args.service, handler.command, handler.path, handler.headers, body)


class Handler(BaseHTTPRequestHandler):
    def api(self):
        """Any other path: an API that echoes the request when it is authorized."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if args.mode.startswith("redirect="):
            return self.redirect(args.mode.split("=", 1)[1] + self.path)
        if args.api_key and self.headers.get("x-api-key") == args.api_key:
            auth = "api-key"
        elif self.headers.get("Authorization"):
            reason = verify(self, body.encode())
            if reason:
                return self.reply(403, json.dumps({"message": reason}), "application/json")
            auth = "sigv4"
        else:
            return self.reply(403, json.dumps({"message": "Forbidden"}), "application/json")
        path = urlsplit(self.path).path
        if path.startswith("/moved/"):
            return self.redirect(self.path[len("/moved"):])
        if path.startswith("/status/"):
            return self.reply(int(path.split("/")[2]), json.dumps({"message": "as asked"}), "application/json")
        if path.startswith("/huge/"):
            return self.reply(200, "x" * int(path.split("/")[2]))
        echo = {"auth": auth, "method": self.command, "path": self.path, "body": body, "x-test": self.headers.get("x-test")}
        self.reply(200, json.dumps(echo), "application/json")

    def redirect(self, location):
        self.send_response(307)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def module(self, parts):
        """/versions and /download: a minted bearer token, and a grant in the namespace."""
        with LOCK:
            STATS["bearer_checks"] += 1
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        with LOCK:
            known = token in MINTED
            if known:
                STATS["module_requests"] += 1
        if not known:
            return self.reply(401, "Missing or invalid credentials")
        namespace, name, system = parts[:3]
        if namespace not in args.grant:
            return self.reply(403, f"Not authorized to download in namespace {namespace}")
        if parts[-1] == "versions":
            body = {"modules": [{"versions": [{"version": "1.0.0"}]}]}
            return self.reply(200, json.dumps(body), "application/json")
        scheme = "https" if args.tls_cert else "http"
        self.send_response(204)
        self.send_header("X-Terraform-Get", f"{scheme}://{self.headers['Host']}{args.prefix}/archives/{namespace}/{name}/{system}.tar.gz")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def archive(self, path):
        module = path[: -len(".tar.gz")] if path.endswith(".tar.gz") else path
        data = testlib.module_archive(f"{module} from {args.label}")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = api
    do_PUT = api
    do_DELETE = api

    # One write per response, as real servers do: an unbuffered writer sends the
    # headers and the body in two segments, and Nagle plus delayed ACKs then add
    # 40 ms to every request, which would drown what the benchmarks measure.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/__stats":
            with LOCK:
                return self.reply(200, json.dumps(STATS), "application/json")
        if url.path == args.prefix + "/.well-known/terraform.json":
            return self.reply(200, json.dumps({"modules.v1": "/v1/modules/"}), "application/json")
        if url.path.startswith(args.prefix + "/archives/"):
            return self.archive(url.path[len(args.prefix + "/archives/"):])
        if url.path.startswith(args.prefix + "/v1/modules/"):
            parts = url.path[len(args.prefix + "/v1/modules/"):].split("/")
            if len(parts) == 4 and parts[3] == "versions" or len(parts) == 5 and parts[4] == "download":
                return self.module(parts)
        if url.path != args.prefix + "/token":
            if url.path.endswith("/token"):
                return self.reply(404, "no such stage")
            return self.api()
        with LOCK:
            STATS["token_requests"] += 1
            STATS["paths"].append(url.path)
        if args.mode.startswith("redirect="):
            return self.redirect(args.mode.split("=", 1)[1] + self.path)
        reason = verify(self)
        if reason:
            return self.reply(403, json.dumps({"message": reason}), "application/json")
        if args.mode == "html":
            return self.reply(200, "<html><body><h1>Sign in</h1></body></html>", "text/html")
        if args.mode == "slow":
            time.sleep(5)
        if args.mode == "error":
            return self.reply(500, "internal error")
        if args.mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(("IAMBearerAuth~" + "A" * (1 << 20)).encode())
            self.close_connection = True
            return
        seconds = int(parse_qs(url.query).get("expiration_seconds", ["300"])[0])
        cap = int(args.mode.split("=")[1]) if args.mode.startswith("cap=") else 60000
        if seconds > cap:
            return self.reply(400, f"expiration_seconds must be at most {cap}")
        with LOCK:
            STATS["minted"] += 1
            n = STATS["minted"]
        # The caller, as the registry embeds its role: two callers never get the same token.
        caller = sigv4_check.caller_key(self.headers)
        claims = json.dumps({"role_arn": f"arn:aws:iam::123456789012:role/{caller}", "expiration": int(time.time()) + seconds, "n": n})
        token = "IAMBearerAuth~" + base64.b64encode(claims.encode()).decode()
        with LOCK:
            MINTED.add(token)
        self.reply(200, token)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
testlib.serve(server, args.tls_cert, args.tls_key)
