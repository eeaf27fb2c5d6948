"""Serve a folder over plain HTTP on loopback (a release mirror for the installer's
tests): static_server.py DIR [--tls-cert CERT --tls-key KEY] [--redirect-to URL].
With --tls-* it serves HTTPS; with --redirect-to it answers every GET with a 302 to
URL + the path asked for (a mirror that sends clients elsewhere). Prints its port and
stops when stdin closes."""
import argparse
import functools
import ssl
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--tls-cert")
parser.add_argument("--tls-key")
parser.add_argument("--redirect-to")
args = parser.parse_args()


class Handler(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def redirected(self):
        if not args.redirect_to:
            return False
        self.send_response(302)
        self.send_header("Location", args.redirect_to.rstrip("/") + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def do_GET(self):
        if not self.redirected():
            super().do_GET()

    def do_HEAD(self):
        if not self.redirected():
            super().do_HEAD()


server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=args.dir))
if args.tls_cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
