#!/usr/bin/env python3
"""What the source's CPU pays to type and read keys three ways (a lever measured for docs/scaling.md):
pipelined PTTL + GETRANGE/size per key (the type known from the name), pipelined TYPE + PTTL per key, and one
read-only script per 500 keys doing TYPE, PTTL and the read inside the server (EVALSHA_RO, Redis 7).

Usage: script_reads.py PORT   (a server loaded with gen_dataset.py's small-100k or mixed-1m: str:, hash:, ...)
Prints the source's CPU (INFO cpu, user + sys) and the wall time of each way, twice.
"""
import socket, sys, time

PORT = int(sys.argv[1])
BATCH = 500

def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)

class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT))
        self.f = self.s.makefile("rb", buffering=1 << 20)
    def send(self, data):
        self.s.sendall(data)
    def read(self):
        line = self.f.readline()
        t = line[:1]
        if t in (b"+", b"-", b":"):
            return line[1:-2]
        if t == b"$":
            n = int(line[1:-2])
            if n < 0:
                return None
            d = self.f.read(n + 2)
            return d[:-2]
        if t == b"*":
            n = int(line[1:-2])
            return [self.read() for _ in range(max(n, 0))]
        raise ValueError(line)
    def call(self, *args):
        self.send(resp(*args))
        return self.read()

def cpu(c):
    info = c.call("INFO", "cpu").decode()
    d = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
    return float(d["used_cpu_sys"]) + float(d["used_cpu_user"])

c = Conn()
keys = []
cursor = b"0"
while True:
    r = c.call("SCAN", cursor, "COUNT", 1000)
    cursor = r[0]
    keys += r[1]
    if cursor == b"0":
        break
print(len(keys), "keys")
SIZE = {b"hash": b"HLEN", b"list": b"LLEN", b"set": b"SCARD", b"zset": b"ZCARD"}

def pipelined(commands):
    """Sends commands(key) (two commands) for each key, a batch of BATCH keys at a time, and reads every reply."""
    for i in range(0, len(keys), BATCH):
        part = keys[i:i + BATCH]
        c.send(b"".join(b"".join(commands(k)) for k in part))
        for _ in range(2 * len(part)):
            c.read()

def read_command(k):
    p = k.split(b":")[0]
    return resp("GETRANGE", k, 0, 4096) if p == b"str" else resp(SIZE[p], k)

def per_key():
    pipelined(lambda k: (resp("PTTL", k), read_command(k)))

SCRIPT = b"""
local out = {}
for i, k in ipairs(KEYS) do
  local t = redis.call('TYPE', k)['ok']
  local v
  if t == 'string' then v = redis.call('GETRANGE', k, 0, 4096)
  elseif t == 'hash' then v = redis.call('HLEN', k)
  elseif t == 'list' then v = redis.call('LLEN', k)
  elseif t == 'set' then v = redis.call('SCARD', k)
  elseif t == 'zset' then v = redis.call('ZCARD', k)
  else v = 0 end
  out[#out + 1] = t
  out[#out + 1] = redis.call('PTTL', k)
  out[#out + 1] = v
end
return out
"""
sha = c.call("SCRIPT", "LOAD", SCRIPT)

def scripted():
    for i in range(0, len(keys), BATCH):
        part = keys[i:i + BATCH]
        c.send(resp("EVALSHA_RO", sha, len(part), *part))
        c.read()

def typed_per_key():
    pipelined(lambda k: (resp("TYPE", k), resp("PTTL", k)))

for name, fn in [("per key: PTTL + GETRANGE/size (type known)", per_key), ("per key: TYPE + PTTL", typed_per_key),
                 ("one EVALSHA_RO per %d keys: TYPE, PTTL, GETRANGE/size inside" % BATCH, scripted)] * 2:
    c0 = cpu(c); t0 = time.time()
    fn()
    print("%-60s source CPU %.3f s, wall %.2f s" % (name, cpu(c) - c0, time.time() - t0))
