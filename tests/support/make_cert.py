"""Write a test CA and a server certificate it signed for localhost / 127.0.0.1.

make_cert.py CA.pem SERVER.pem SERVER-KEY.pem [NAME...] -- CA.pem is the bundle to
trust; each NAME (a registry host the tests reach through their proxy) is in the
certificate too.
"""
import datetime
import ipaddress
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

now = datetime.datetime.now(datetime.timezone.utc)


def certificate(subject, issuer, public_key, signing_key, ca, names=()):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                + [x509.DNSName(n) for n in names]
            ),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cdk-toolkit test CA")])
ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
server_key = ec.generate_private_key(ec.SECP256R1())
server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
ca_path, server_path, key_path, *names = sys.argv[1:]
server = certificate(server_name, ca_name, server_key.public_key(), ca_key, False, names)

with open(ca_path, "wb") as f:
    f.write(ca.public_bytes(serialization.Encoding.PEM))
with open(server_path, "wb") as f:
    f.write(server.public_bytes(serialization.Encoding.PEM))
with open(key_path, "wb") as f:
    f.write(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
