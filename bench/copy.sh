#!/usr/bin/env bash
# Copy benchmark: KeyFerry against native Redis replication, measured in the same run.
#
# Usage (from anywhere; paths are taken from the repository root):
#   bench/copy.sh                               # mixed-1m, 1 round
#   PROFILE=small-100k ROUNDS=3 bench/copy.sh   # quicker; medians of 3 rounds
#
# It loads the dataset of shared/bench/gen_dataset.py (PROFILE) into a source redis-server,
# then, each round:
#   replication      an empty redis-server does REPLICAOF the source (which runs with
#                    repl-diskless-sync-delay 0); timed until master_link_status:up and
#                    DBSIZE equals the source's;
#   keyferry         java -Xmx256m -jar operator/target/keyferry.jar run (policy Overwrite,
#                    verify Off) from the source into an empty target, under /usr/bin/time -v;
#   keyferry-verify  `keyferry verify` of that copy (Full: every key, value and TTL), timed the same way;
#   keyferry-nodump  the same from a second source (same dataset) into a target, both started
#                    with DUMP, RESTORE and MIGRATE renamed away: the type-native path.
# Every copy must end with the target's DBSIZE equal to the source's, or the script fails.
# It prints a table: method, seconds, keys/s, ratio to replication (its keys/s over
# replication's keys/s in the same round), client peak RSS MB, client CPU s (user+sys) and
# server CPU s (INFO cpu of both servers, fork children included), and keeps the raw
# figures in bench/out/.
#
# Environment:
#   PROFILE=mixed-1m     gen_dataset.py profile (mixed-1m or small-100k)
#   ROUNDS=1             rounds; with more than one the table shows medians
#   SHARED=<repo>/../shared   the shared directory holding bench/gen_dataset.py
#   KEEP=0               1: leave the servers of the last round running at the end
#   SKIP_KEYFERRY=0      1: only load the data and time replication (no jar needed)
#   BASE_PORT=16400      five consecutive ports from here on 127.0.0.1 must be free
#   REPL_DISKLESS_LOAD=disabled   the replica's repl-diskless-load (e.g. on-empty-db)
#   WORKERS=1            spec.worker.parallelism: workers copying the source at once (key-hash parts)
#   STATS=0              1: CONFIG RESETSTAT both servers before each KeyFerry run and keep their
#                        INFO commandstats after it in bench/out/ (METHOD-rN.source.commandstats and
#                        .target.commandstats); bench/commandstats.py prints them as a table
#
# Needs redis-server, redis-cli, python3, and for the KeyFerry runs java 17+, the built jar
# (mvn -B -q package -DskipTests) and GNU time (apt-get install -y time).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/local-redis.sh
source "$ROOT/scripts/local-redis.sh"
PROFILE="${PROFILE:-mixed-1m}"
ROUNDS="${ROUNDS:-1}"
WORKERS="${WORKERS:-1}"
STATS="${STATS:-0}"
SHARED="${SHARED:-$ROOT/../shared}"
KEEP="${KEEP:-0}"
SKIP_KEYFERRY="${SKIP_KEYFERRY:-0}"
BASE_PORT="${BASE_PORT:-16400}"
REPL_DISKLESS_LOAD="${REPL_DISKLESS_LOAD:-disabled}"
JAR="operator/target/keyferry.jar"
GEN="$SHARED/bench/gen_dataset.py"

P_SRC=$BASE_PORT               # source, DUMP available
P_SRC_NODUMP=$((BASE_PORT + 1)) # source without DUMP/RESTORE/MIGRATE
P_REPLICA=$((BASE_PORT + 2))
P_DST=$((BASE_PORT + 3))
P_DST_NODUMP=$((BASE_PORT + 4))
NO_DUMP=(--rename-command DUMP "" --rename-command RESTORE "" --rename-command MIGRATE "")

declare -A PID_OF=()
WORK=""
OUT=""
RESULTS=""
SRC_KEYS=0

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'bench/copy.sh: %s\n' "$*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------------------

