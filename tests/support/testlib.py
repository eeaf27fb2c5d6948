"""What the local servers and fixtures of tests/support share."""
import io
import sys
import tarfile
import threading


def serve(server, tls_cert=None, tls_key=None):
    """Serve `server` (bound to a loopback port), over TLS with the certificate when
    given; print its port on stdout, and stop when stdin closes (the test that started
    it is gone)."""
    if tls_cert:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


def module_archive(output):
    """A module's .tar.gz: one main.tf whose one output, "from", says `output`."""
    text = f'output "from" {{\n  value = "{output}"\n}}\n'.encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("main.tf")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return buf.getvalue()
