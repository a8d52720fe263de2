#!/usr/bin/env python3
"""CPU seconds of a command per thread group, from /proc (Linux): where a `keyferry run` spends its CPU,
JIT compiler, GC and socket I/O included (which a Java sampling profiler does not see).

Usage: thread_cpu.py COMMAND [ARGS...]

Runs the command, reads /proc/PID/task/*/stat and status every 100 ms (a thread's utime and stime and its voluntary
context switches, kept from its last reading, so a thread that ended still counts), and prints the process's CPU and
wake-ups (a thread that blocked and was woken again) per group of thread names:
the copy's stages (keyferry-scan, -decide, -read; main: journal, write, commit), Lettuce/Netty I/O, the JIT
compilers, GC, and the rest. Exits with the command's exit code.
"""
import collections
import os
import re
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def group(name):
    name = re.sub(r"[-#]?\d+$", "", name)
    if name.startswith("keyferry-"):
        return name
    if name == "java" or name == "main":
        return "main (journal, write, commit)"
    if "Compiler" in name or name.startswith("C1 ") or name.startswith("C2 "):
        return "JIT compilers"
    if name.startswith("GC ") or name.startswith("G1 ") or "GC" in name:
        return "GC"
    if "epoll" in name.lower() or "nio" in name.lower() or "lettuce" in name.lower() or "netty" in name.lower():
        return "lettuce/netty I/O"
    return "other JVM threads (" + name + ")"


def sample(pid, seen):
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except FileNotFoundError:
        return
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        switches = seen.get(tid, (name, 0, 0))[2]
        try:
            with open("%s/%s/status" % (base, tid)) as f:
                switches = int(re.search(r"^voluntary_ctxt_switches:\s*(\d+)", f.read(), re.M).group(1))
        except (OSError, AttributeError):
            pass
        seen[tid] = (name, (int(fields[11]) + int(fields[12])) / TICK, switches)


def main():
    proc = subprocess.Popen(sys.argv[1:])
    seen = {}
    while proc.poll() is None:
        sample(proc.pid, seen)
        time.sleep(0.1)
    groups = collections.Counter()
    wakeups = collections.Counter()
    for name, cpu, switches in seen.values():
        groups[group(name)] += cpu
        wakeups[group(name)] += switches
    total = sum(groups.values())
    print("thread group CPU seconds (total %.2f s, %d wake-ups, from /proc, the last 100 ms may be missing):"
          % (total, sum(wakeups.values())), file=sys.stderr)
    for g, cpu in groups.most_common():
        if cpu >= 0.01:
            print("  %-40s %6.2f s  %3.0f%%  %8d wake-ups" % (g, cpu, 100 * cpu / total if total else 0, wakeups[g]),
                  file=sys.stderr)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
