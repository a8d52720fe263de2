#!/usr/bin/env python3
"""Where a server's time went: `INFO commandstats` files as a table, dearest command first.

Usage: bench/commandstats.py FILE [FILE...]
Each FILE holds the output of `redis-cli INFO commandstats` taken after `CONFIG RESETSTAT` (as
`STATS=1 bench/copy.sh` saves them, one per server and run). Per command: calls, total seconds spent
in it (the server's own measure, without I/O and parsing), and microseconds per call.
"""
import re
import sys

LINE = re.compile(r"^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)")


def table(path):
    rows = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line.strip())
            if m:
                rows.append((m.group(1).upper(), int(m.group(2)), int(m.group(3)), float(m.group(4))))
    rows.sort(key=lambda r: -r[2])
    total = sum(r[2] for r in rows)
    print("%s: %.2f s in commands" % (path, total / 1e6))
    for name, calls, usec, per_call in rows:
        print("  %-12s %10d calls %8.2f s %7.2f us/call" % (name, calls, usec / 1e6, per_call))


def main(paths):
    if not paths:
        sys.exit(__doc__)
    for p in paths:
        table(p)


if __name__ == "__main__":
    main(sys.argv[1:])
