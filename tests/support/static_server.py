"""Serve a folder over plain HTTP on loopback (a release mirror for the installer's
tests): static_server.py DIR [--tls-cert CERT --tls-key KEY] [--redirect-to URL].
With --tls-* it serves HTTPS; with --redirect-to it answers every GET with a 302 to
URL + the path asked for (a mirror that sends clients elsewhere). Prints its port and
stops when stdin closes."""
import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import testlib

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
testlib.serve(server, args.tls_cert, args.tls_key)
