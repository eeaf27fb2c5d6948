"""Provision the emulator and run the reference implementations for the tests.

fixture.py create-grants-table TABLE
fixture.py put-module TABLE NAMESPACE NAME SYSTEM VERSION
fixture.py scan TABLE                          -> every item, as JSON
fixture.py registry-create-grant TABLE NS ROLE '{"download": true}'
fixture.py registry-get-grant TABLE NS ROLE     -> the item the registry reads and what it allows
fixture.py s3-keys BUCKET                       -> the bucket's keys, as JSON
fixture.py conditional-race BUCKET ROUNDS WRITERS -> {"rounds": N, "many_won": N}: WRITERS PUTs at
                                                once, each If-Match the same ETag, ROUNDS times
fixture.py iam-user-with-policy NAME POLICY_JSON -> {"id": ..., "secret": ...}: a user holding exactly that policy
fixture.py enforce-iam now                      (the emulator checks every later request's IAM permissions)
fixture.py registry-put-module TABLE BUCKET NS NAME SYSTEM VERSION LABEL
                                                (an archive uploaded with its SHA-256, recorded by the registry's Module.create())
fixture.py ssm-put NAME VALUE                   (a SecureString, as the construct writes it)
fixture.py ssm-get NAME                         -> {"type": ..., "value": ...}
fixture.py secret-create NAME TEXT
fixture.py apikey-cache-write PATH JSON         (with json.dump, as the construct's cache.py)
fixture.py apikey-cache-read PATH               -> json.dumps(json.load(file)), the construct's view
fixture.py cfn-stack STACK '{"APIEndpoint": "https://..."}'  (a stack with these outputs) -> its ARN
fixture.py cfn-delete STACK
fixture.py iam-role NAME                        -> the new role's ARN
fixture.py kms-key ALIAS [enabled|disabled|pending-deletion]  -> the key id
fixture.py kms-signing-key ALIAS SPEC           (SPEC: ECC_NIST_P256, RSA_2048...) -> the key id
fixture.py kms-public-key KEY                   -> its public key, PEM (as `aws kms get-public-key` + base64 make it)
fixture.py ssm-put-string NAME VALUE            (a String parameter, overwritten)
fixture.py ssm-get-string NAME                  -> {"value": ..., "version": ...}
fixture.py ssm-put-as ACCOUNT NAME VALUE        (a String parameter of another account, written as it)
"""
import json
import os
import sys

import boto3

cmd, table, *rest = sys.argv[1:]  # `table` is the first argument, whatever it names


def registry_auth():
    os.environ["TABLE"] = table
    from registry.auth.bearer import IAMBearerAuth

    return IAMBearerAuth


if cmd == "create-grants-table":
    boto3.client("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
elif cmd == "put-module":
    ns, name, system, version = rest
    boto3.resource("dynamodb").Table(table).put_item(
        Item={"pk": ns, "sk": f"Module~{ns}~{name}~{system}~{version}", "namespace": ns, "name": name, "system": system, "version": version}
    )
elif cmd == "scan":
    items = boto3.resource("dynamodb").Table(table).scan()["Items"]
    print(json.dumps(sorted(items, key=lambda i: (i["pk"], i["sk"])), sort_keys=True))
elif cmd == "registry-create-grant":
    ns, role, perms = rest
    registry_auth().create_grant(namespace=ns, identifier=role, permissions=json.loads(perms))
elif cmd == "iam-user-with-policy":
    (policy,) = rest
    iam = boto3.client("iam")
    iam.create_user(UserName=table)
    arn = iam.create_policy(PolicyName=f"{table}-policy", PolicyDocument=policy)["Policy"]["Arn"]
    iam.attach_user_policy(UserName=table, PolicyArn=arn)
    key = iam.create_access_key(UserName=table)["AccessKey"]
    print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
elif cmd == "enforce-iam":
    import urllib.request

    # moto's server: after this many more requests (none), every request is checked.
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request).read()
elif cmd == "conditional-race":
    import threading

    from botocore.config import Config

    rounds, writers = int(rest[0]), int(rest[1])
    s3 = boto3.client("s3", config=Config(max_pool_connections=writers, s3={"addressing_style": "path"}))
    etag = s3.put_object(Bucket=table, Key="race", Body=b"start")["ETag"]
    many_won = 0
    for r in range(rounds):
        won = []
        together = threading.Barrier(writers)

        def write(w):
            together.wait()
            try:
                won.append(s3.put_object(Bucket=table, Key="race", Body=f"{r}/{w}".encode(), IfMatch=etag))
            except s3.exceptions.ClientError:
                pass

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        many_won += len(won) > 1
        etag = s3.head_object(Bucket=table, Key="race")["ETag"]
    print(json.dumps({"rounds": rounds, "many_won": many_won}))
