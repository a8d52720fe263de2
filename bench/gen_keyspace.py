#!/usr/bin/env python3
"""The benchmark dataset under other key names: the values, sizes, types and TTLs of
shared/bench/gen_dataset.py's mixed profiles, byte for byte (the same generator, the same
seed, the same order of random draws), only the key names change:

  app-1m, app-100k        app:<user>:<field>: all five types under one prefix, the field
                          telling the type to a human only (session, profile, feed, tags,
                          scores), as an application's keys do
  hashed-1m, hashed-100k  16 hex digits, no colon (the first 8 bytes of SHA-1 of the index)

Usage (as gen_dataset.py):
  gen_keyspace.py --port 17001 [--host 127.0.0.1] --profile app-1m [--seed 1] [--keys N] [--flush]

Any other profile is handed to gen_dataset.py unchanged. Needs SHARED (default: the
repository's ../shared) or gen_dataset.py beside this script's shared directory.
"""
import hashlib
import importlib.util
import os
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
    if "--profile" not in sys.argv or sys.argv[sys.argv.index("--profile") + 1] not in PROFILES:
        gen.main()
        return
    at = sys.argv.index("--profile") + 1
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