check_prereqs() {
  local tool
  for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y redis-server python3)"
  done
  [[ -f "$GEN" ]] || die "$GEN not found; point SHARED at the shared directory"
  [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
  [[ "$SKIP_KEYFERRY" == 1 ]] && return
  command -v java >/dev/null || die "java is missing (apt-get install -y openjdk-17-jdk-headless)"
  command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (apt-get install -y time)"
  [[ -f "$JAR" ]] || die "$JAR is missing; build it with: mvn -B -q package -DskipTests (or run with SKIP_KEYFERRY=1)"
}

# --- servers ---------------------------------------------------------------------------

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports() {
  local port
  for port in "$P_SRC" "$P_SRC_NODUMP" "$P_REPLICA" "$P_DST" "$P_DST_NODUMP"; do
    if port_in_use "$port"; then
      die "port $port on 127.0.0.1 is taken; choose another range, e.g. BASE_PORT=$((BASE_PORT + 100))"
    fi
  done
}

# start_redis PORT [redis-server options...]: an empty, non-persistent server on 127.0.0.1
start_redis() {
  local port=$1
  shift
  redis_start "$port" "$WORK" "$@" || die "cannot start redis-server on port $port"
  PID_OF[$port]=$REDIS_PID
}

stop_redis() {
  local port=$1 pid=${PID_OF[$1]:-}
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "PID_OF[$port]"
  rm -rf "$WORK/redis-$port"
}

# stop_after_round PORT ROUND: a round's server goes, except the last round's with KEEP=1
stop_after_round() {
  if [[ "$KEEP" == 1 && "$2" == "$ROUNDS" ]]; then return; fi
  stop_redis "$1"
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local port
  if [[ "$KEEP" == 1 && ${#PID_OF[@]} -gt 0 ]]; then
    log "KEEP=1: left running on 127.0.0.1: ports ${!PID_OF[*]} (pids ${PID_OF[*]}); data in $WORK"
    return
  fi
  for port in "${!PID_OF[@]}"; do
    stop_redis "$port"
  done
  if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi
}

# --- measurements ----------------------------------------------------------------------

info() { redis-cli -p "$1" INFO "$2" | tr -d '\r'; }

info_field() { info "$1" "$2" | sed -n "s/^$3://p"; }

dbsize() { redis-cli -p "$1" DBSIZE; }

# CPU seconds a server has used, its fork children (diskless replication) included
server_cpu() {
  info "$1" cpu | awk -F: '/^used_cpu_(sys|user)(_children)?:/ {s += $2} END {printf "%.3f\n", s}'
}

servers_cpu() {
  local port total=0
  for port in "$@"; do
    total=$(awk -v a="$total" -v b="$(server_cpu "$port")" 'BEGIN {printf "%.3f", a + b}')
  done
  echo "$total"
}

now() { date +%s.%N; }

minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f\n", a - b}'; }

# record ROUND METHOD SECONDS CLIENT_RSS_MB CLIENT_CPU_S SERVER_CPU_S
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
  log "round $1 $2: $3 s; client: RSS $4 MB, CPU $5 s; servers: CPU $6 s"
}

# --- the dataset -----------------------------------------------------------------------

load_dataset() {
  log "loading $PROFILE into port $1 (gen_dataset.py)"
  python3 "$GEN" --port "$1" --profile "$PROFILE" >&2
}

prepare_sources() {
  start_redis "$P_SRC" --repl-diskless-sync yes --repl-diskless-sync-delay 0
  load_dataset "$P_SRC"
  SRC_KEYS=$(dbsize "$P_SRC")
  if [[ "$SKIP_KEYFERRY" != 1 ]]; then
    start_redis "$P_SRC_NODUMP" "${NO_DUMP[@]}"
    load_dataset "$P_SRC_NODUMP"
    [[ "$(dbsize "$P_SRC_NODUMP")" == "$SRC_KEYS" ]] \
      || die "the DUMP-less source holds $(dbsize "$P_SRC_NODUMP") keys, the source $SRC_KEYS"
  fi
  log "sources ready: $SRC_KEYS keys each"
}

# --- a. native replication -------------------------------------------------------------

replica_done() {
  [[ "$(info_field "$P_REPLICA" replication master_link_status)" == up ]] \
    && [[ "$(dbsize "$P_REPLICA")" == "$SRC_KEYS" ]]
}

# waits until the source has reaped its replication fork, so INFO cpu counts the child
wait_fork_reaped() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ "$(info_field "$P_SRC" persistence rdb_bgsave_in_progress)" == 0 ]] && return
    sleep 0.05
  done
}

