#!/usr/bin/env python3
"""Per-stage CPU breakdown of a `keyferry run` recorded with JFR.

Usage: jfr_stages.py FILE.jfr [TOP]

Reads the recording's execution samples (`jfr print --json --events jdk.ExecutionSample`) and prints, per
stage (the thread: keyferry-scan, -decide, -read, main = journal/write/commit, Lettuce's and Netty's I/O
threads, the rest), its share of the samples, and within it the KeyFerry methods the samples were in
(the innermost io.keyferry frame of each stack) and the innermost frames overall (where the CPU went).
The samples are of Java threads on a CPU; GC and JIT threads are not sampled (see `jfr summary` and the
process's CPU time for those).
"""
import collections
import json
import re
import subprocess
import sys


def stage(thread):
    name = re.sub(r"-\d+$", "", thread or "?")
    if name.startswith("keyferry-"):
        return name
    if name == "main":
        return "main (journal, write, commit)"
    if "nioEventLoop" in name or "epollEventLoop" in name or "lettuce" in name:
        return "lettuce/netty I/O"
    return name


def frame_name(f):
    m = f.get("method", {})
    t = m.get("type", {}).get("name", "?")
    return "%s.%s" % (t.rsplit(".", 1)[-1], m.get("name", "?"))


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    out = subprocess.check_output(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path])
    events = json.loads(out)["recording"]["events"]
    by_stage = collections.Counter()
    own = collections.defaultdict(collections.Counter)
    leaf = collections.defaultdict(collections.Counter)
    for e in events:
        v = e["values"]
        s = stage((v.get("sampledThread") or {}).get("javaName"))
        frames = (v.get("stackTrace") or {}).get("frames") or []
        by_stage[s] += 1
        if frames:
            leaf[s][frame_name(frames[0])] += 1
        kf = next((f for f in frames if f.get("method", {}).get("type", {}).get("name", "").startswith("io.keyferry")
                   or f.get("method", {}).get("type", {}).get("name", "").startswith("io/keyferry")), None)
        own[s][frame_name(kf) if kf else "(no KeyFerry frame)"] += 1
    total = sum(by_stage.values()) or 1
    print("%d execution samples" % total)
    print("| stage (thread) | share of samples | in KeyFerry's methods | innermost frames |")
    print("|---|---|---|---|")
    for s, n in by_stage.most_common():
        mine = ", ".join("%s %d%%" % (k, round(100 * c / n)) for k, c in own[s].most_common(top))
        leaves = ", ".join("%s %d%%" % (k, round(100 * c / n)) for k, c in leaf[s].most_common(top))
        print("| %s | %.0f%% | %s | %s |" % (s, 100.0 * n / total, mine, leaves))


if __name__ == "__main__":
    main()
