"""Run moto's server on a free loopback port until stdin closes.

Prints the port on the first line of stdout. The parent keeps our stdin open;
when it exits (even by a crash) the pipe closes and this server stops with it.

S3 carries a conditional write (If-Match, If-None-Match) out atomically: of two
PUTs naming the same ETag, one wins. moto checks the condition, then writes, and
two requests served at once can both pass the check (measured: 4 rounds in 300
had two winners, 32 writers at once). Here every write and delete of one key
takes that key's turn, as S3's do.
"""
import logging
import sys
import threading

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.s3.responses import S3Response

_TURNS = {}
_TURNS_GUARD = threading.Lock()


def _one_at_a_time(method):
    def wrapper(self, *args, **kwargs):
        with _TURNS_GUARD:
            turn = _TURNS.setdefault((self.bucket_name, self.path.split("?")[0]), threading.Lock())
        with turn:
            return method(self, *args, **kwargs)

    return wrapper


S3Response.put_object = _one_at_a_time(S3Response.put_object)
S3Response.delete_object = _one_at_a_time(S3Response.delete_object)

logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