bench_replication() {
  local round=$1 cpu0 t0 t1 deadline
  start_redis "$P_REPLICA" --repl-diskless-load "$REPL_DISKLESS_LOAD"
  cpu0=$(servers_cpu "$P_SRC" "$P_REPLICA")
  t0=$(now)
  deadline=$((SECONDS + 900))
  redis-cli -p "$P_REPLICA" REPLICAOF 127.0.0.1 "$P_SRC" >/dev/null
  until replica_done; do
    ((SECONDS < deadline)) || die "replication did not finish in 900 s (replica DBSIZE $(dbsize "$P_REPLICA") of $SRC_KEYS)"
    sleep 0.05
  done
  t1=$(now)
  wait_fork_reaped
  record "$round" replication "$(minus "$t1" "$t0")" - - \
    "$(minus "$(servers_cpu "$P_SRC" "$P_REPLICA")" "$cpu0")"
  stop_after_round "$P_REPLICA" "$round"
}

# --- b, c. KeyFerry ----------------------------------------------------------------------

write_manifest() {
  local file="$WORK/$1.yaml"
  cat >"$file" <<EOF
apiVersion: keyferry.io/v1alpha1
kind: DataMigration
metadata:
  name: bench-$1
spec:
  sources:
    - name: source
      endpoint: {uri: "redis://127.0.0.1:$2/0"}
  target:
    endpoint: {uri: "redis://127.0.0.1:$3/0"}
  policies: {default: Overwrite}
  verify: {mode: "Off"}
  worker: {parallelism: $WORKERS}
EOF
  echo "$file"
}

# time_field FILE LABEL: a value from /usr/bin/time -v output
time_field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }

# timed_keyferry ROUND METHOD SOURCE_PORT TARGET_PORT ARGS...: runs `java -Xmx256m -jar keyferry.jar ARGS`
# under /usr/bin/time and records seconds, peak RSS, client CPU and both servers' CPU as METHOD.
timed_keyferry() {
  local round=$1 method=$2 src=$3 dst=$4 cpu0 t0 t1 rc=0
  local timing="$OUT/$method-r$round.time" output="$OUT/$method-r$round.log"
  shift 4
  if [[ "$STATS" == 1 ]]; then
    redis-cli -p "$src" CONFIG RESETSTAT >/dev/null
    redis-cli -p "$dst" CONFIG RESETSTAT >/dev/null
  fi
  cpu0=$(servers_cpu "$src" "$dst")
  log "round $round $method: java -Xmx256m -jar $JAR $*"
  t0=$(now)
  /usr/bin/time -v -o "$timing" java -Xmx256m -jar "$JAR" "$@" --no-progress \
    --report "$OUT/$method-r$round.json" >"$output" 2>&1 || rc=$?
  t1=$(now)
  if ((rc != 0)); then
    tail -20 "$output" >&2
    die "round $round $method: keyferry exited with $rc (output above, full log $output)"
  fi
  if [[ "$STATS" == 1 ]]; then
    info "$src" commandstats >"$OUT/$method-r$round.source.commandstats"
    info "$dst" commandstats >"$OUT/$method-r$round.target.commandstats"
  fi
  record "$round" "$method" "$(minus "$t1" "$t0")" \
    "$(awk -v kb="$(time_field "$timing" 'Maximum resident set size (kbytes)')" 'BEGIN {printf "%.0f", kb / 1024}')" \
    "$(awk -v u="$(time_field "$timing" 'User time (seconds)')" -v s="$(time_field "$timing" 'System time (seconds)')" 'BEGIN {printf "%.2f", u + s}')" \
    "$(minus "$(servers_cpu "$src" "$dst")" "$cpu0")"
}

