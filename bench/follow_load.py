#!/usr/bin/env python3
"""Load for bench/follow.sh: a steady stream of writes to a source, and probes that time how long each
write takes to show in the target (the follower's lag, end to end).

  follow_load.py SOURCE_PORT TARGET_PORT RATE SECONDS

Writes RATE commands a second for SECONDS (pipelined every 10 ms): a mix of SET, HSET, ZADD, RPUSH, DEL
and EXPIRE over 100,000 keys. Every 50 ms one of them is a probe, SET lagprobe:<n> <t>; a second
connection polls the target for the probes and records when each arrived. Prints one JSON line:
commands sent, probes, lag p50/p99/max in ms, the rate reached.
"""
import json, random, socket, sys, threading, time


class Resp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def send(self, *commands):
        out = bytearray()
        for args in commands:
            out += b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def reply(self):
        line = self.f.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest


def main():
    src_port, dst_port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    src, dst = Resp(src_port), Resp(dst_port)
    rnd = random.Random(7)
    sent_at, arrived = {}, {}
    done = threading.Event()

    def poll():
        n = 0
        while not (done.is_set() and n >= len(sent_at)):
            if n not in sent_at:
                time.sleep(0.001)
                continue
            dst.send(("GET", "lagprobe:%d" % n))
            if dst.reply() is not None:
                arrived[n] = time.monotonic()
                n += 1
            elif done.is_set() and time.monotonic() - sent_at[n] > 60:
                break  # never arrived
            else:
                time.sleep(0.0005)

    poller = threading.Thread(target=poll)
    poller.start()
    start = time.monotonic()
    sent, probes, tick = 0, 0, 0
    next_probe = start
    while time.monotonic() - start < seconds:
        tick += 1
        due = int(rate * (time.monotonic() - start)) - sent
        batch = []
        for _ in range(max(0, due)):
            k = rnd.randrange(100_000)
            op = rnd.randrange(6)
            batch.append([("SET", "s:%d" % k, "v%d" % rnd.randrange(1 << 30)),
                          ("HSET", "h:%d" % k, "f%d" % rnd.randrange(8), "v"),
                          ("ZADD", "z:%d" % k, rnd.randrange(1000), "m%d" % rnd.randrange(8)),
                          ("RPUSH", "l:%d" % k, "e"),
                          ("DEL", "s:%d" % k),
                          ("EXPIRE", "h:%d" % k, 30 + rnd.randrange(300))][op])
        now = time.monotonic()
        if now >= next_probe:
            batch.append(("SET", "lagprobe:%d" % probes, "%d" % probes))
            sent_at[probes] = now
            probes += 1
            next_probe += 0.05
        if batch:
            src.send(*batch)
            for _ in batch:
                src.reply()
            sent += len(batch)
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    done.set()
    poller.join()
    lags = sorted((arrived[n] - sent_at[n]) * 1000 for n in arrived)
    pct = lambda p: round(lags[min(len(lags) - 1, int(p * len(lags)))], 1) if lags else None
    print(json.dumps({"commands": sent, "seconds": round(elapsed, 1), "rate": round(sent / elapsed),
                      "probes": probes, "arrived": len(lags), "lag_p50_ms": pct(0.50), "lag_p99_ms": pct(0.99),
                      "lag_max_ms": round(lags[-1], 1) if lags else None}))


if __name__ == "__main__":
    main()
