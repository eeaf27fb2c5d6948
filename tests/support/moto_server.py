"""Run moto's server on a free loopback port until stdin closes.

Prints the port on the first line of stdout. The parent keeps our stdin open;
when it exits (even by a crash) the pipe closes and this server stops with it.
"""
import logging
import sys

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