# bench_keyferry ROUND METHOD SOURCE_PORT TARGET_PORT [target redis-server options...]
# The copy into an empty target, its key count checked, then `keyferry verify` of the result.
bench_keyferry() {
  local round=$1 method=$2 src=$3 dst=$4 manifest n
  shift 4
  start_redis "$dst" "$@"
  manifest=$(write_manifest "$method" "$src" "$dst")
  timed_keyferry "$round" "$method" "$src" "$dst" run -f "$manifest" --restart --state-dir "$WORK/state-$method"
  n=$(dbsize "$dst")
  [[ "$n" == "$SRC_KEYS" ]] \
    || die "round $round $method: WRONG COPY: the target holds $n keys, the source $SRC_KEYS"
  timed_keyferry "$round" "$method-verify" "$src" "$dst" verify -f "$manifest"
  stop_after_round "$dst" "$round"
}

# --- report ----------------------------------------------------------------------------

describe_run() {
  echo "profile $PROFILE ($SRC_KEYS keys), rounds $ROUNDS, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
  echo "redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), repl-diskless-load $REPL_DISKLESS_LOAD, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  if [[ "$SKIP_KEYFERRY" != 1 ]]; then java -version 2>&1 | head -1; fi
}

# The table from the raw results: medians over the rounds; the ratio is taken per round
# (replication seconds / method seconds in the same round), then its median.
summarize() {
  python3 - "$RESULTS" "$SRC_KEYS" "$ROUNDS" <<'EOF'
import statistics, sys
path, keys, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
secs = {(r[0], r[1]): float(r[2]) for r in rows}
def med(vals):
    vals = [float(v) for v in vals if v != "-"]
    return statistics.median(vals) if vals else None
def fmt(v, spec):
    return "-" if v is None else format(v, spec)
names = {"replication": "native replication", "keyferry": "keyferry",
         "keyferry-verify": "keyferry verify",
         "keyferry-nodump": "keyferry, no DUMP/RESTORE", "keyferry-nodump-verify": "keyferry verify, no DUMP"}
hdr = ("method", "seconds", "keys/s", "vs replication", "client RSS MB", "client CPU s", "server CPU s")
print("%-26s %8s %10s %14s %13s %12s %12s" % hdr)
for m in [m for m in names if any(r[1] == m for r in rows)]:
    mine = [r for r in rows if r[1] == m]
    s = med(r[2] for r in mine)
    ratio = med(secs[(r[0], "replication")] / float(r[2]) for r in mine if (r[0], "replication") in secs)
    print("%-26s %8s %10s %14s %13s %12s %12s" % (
        names[m], fmt(s, ".2f"), fmt(keys / s, ",.0f"), fmt(ratio, ".2f") + "x" if ratio else "-",
        fmt(med(r[3] for r in mine), ".0f"), fmt(med(r[4] for r in mine), ".2f"),
        fmt(med(r[5] for r in mine), ".2f")))
if rounds > 1:
    print("(medians of %d rounds)" % rounds)
EOF
}

main() {
  cd "$ROOT"
  check_prereqs
  check_ports
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  OUT="$ROOT/bench/out/copy-$PROFILE-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$OUT"
  RESULTS="$OUT/results.tsv"
  : >"$RESULTS"
  prepare_sources
  local round
  for ((round = 1; round <= ROUNDS; round++)); do
    bench_replication "$round"
    if [[ "$SKIP_KEYFERRY" != 1 ]]; then
      bench_keyferry "$round" keyferry "$P_SRC" "$P_DST"
      bench_keyferry "$round" keyferry-nodump "$P_SRC_NODUMP" "$P_DST_NODUMP" "${NO_DUMP[@]}"
    fi
  done
  { describe_run; echo; summarize; } | tee "$OUT/summary.txt"
  echo "raw figures and logs: $OUT"
}

main "$@"
