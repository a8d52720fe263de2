#!/usr/bin/env bash
# Pacing and big keys on the wall clock: the figures the unit tests no longer assert, because they measure the
# machine as much as the code (RateLimitTest and CommandBoundsTest check the same promises structurally).
#
# Usage (from anywhere; paths are taken from the repository root):
#   bench/pacing.sh
#
# It runs, each against fresh redis-servers on 127.0.0.1:
#   keys/s      32,000 small strings copied under rateLimit.keysPerSecond 2500 (batchSize 250); the target's
#               DBSIZE is sampled every 200 ms and every 10-second window's keys/s is printed (min, max);
#   ops/s       26,000 small strings under rateLimit.sourceOpsPerSecond 3500; the source's own
#               total_commands_processed is sampled the same way and every window's commands/s is printed;
#   big keys    a 1-million-field hash, a 1-million-member zset, set and list and a 64 MiB string copied
#               (Overwrite, verify Off); the slowest command each server logged (SLOWLOG, over 1 ms) is printed.
# Results and logs go to bench/out/pacing-DATE/.
#
# Environment:
#   BASE_PORT=16500   two consecutive ports from here on 127.0.0.1 must be free
#   BIG=1000000       elements of each big collection
#
# Needs redis-server, redis-cli, python3, java 17+ and the built jar (mvn -B -q package -DskipTests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=1
KEEP=0
STATS=0
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
BASE_PORT="${BASE_PORT:-16500}"
BIG="${BIG:-1000000}"
JAR="operator/target/keyferry.jar"
P_SRC=$BASE_PORT
P_DST=$((BASE_PORT + 1))

# manifest NAME WORKER_YAML: a copy from P_SRC into P_DST (Overwrite, verify Off); prints its path
manifest() {
  local file="$WORK/$1.yaml"
  cat >"$file" <<YAML
apiVersion: keyferry.io/v1alpha1
kind: DataMigration
metadata: {name: pacing-$1}
spec:
  sources: [{name: source, endpoint: {uri: "redis://127.0.0.1:$P_SRC/0"}}]
  target: {endpoint: {uri: "redis://127.0.0.1:$P_DST/0"}}
  policies: {default: Overwrite}
  verify: {mode: "Off"}
  worker: $2
YAML
  echo "$file"
}

# sample PORT FIELD FILE: "seconds value" lines every 200 ms until the file WORK/done exists
sample() {
  local port=$1 what=$2 file=$3
  while [[ ! -e "$WORK/done" ]]; do
    if [[ "$what" == dbsize ]]; then
      echo "$(now) $(dbsize "$port")"
    else
      echo "$(now) $(info_field "$port" stats total_commands_processed)"
    fi
    sleep 0.2
  done >"$file"
}

# windows FILE LIMIT UNIT: every 10-second window's rate from the samples, its min and max against the limit
windows() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, limit, unit = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = [tuple(map(float, l.split())) for l in open(path) if len(l.split()) == 2]
rates = []
for i, (t0, v0) in enumerate(s):
    later = [(t, v) for t, v in s[i:] if t <= t0 + 10]
    if s[-1][0] < t0 + 10:
        break
    t1, v1 = later[-1]
    rates.append((v1 - v0) / (t1 - t0))
if rates:
    print("%d windows of 10 s: %s/s min %.0f (%.1f%%), max %.0f (%.1f%% of the limit %.0f)" % (
        len(rates), unit, min(rates), 100 * min(rates) / limit, max(rates), 100 * max(rates) / limit, limit))
else:
    print("the copy took less than 10 s: no window to measure")
PY
}

