"""A TCP proxy that adds a fixed delay to every request: latency_proxy.py UPSTREAM_PORT DELAY_MS.

Each chunk from a client is held DELAY_MS before it is forwarded, which models the
round trip to an in-region S3 endpoint on top of a local emulator. Prints its port
and stops when stdin closes.
"""
import asyncio
import sys

UPSTREAM = int(sys.argv[1])
DELAY = int(sys.argv[2]) / 1000


async def pipe(reader, writer, delay):
    try:
        while data := await reader.read(65536):
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, up_writer, DELAY), pipe(up_reader, client_writer, 0))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