elif cmd == "s3-keys":
    listed = boto3.client("s3").list_objects_v2(Bucket=table).get("Contents", [])
    print(json.dumps(sorted(o["Key"] for o in listed)))
elif cmd == "registry-put-module":
    import base64
    import hashlib
    import typing

    import typing_extensions

    import testlib

    bucket, ns, name, system, version, label = rest
    data = testlib.module_archive(f"{ns}/{name}/{system} {version} from {label}")
    s3 = boto3.client("s3")
    try:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    key = f"{ns}/{name}/{system}/{version}.tar.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=data, ChecksumAlgorithm="SHA256")
    os.environ["TABLE"] = table
    typing.TypedDict = typing_extensions.TypedDict  # as registry_server.py does, for Python 3.11
    import warnings

    warnings.filterwarnings("ignore", message="A custom validator is returning a value other than `self`")
    from registry.models import Module

    checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
    Module(namespace=ns, name=name, system=system, version=version, bucket=bucket, key=key, expected_checksum=checksum).create()
elif cmd == "registry-get-grant":
    ns, role = rest
    auth = registry_auth()
    item = auth.get_grant(namespace=ns, identifier=role)
    allowed = {op: bool(item and item.get("permissions", {}).get(op, False)) for op in ["download", "upload", "create_grant", "delete_grant"]}
    print(json.dumps({"item": item, "allowed": allowed}, sort_keys=True))
elif cmd == "ssm-put":
    boto3.client("ssm").put_parameter(Name=table, Value=rest[0], Type="SecureString", Overwrite=True)
elif cmd == "ssm-get":
    p = boto3.client("ssm").get_parameter(Name=table, WithDecryption=True)["Parameter"]
    print(json.dumps({"type": p["Type"], "value": p["Value"]}))
elif cmd == "secret-create":
    boto3.client("secretsmanager").create_secret(Name=table, SecretString=rest[0])
elif cmd == "apikey-cache-write":
    os.makedirs(os.path.dirname(table), exist_ok=True)
    with open(table, "w") as f:
        json.dump(json.loads(rest[0]), f)
elif cmd == "apikey-cache-read":
    with open(table) as f:
        sys.stdout.write(json.dumps(json.load(f)))
elif cmd == "cfn-stack":
    outputs = json.loads(rest[0])
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {k: {"Value": v} for k, v in outputs.items()},
    }
    print(boto3.client("cloudformation").create_stack(StackName=table, TemplateBody=json.dumps(template))["StackId"])
elif cmd == "cfn-delete":
    boto3.client("cloudformation").delete_stack(StackName=table)
elif cmd == "iam-role":
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    role = boto3.client("iam").create_role(RoleName=table, AssumeRolePolicyDocument=json.dumps(trust))
    print(role["Role"]["Arn"])
elif cmd == "kms-key":
    kms = boto3.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=table, TargetKeyId=key_id)
    state = rest[0] if rest else "enabled"
    if state == "disabled":
        kms.disable_key(KeyId=key_id)
    elif state == "pending-deletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    print(key_id)
elif cmd == "kms-signing-key":
    (spec,) = rest
    kms = boto3.client("kms")
    key_id = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=table, TargetKeyId=key_id)
    print(key_id)
elif cmd == "kms-public-key":
    import base64

    der = boto3.client("kms").get_public_key(KeyId=table)["PublicKey"]
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    print("-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----")
elif cmd == "ssm-put-string":
    boto3.client("ssm").put_parameter(Name=table, Value=rest[0], Type="String", Overwrite=True)
elif cmd == "ssm-get-string":
    p = boto3.client("ssm").get_parameter(Name=table)["Parameter"]
    print(json.dumps({"value": p["Value"], "version": p["Version"]}))
elif cmd == "ssm-put-as":
    role = f"arn:aws:iam::{table}:role/shared-parameters"
    owner = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="ssm-share")["Credentials"]
    boto3.client(
        "ssm",
        aws_access_key_id=owner["AccessKeyId"],
        aws_secret_access_key=owner["SecretAccessKey"],
        aws_session_token=owner["SessionToken"],
    ).put_parameter(Name=rest[0], Value=rest[1], Type="String", Overwrite=True)
else:
    raise SystemExit(f"unknown command {cmd}")