# paced NAME KEYS WORKER_YAML SAMPLED_PORT WHAT LIMIT UNIT
paced() {
  local name=$1 keys=$2 worker=$3 port=$4 what=$5 limit=$6 unit=$7 m
  start_redis "$P_SRC" --enable-debug-command yes
  start_redis "$P_DST"
  redis-cli -p "$P_SRC" DEBUG POPULATE "$keys" k >/dev/null
  m=$(manifest "$name" "$worker")
  rm -f "$WORK/done"
  sample "$port" "$what" "$OUT/$name.samples" &
  local sampler=$!
  java -Xmx256m -jar "$JAR" run -f "$m" --no-progress --state-dir "$WORK/state-$name" >"$OUT/$name.log" 2>&1 \
    || die "$name: keyferry failed (see $OUT/$name.log)"
  touch "$WORK/done"
  wait "$sampler"
  echo "$name: $(windows "$OUT/$name.samples" "$limit" "$unit")" | tee -a "$OUT/summary.txt"
  stop_redis "$P_SRC"
  stop_redis "$P_DST"
}

load_big() {
  python3 - "$BIG" <<'PY' | redis-cli -p "$P_SRC" --pipe >&2
import sys
big = int(sys.argv[1])
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for i in range(0, big, 1000):
    r = range(i, min(i + 1000, big))
    cmd("HSET", "big:hash", *[x for j in r for x in ("field:%d" % j, "value:%d" % j)])
    cmd("ZADD", "big:zset", *[x for j in r for x in (j * 0.5, "member:%d" % j)])
    cmd("SADD", "big:set", *["member:%d" % j for j in r])
    cmd("RPUSH", "big:list", *["member:%d" % j for j in r])
mib = b"x" * (1 << 20)
for i in range(64):
    cmd("APPEND", "big:string", mib)
PY
}

big_keys() {
  local m slow_src slow_dst
  start_redis "$P_SRC" --slowlog-log-slower-than 1000 --slowlog-max-len 1024
  start_redis "$P_DST" --slowlog-log-slower-than 1000 --slowlog-max-len 1024
  log "loading big keys ($BIG elements each, a 64 MiB string)"
  load_big
  redis-cli -p "$P_SRC" SLOWLOG RESET >/dev/null
  m=$(manifest big "{batchSize: 500}")
  java -Xmx256m -jar "$JAR" run -f "$m" --no-progress --state-dir "$WORK/state-big" >"$OUT/big.log" 2>&1 \
    || die "big keys: keyferry failed (see $OUT/big.log)"
  slow_src=$(slowest "$P_SRC")
  slow_dst=$(slowest "$P_DST")
  echo "big keys: slowest command on the source: $slow_src; on the target: $slow_dst" | tee -a "$OUT/summary.txt"
  stop_redis "$P_SRC"
  stop_redis "$P_DST"
}

# slowest PORT: the longest command SLOWLOG holds, "N us (COMMAND KEY)", or "none over 1 ms"
slowest() {
  redis-cli -p "$1" SLOWLOG GET 1024 | python3 -c '
import sys
lines = [l.rstrip("\n") for l in sys.stdin]
best = None
i = 0
while i + 3 < len(lines):
    # each entry: id, unix time, microseconds, then the arguments
    if lines[i].isdigit() and lines[i + 1].isdigit() and lines[i + 2].isdigit():
        us = int(lines[i + 2]); cmd = " ".join(lines[i + 3:i + 5])[:60]
        if best is None or us > best[0]:
            best = (us, cmd)
        i += 3
    else:
        i += 1
print("none over 1 ms" if best is None else "%d us (%s)" % best)'
}

main() {
  cd "$ROOT"
  check_tools 1
  check_ports "$P_SRC" "$P_DST"
  make_out pacing
  describe_run "-" "pacing" | tee "$OUT/summary.txt"
  paced keys 32000 "{batchSize: 250, rateLimit: {keysPerSecond: 2500}}" "$P_DST" dbsize 2500 keys
  paced ops 26000 "{batchSize: 250, rateLimit: {sourceOpsPerSecond: 3500}}" "$P_SRC" commands 3500 commands
  big_keys
  echo "raw figures and logs: $OUT"
}

main "$@"
