"""The registry as deployed: lambda-terraform-module-registry's own Lambda handler
(`registry.aws_lambda.registry_lambda.handler`, FastAPI behind Mangum) behind a local
stand-in for API Gateway, on the emulator's DynamoDB, KMS and S3.

Usage: registry_server.py --keys KEYS.json --region R --table T --kms-alias A
                          [--service S] [--tls-cert CERT --tls-key KEY] [--fix-create]

KEYS.json maps access key ids to {"secret": ..., "session_token": ... (optional),
"arn": the caller's ARN}. Every request becomes an API Gateway REST event. /token is
the route API Gateway's IAM authoriser guards: a request whose SigV4 signature does not
verify (sigv4_check.py, for region R and service S) is answered 403 as the gateway
answers, before the handler runs; one that does gets the caller's ARN in
`requestContext.identity.userArn`, as the gateway puts it there. Every other route goes
to the handler as it comes (the registry checks bearer tokens itself).

At start the table T (the registry's key schema) and a KMS key with alias A are made on
the emulator when missing; the handler is imported with TABLE=T and
IAM_AUTH_KMS_KEY=A. Downloads are S3 presigned URLs (the emulator's address), as the
handler makes them.

--fix-create mends the one line that makes 0.2.5's create route answer 500 to every
request (it unpacks its pydantic request model with `**`): the model becomes a mapping,
and the route's own code runs unchanged.

GET /__log answers every request seen, in order, as
[{"method", "path", "status", "bearer": bool, "signed": bool}]; GET /__stats the
counts the stand-in's tests read ({"token_requests", "minted", "module_requests",
"bearer_checks"}).
Prints the port on stdout and stops when stdin closes.
"""
import argparse
import asyncio
import base64
import json
import logging
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import boto3

import sigv4_check
import testlib

parser = argparse.ArgumentParser()
parser.add_argument("--keys", required=True)
parser.add_argument("--region", required=True)
parser.add_argument("--service", default="execute-api")
parser.add_argument("--table", required=True)
parser.add_argument("--kms-alias", required=True)
parser.add_argument("--tls-cert")
parser.add_argument("--tls-key")
parser.add_argument("--fix-create", action="store_true")
args = parser.parse_args()

with open(args.keys) as f:
    KEYS = json.load(f)


def provision():
    dynamodb = boto3.client("dynamodb")
    try:
        dynamodb.create_table(
            TableName=args.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except dynamodb.exceptions.ResourceInUseException:
        pass
    kms = boto3.client("kms")
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    if args.kms_alias not in aliases:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=args.kms_alias, TargetKeyId=key_id)


provision()
os.environ["TABLE"] = args.table
os.environ["IAM_AUTH_KMS_KEY"] = args.kms_alias
# As on Lambda: the registry's logger then writes nowhere but Python's last resort
# (stderr), and only what is serious; Mangum's tracebacks of the handler's own 500s go.
os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "terraform-registry"
os.environ["LOG_LEVEL"] = "CRITICAL"
logging.getLogger("mangum").setLevel(logging.CRITICAL)

# The package declares Python >= 3.12 only because pydantic refuses typing.TypedDict
# before it; typing_extensions' TypedDict is the same thing, and lets it run on 3.11.
import typing  # noqa: E402
import warnings  # noqa: E402

import typing_extensions  # noqa: E402

typing.TypedDict = typing_extensions.TypedDict
# Its model validator returns None; pydantic says so on every download and carries on.
warnings.filterwarnings("ignore", message="A custom validator is returning a value other than `self`")

from registry.aws_lambda import registry_lambda  # noqa: E402
from registry import models  # noqa: E402

if args.fix_create:
    # `Module(..., **post_data)`: a mapping is what `**` asks for.
    models.ModuleStorage.keys = lambda self: type(self).model_fields.keys()
    models.ModuleStorage.__getitem__ = lambda self, key: getattr(self, key)

LOCK = threading.Lock()
LOG = []
LOCAL = threading.local()


def invoke(event):
    """The handler's answer to one event, run as Lambda runs it: one at a time per
    instance, with an event loop in the calling thread (Mangum needs one)."""
    if not hasattr(LOCAL, "loop"):
        LOCAL.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(LOCAL.loop)
    with LOCK:
        return registry_lambda.handler(event, None)


def rest_event(method, target, headers, body, user_arn):
    url = urlsplit(target)
    single, multi = {}, {}
    for name, value in headers.items():
        single[name] = value
        multi.setdefault(name, []).append(value)
    query = parse_qsl(url.query, keep_blank_values=True)
    query_single, query_multi = {}, {}
    for name, value in query:
        query_single[name] = value
        query_multi.setdefault(name, []).append(value)
    return {
        "resource": "/{proxy+}",
        "path": url.path,
        "httpMethod": method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query_single or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": {"proxy": url.path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": url.path,
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {"sourceIp": "127.0.0.1", "userArn": user_arn, "userAgent": headers.get("User-Agent")},
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


class Handler(BaseHTTPRequestHandler):
    # One write per response (see token_endpoint.py).
    wbufsize = -1
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def record(self, status, signed):
        entry = {
            "method": self.command,
            "path": self.path,
            "status": status,
            "bearer": self.headers.get("Authorization", "").startswith("Bearer "),
            "signed": signed,
        }
        with LOCK:
            LOG.append(entry)

    def local(self, path):
        with LOCK:
            log = list(LOG)
        if path == "/__log":
            return json.dumps(log).encode()
        tokens = [e for e in log if urlsplit(e["path"]).path == "/token"]
        modules = [e for e in log if e["path"].startswith("/v1/modules/") and e["bearer"] and e["status"] != 401]
        stats = {
            "bearer_checks": sum(1 for e in log if e["path"].startswith("/v1/modules/")),
            "token_requests": len(tokens),
            "minted": sum(1 for e in tokens if e["status"] == 200),
            "module_requests": len(modules),
        }
        return json.dumps(stats).encode()

    def handle_any(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path in ("/__log", "/__stats"):
            return self.reply(200, [("Content-Type", "application/json")], self.local(path))
        user_arn = None
        signed = False
        if path == "/token":
            reason = sigv4_check.verify(KEYS, args.region, args.service, self.command, self.path, self.headers, body)
            if reason:
                self.record(403, False)
                message = json.dumps({"message": f"Forbidden: {reason}"}).encode()
                return self.reply(403, [("Content-Type", "application/json")], message)
            signed = True
            user_arn = KEYS[sigv4_check.caller_key(self.headers)]["arn"]
        headers = {name: value for name, value in self.headers.items()}
        answer = invoke(rest_event(self.command, self.path, headers, body, user_arn))
        status = answer["statusCode"]
        out = b""
        if answer.get("body"):
            out = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer["body"].encode()
        pairs = list((answer.get("headers") or {}).items())
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            pairs.extend((name, v) for v in values)
        self.record(status, signed)
        self.reply(status, pairs, out)

    do_GET = handle_any
    do_HEAD = handle_any
    do_POST = handle_any
    do_PUT = handle_any
    do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
testlib.serve(server, args.tls_cert, args.tls_key)
