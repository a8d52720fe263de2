#!/usr/bin/env python3
"""The benchmark dataset under other key names: the values, sizes, types and TTLs of
shared/bench/gen_dataset.py's mixed profiles, byte for byte (the same generator, the same
seed, the same order of random draws), only the key names change:

  app-1m, app-100k        app:<user>:<field>: all five types under one prefix, the field
                          telling the type to a human only (session, profile, feed, tags,
                          scores), as an application's keys do
  hashed-1m, hashed-100k  16 hex digits, no colon (the first 8 bytes of SHA-1 of the index)

And keyspaces of their own, unlike the benchmark's (docs/benchmarks.md, the eleventh session):

  longnames-200k          200,000 strings of 100 bytes under 2 KiB names (URLs as cache keys)
  bigelems                collections of 1 MiB elements: hashes of 600 and 200 fields, a list of 150
  bigzsets                200 big keys, 15M elements: 100 sorted sets of 100,000, 50 hashes and 50 lists of 50,000
  streams-100k            100,000 small streams of 10 entries (an event log per user), a tenth with a consumer group
  counters-20k            20,000 hashes of 600 short fields (counters by day): just over the old 512-element bound

Usage (as gen_dataset.py):
  gen_keyspace.py --port 17001 [--host 127.0.0.1] --profile app-1m [--seed 1] [--keys N] [--flush]

Any other profile is handed to gen_dataset.py unchanged. Needs SHARED (default: the
repository's ../shared) or gen_dataset.py beside this script's shared directory.
"""
import hashlib
import importlib.util
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
spec = importlib.util.spec_from_file_location("gen_dataset", os.path.join(SHARED, "bench", "gen_dataset.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

FIELDS = {"string": b"session", "hash": b"profile", "list": b"feed", "set": b"tags", "zset": b"scores"}
PREFIXES = {b"str:": "string", b"hash:": "hash", b"list:": "list", b"set:": "set", b"zset:": "zset"}


def app_name(i, t):
    return b"app:%08d:%s" % (i, FIELDS[t])


def hashed_name(i, t):
    return hashlib.sha1(b"%d" % i).hexdigest()[:16].encode()


NAMES = {"app": app_name, "hashed": hashed_name}


def chunked(commands, size=1 << 20):
    """RESP commands joined into chunks of about size bytes, as gen_dataset's generators yield them."""
    buf, n = [], 0
    for c in commands:
        buf.append(c)
        n += len(c)
        if n >= size:
            yield b"".join(buf)
            buf, n = [], 0
    if buf:
        yield b"".join(buf)


def longnames(g):
    """200,000 strings of 100 bytes under 2 KiB names, as a cache keyed by URL."""
    for i in range(200_000):
        query = b"".join(b"q=%08x&" % g.bits(32) for _ in range(200))
        key = (b"cache:https://shop.example.com/catalog/item/%d?" % i + query)[:2048]
        yield gen.resp(b"SET", key, g.blob(100, 100))


def bigelems(g):
    """Collections of 1 MiB elements: a hash of 600 fields (big by its count), a hash of 200 and a list of 150 (small)."""
    rnd = random.Random(g.bits(32))
    for i in range(600):
        yield gen.resp(b"HSET", b"docs:wide", b"doc:%d" % i, rnd.randbytes(1 << 20))
    for i in range(200):
        yield gen.resp(b"HSET", b"docs:few", b"doc:%d" % i, rnd.randbytes(1 << 20))
    for i in range(150):
        yield gen.resp(b"RPUSH", b"pages", rnd.randbytes(1 << 20))


def bigzsets(g):
    """200 big keys, 15 million elements: 100 sorted sets of 100,000 members, 50 hashes and 50 lists of 50,000."""
    for z in range(100):
        for start in range(0, 100_000, 1000):
            args = [b"ZADD", b"lb:%d" % z]
            for m in range(start, start + 1000):
                args += [b"%d" % (g.bits(32) % 10 ** 9), b"player:%07d" % m]
            yield gen.resp(*args)
    for h in range(50):
        for start in range(0, 50_000, 1000):
            args = [b"HSET", b"big:hash:%d" % h]
            for m in range(start, start + 1000):
                args += [b"f%06d" % m, b"value-%d" % (m * 7)]
            yield gen.resp(*args)
    for lst in range(50):
        for start in range(0, 50_000, 1000):
            yield gen.resp(b"RPUSH", b"big:list:%d" % lst, *[b"item-%d" % m for m in range(start, start + 1000)])


def streams(g):
    """100,000 small streams of 10 entries (an event log per user, 40-byte payloads), a tenth with a consumer group."""
    for i in range(100_000):
        key = b"events:%06d" % i
        for e in range(10):
            yield gen.resp(b"XADD", key, b"%d-%d" % (1_700_000_000_000 + e * 1000, i % 3), b"type", b"click",
                           b"payload", g.blob(40, 40))
        if i % 10 == 0:
            yield gen.resp(b"XGROUP", b"CREATE", key, b"readers", b"0")


def counters(g):
    """20,000 hashes of 600 short fields (counters by day), just over the old 512-element bound."""
    for i in range(20_000):
        args = [b"HSET", b"counters:%05d" % i]
        for f in range(600):
            args += [b"day:%d" % f, b"%d" % (g.bits(32) % 100_000)]
        yield gen.resp(*args)


# Keyspaces of their own (not mixed-1m's data): loaded through gen_dataset's loader as its bigkeys profile is.
GENERATED = {"longnames-200k": longnames, "bigelems": bigelems, "bigzsets": bigzsets, "streams-100k": streams,
             "counters-20k": counters}
PROFILES = {"app-1m": ("app", 1_000_000), "app-100k": ("app", 100_000),
            "hashed-1m": ("hashed", 1_000_000), "hashed-100k": ("hashed", 100_000)}


def renamed(resp_bytes, name):
    """Rewrites every key of gen_dataset's RESP (str:00000012 and the like) with name(index, type)."""
    out = []
    pos = 0
    data = resp_bytes
    while pos < len(data):
        # one command: *N\r\n then N bulk strings; the key is the second
        end = data.index(b"\r\n", pos)
        n = int(data[pos + 1:end])
        pos = end + 2
        args = []
        for _ in range(n):
            end = data.index(b"\r\n", pos)
            length = int(data[pos + 1:end])
            args.append(data[end + 2:end + 2 + length])
            pos = end + 2 + length + 2
        key = args[1]
        prefix = key[:key.index(b":") + 1]
        args[1] = name(int(key[len(prefix):]), PREFIXES[prefix])
        out.append(gen.resp(*args))
    return b"".join(out)


def main():
    at = sys.argv.index("--profile") + 1 if "--profile" in sys.argv else 0
    if at and sys.argv[at] in GENERATED:
        make = GENERATED[sys.argv[at]]
        print("%s: %s" % (sys.argv[at], make.__doc__), flush=True)
        sys.argv[at] = "bigkeys"
        gen.bigkeys_commands = lambda g, p: chunked(make(g))
        gen.main()
        return
    if not at or sys.argv[at] not in PROFILES:
        gen.main()
        return
    style, keys = PROFILES[sys.argv[at]]
    print("%s: the data of mixed-1m's generator under %s key names" % (sys.argv[at], style), flush=True)
    sys.argv[at] = "mixed-1m"
    if "--keys" not in sys.argv:
        sys.argv += ["--keys", str(keys)]
    plain = gen.mixed_commands
    gen.mixed_commands = lambda g, n: (renamed(chunk, NAMES[style]) for chunk in plain(g, n))
    gen.main()


if __name__ == "__main__":
    main()
