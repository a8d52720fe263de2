#!/usr/bin/env bash
# Live sync benchmark: `keyferry run --follow` under a steady write load.
#
# Usage (from anywhere):
#   bench/follow.sh                        # 10,000 writes/s for 60 s, into Redis and into a Redis without DUMP
#   RATE=5000 SECONDS_OF_LOAD=30 bench/follow.sh
#
# For each target (a plain redis-server, then one with DUMP/RESTORE/MIGRATE renamed away, as Kvrocks-like
# stores copy type-native), it starts an empty source and target, starts the follower (java -Xmx256m -jar
# keyferry.jar run -f M --follow), then bench/follow_load.py writes RATE commands a second (SET, HSET, ZADD,
# RPUSH, DEL, EXPIRE over 100,000 keys) for SECONDS_OF_LOAD, with a probe every 50 ms timed until it shows in
# the target. When the load stops and the follower's saved position reaches the source's offset, the follower
# is stopped (SIGTERM) and `keyferry verify` must be clean. Prints: lag p50/p99/max (ms, end to end: source
# write to target read), the write rate reached, the follower's CPU seconds per 1,000 changes, and verify.
#
# Needs redis-server, redis-cli, python3, java 17+ and the jar (mvn -B -q package -DskipTests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=1
KEEP=0
STATS=0
JAR="operator/target/keyferry.jar"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
RATE="${RATE:-10000}"
SECONDS_OF_LOAD="${SECONDS_OF_LOAD:-60}"
BASE_PORT="${BASE_PORT:-16500}"
NO_DUMP=(--rename-command DUMP "" --rename-command RESTORE "" --rename-command MIGRATE "")

check_tools 1
make_out follow
check_ports "$BASE_PORT" $((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 3))

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench_target NAME SOURCE_PORT TARGET_PORT [target options...]
bench_target() {
  local name=$1 src=$2 dst=$3
  shift 3
  start_redis "$src"
  start_redis "$dst" "$@"
  local manifest="$WORK/$name.yaml" state="$WORK/$name-state" log="$OUT/$name.follower.log"
  cat >"$manifest" <<YAML
apiVersion: keyferry.io/v1alpha1
kind: DataMigration
metadata: {name: follow-$name}
spec:
  sources: [{name: source, endpoint: {uri: "redis://127.0.0.1:$src/0"}}]
  target: {endpoint: {uri: "redis://127.0.0.1:$dst/0"}}
  policies: {default: Overwrite}
  verify: {mode: "Off"}
YAML
  java -Xmx256m -jar "$JAR" run -f "$manifest" --follow --no-progress --state-dir "$state" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do grep -q '^following' "$log" && break; sleep 0.1; done
  grep -q '^following' "$log" || die "the follower did not start; see $log"
  local before
  before=$(cpu_ticks "$pid")
  log "$name: $RATE writes/s for $SECONDS_OF_LOAD s"
  local load
  load=$(python3 "$ROOT/bench/follow_load.py" "$src" "$dst" "$RATE" "$SECONDS_OF_LOAD")
  local master
  master=$(info_field "$src" replication master_repl_offset)
  for _ in $(seq 1200); do
    local saved
    saved=$(sed -n 's/^source [^:]*:\([0-9]*\)$/\1/p' "$state/follow" 2>/dev/null || echo 0)
    [[ -n "$saved" && "$saved" -ge "$master" ]] && break
    sleep 0.1
  done
  local after
  after=$(cpu_ticks "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  local verify=clean
  java -Xmx256m -jar "$JAR" verify -f "$manifest" --no-progress >"$OUT/$name.verify.log" 2>&1 || verify="NOT CLEAN (see $OUT/$name.verify.log)"
  local commands cpu
  commands=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['commands'])" "$load")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$commands" 'BEGIN {printf "%.3f", t / hz / (n / 1000)}')
  printf '%s\t%s\tcpu_s_per_1000_changes=%s\tverify=%s\n' "$name" "$load" "$cpu" "$verify" | tee -a "$RESULTS"
  stop_redis "$src"
  stop_redis "$dst"
}

bench_target redis "$BASE_PORT" $((BASE_PORT + 1))
bench_target nodump $((BASE_PORT + 2)) $((BASE_PORT + 3)) "${NO_DUMP[@]}"
log "results in $RESULTS"
