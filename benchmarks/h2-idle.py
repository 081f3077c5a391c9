#!/usr/bin/env python3
"""Idle HTTP/2 connections for benchmarks/h2.sh's memory test.

Opens N TLS connections with ALPN h2 to 127.0.0.1:PORT; on each sends the connection preface and
an empty SETTINGS frame, answers the server's SETTINGS (and PINGs) with an ACK and waits for the
server's ACK of its own. No stream is ever opened. Prints 'ready N' (N: connections that got that
far) once every connection has been tried, then holds them while HOLD_FILE exists (at most
--max-hold seconds) and ends with a 'result' line; without --hold-file it closes them at once
(a warm-up). A connection the server closes or sends GOAWAY on while held counts as closed.

  python3 benchmarks/h2-idle.py --port P --connections N [--hold-file F] [--max-pending 50]
"""

import argparse
import asyncio
import os
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS, PING, GOAWAY = 0x4, 0x6, 0x7
ACK = 0x1


def frame(kind, flags, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", 0) + payload


class Stats:
    def __init__(self):
        self.ready = 0
        self.failures = 0
        self.closed = 0
        self.first_problem = None
        self.holding = True

    def problem(self, what):
        if self.first_problem is None:
            self.first_problem = what


async def read_frame(reader):
    head = await reader.readexactly(9)
    length = int.from_bytes(head[0:3], "big")
    payload = await reader.readexactly(length) if length else b""
    return head[3], head[4], payload


async def connection(args, context, pending, stats, held):
    try:
        async with pending:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", args.port, ssl=context,
                                        server_hostname=args.sni),
                args.handshake_timeout)
            protocol = writer.get_extra_info("ssl_object").selected_alpn_protocol()
            if protocol != "h2":
                raise RuntimeError(f"ALPN selected {protocol!r}, not h2")
            writer.write(PREFACE + frame(SETTINGS, 0))
            got_settings = got_ack = False
            deadline = time.monotonic() + args.handshake_timeout
            while not (got_settings and got_ack):
                kind, flags, payload = await asyncio.wait_for(
                    read_frame(reader), max(0.1, deadline - time.monotonic()))
                if kind == SETTINGS and flags & ACK:
                    got_ack = True
                elif kind == SETTINGS:
                    got_settings = True
                    writer.write(frame(SETTINGS, ACK))
                elif kind == PING and not flags & ACK:
                    writer.write(frame(PING, ACK, payload))
                elif kind == GOAWAY:
                    raise RuntimeError("GOAWAY before SETTINGS were exchanged")
            await writer.drain()
    except Exception as e:  # noqa: BLE001 - any failure counts, the first is reported
        stats.failures += 1
        stats.problem(f"{type(e).__name__}: {e}")
        return
    stats.ready += 1
    held.append(writer)
    # Held: frames are read (and PINGs answered) until the hold ends or the server closes.
    try:
        while stats.holding:
            kind, flags, payload = await read_frame(reader)
            if kind == PING and not flags & ACK:
                writer.write(frame(PING, ACK, payload))
            elif kind == GOAWAY:
                raise RuntimeError("GOAWAY while idle")
    except asyncio.CancelledError:
        raise
    except Exception as e:  # noqa: BLE001
        if stats.holding:
            stats.closed += 1
            stats.problem(f"closed while idle: {type(e).__name__}: {e}")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--hold-file")
    parser.add_argument("--max-hold", type=float, default=600)
    parser.add_argument("--max-pending", type=int, default=50)
    parser.add_argument("--handshake-timeout", type=float, default=30)
    parser.add_argument("--sni", default="localhost")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # verification costs only the client
    context.set_alpn_protocols(["h2"])
    stats = Stats()
    held = []
    pending = asyncio.Semaphore(args.max_pending)
    started = time.monotonic()
    tasks = [asyncio.ensure_future(connection(args, context, pending, stats, held))
             for _ in range(args.connections)]
    # Every connection tried: each task is either holding (reading) or done.
    while stats.ready + stats.failures < args.connections:
        await asyncio.sleep(0.05)
    print(f"ready {stats.ready} in {time.monotonic() - started:.1f} s", flush=True)
    if args.hold_file:
        deadline = time.monotonic() + args.max_hold
        while os.path.exists(args.hold_file) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    stats.holding = False
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for writer in held:
        writer.close()
    if stats.first_problem:
        print(f"first problem: {stats.first_problem}", flush=True)
    print(f"result opened={stats.ready} failures={stats.failures} closed={stats.closed}", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
