#!/usr/bin/env python3
"""Receives a Redis source's RDB snapshot as a replica would, and times it.

What an RDB-based backfill waits for before its last key can be applied: the handshake (REPLCONF, PSYNC ? -1), the
source's fork and BGSAVE (disk-based) or its streaming of the snapshot (diskless), and the transfer. Nothing is
parsed or applied, so this is a lower bound of such a backfill's time on the same source.

Usage: rdb_receive.py PORT [HOST]
Prints one line: seconds to the FULLRESYNC reply, seconds to the first snapshot byte, seconds to the last, bytes.
"""
import socket
import sys
import time


def line(sock_file):
    data = sock_file.readline()
    if not data:
        raise SystemExit("the source closed the connection")
    return data.rstrip(b"\r\n")


def command(sock, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    t0 = time.monotonic()
    sock = socket.create_connection((host, port))
    f = sock.makefile("rb", buffering=1 << 20)
    command(sock, "REPLCONF", "listening-port", "0")
    assert line(f) == b"+OK"
    command(sock, "REPLCONF", "capa", "eof", "capa", "psync2")
    assert line(f) == b"+OK"
    command(sock, "PSYNC", "?", "-1")
    reply = line(f)
    while reply == b"":  # newlines the master sends while it prepares the snapshot
        reply = line(f)
    if not reply.startswith(b"+FULLRESYNC"):
        raise SystemExit("PSYNC answered %r" % reply)
    t_reply = time.monotonic()
    header = line(f)
    while header == b"":
        header = line(f)
    t_first = time.monotonic()
    received = 0
    if header.startswith(b"$EOF:"):
        mark = header[5:]
        tail = b""
        while True:
            chunk = f.read1(1 << 20)
            if not chunk:
                raise SystemExit("the source closed the connection inside the snapshot")
            received += len(chunk)
            tail = (tail + chunk)[-len(mark):]
            if tail == mark:
                received -= len(mark)
                break
    else:
        left = int(header[1:])
        while left > 0:
            chunk = f.read1(min(left, 1 << 20))
            if not chunk:
                raise SystemExit("the source closed the connection inside the snapshot")
            left -= len(chunk)
            received += len(chunk)
    t_last = time.monotonic()
    sock.close()
    print("fullresync %.3f s, first byte %.3f s, last byte %.3f s, %d bytes" % (
        t_reply - t0, t_first - t0, t_last - t0, received))


if __name__ == "__main__":
    main()
