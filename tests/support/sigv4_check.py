"""SigV4 verification as API Gateway's IAM authoriser does it, for the local servers.

The signature is recomputed with botocore's own SigV4 code from the secret of the key it
names; the credential scope must name the expected region and service; a key with a
session token must have sent and signed it; the request time must be within 15 minutes.
"""
import datetime
import hmac

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def verify(keys, region, service, method, path, headers, body=b""):
    """The reason the request is refused, or None when its signature is valid.

    `keys` maps access key ids to {"secret": ..., "session_token": ... (optional)};
    `headers` is the request's header mapping (case-insensitive `get`)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization header"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, _date, scope_region, scope_service, terminal = fields["Credential"].split("/")
    if key_id not in keys:
        return "unknown access key"
    if scope_region != region or scope_service != service or terminal != "aws4_request":
        return f"wrong scope {scope_region}/{scope_service}"
    known = keys[key_id]
    signed = fields["SignedHeaders"].split(";")
    if known.get("session_token"):
        if "x-amz-security-token" not in signed:
            return "session token not signed"
        if headers.get("X-Amz-Security-Token") != known["session_token"]:
            return "wrong session token"
    amz_date = headers.get("X-Amz-Date", "")
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900:
        return "request time too skewed"
    signed_headers = {h: headers[h] for h in signed if h != "host"}
    request = AWSRequest(method=method, url=f"http://{headers['Host']}{path}", headers=signed_headers, data=body)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(key_id, known["secret"], known.get("session_token")), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, fields["Signature"]):
        return "signature mismatch"
    return None


def caller_key(headers):
    """The access key id a SigV4 request was signed with ('' when it was not)."""
    return headers.get("Authorization", "").split("Credential=", 1)[-1].split("/", 1)[0]
