# shellcheck shell=bash
# Sourced by bench/copy.sh and bench/cluster.sh: throwaway servers, timed KeyFerry runs, the results table.
# The sourcing script sets ROOT, JAR, ROUNDS, KEEP and STATS first; WORK, OUT and RESULTS once it has made them.

# shellcheck source=scripts/local-redis.sh
source "$ROOT/scripts/local-redis.sh"

declare -A PID_OF=()
WORK=""
OUT=""
RESULTS=""

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------------------

# check_tools NEED_KEYFERRY(0|1): redis-server, redis-cli, python3 and, for KeyFerry runs, java, GNU time, the jar
check_tools() {
  local tool
  for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y redis-server python3)"
  done
  [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
  [[ "$1" == 1 ]] || return 0
  command -v java >/dev/null || die "java is missing (apt-get install -y openjdk-17-jdk-headless)"
  command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (apt-get install -y time)"
  [[ -f "$JAR" ]] || die "$JAR is missing; build it with: mvn -B -q package -DskipTests"
}

# --- servers ---------------------------------------------------------------------------

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# check_ports PORT...: every one free on 127.0.0.1
check_ports() {
  local port
  for port in "$@"; do
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

# stop_after_round ROUND PORT...: a round's servers go, except the last round's with KEEP=1
stop_after_round() {
  local round=$1 port
  shift
  if [[ "$KEEP" == 1 && "$round" == "$ROUNDS" ]]; then return; fi
  for port in "$@"; do
    stop_redis "$port"
  done
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

# make_out NAME: the output directory bench/out/NAME-DATE and the results file in it; cleanup on exit
make_out() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  OUT="$ROOT/bench/out/$1-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$OUT"
  RESULTS="$OUT/results.tsv"
  : >"$RESULTS"
}

# --- measurements ----------------------------------------------------------------------

info() { redis-cli -p "$1" INFO "$2" | tr -d '\r'; }

info_field() { info "$1" "$2" | sed -n "s/^$3://p"; }

dbsize() { redis-cli -p "$1" DBSIZE; }

# dbsizes PORT...: the keys of several servers together (a cluster's masters)
dbsizes() {
  local port total=0
  for port in "$@"; do
    total=$((total + $(dbsize "$port")))
  done
  echo "$total"
}

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

load_dataset() {
  log "loading $PROFILE into port $1 (gen_dataset.py; app-* and hashed-* through bench/gen_keyspace.py)"
  SHARED="$SHARED" python3 "$ROOT/bench/gen_keyspace.py" --port "$1" --profile "$PROFILE" >&2
}

# write_manifest NAME SOURCE_PORT SOURCE_IS_CLUSTER TARGET_PORT TARGET_IS_CLUSTER WORKERS [BACKFILL]: a one-source
# copy (policy Overwrite, verify Off, spec.worker.backfill BACKFILL, Scan unless given) as a manifest in WORK; prints its path
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
      endpoint: {uri: "redis://127.0.0.1:$2/0", cluster: $3}
  target:
    endpoint: {uri: "redis://127.0.0.1:$4/0", cluster: $5}
  policies: {default: Overwrite}
  verify: {mode: "Off"}
  worker: {parallelism: $6, backfill: ${7:-Scan}}
EOF
  echo "$file"
}

# time_field FILE LABEL: a value from /usr/bin/time -v output
time_field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }

# timed_keyferry ROUND METHOD "NAME=PORT ..." ARGS...: runs `scripts/keyferry ARGS` (the launcher a user runs, with
# JAVA_OPTS=-Xmx256m and its own JVM options: C1 only and the serial collector unless KEYFERRY_JAVA_OPTS is set;
# KEYFERRY_JAVA_OPTS= measures the JVM's defaults) under /usr/bin/time and records seconds, peak RSS, client CPU and
# the CPU of the servers listed as METHOD. With STATS=1 each server's INFO commandstats of the run is kept as
# METHOD-rROUND.NAME.commandstats.
timed_keyferry() {
  local round=$1 method=$2 servers=$3 cpu0 t0 t1 rc=0 server
  local timing="$OUT/$method-r$round.time" output="$OUT/$method-r$round.log"
  local -a ports=()
  shift 3
  for server in $servers; do
    ports+=("${server#*=}")
    if [[ "$STATS" == 1 ]]; then redis-cli -p "${server#*=}" CONFIG RESETSTAT >/dev/null; fi
  done
  local jar=$JAR
  [[ $jar == /* ]] || jar=$ROOT/$jar
  # The launcher makes the jar's class-data archive on its first run (a few seconds): made here, outside the timing,
  # so that a new build's first timed run does not include it.
  KEYFERRY_JAR="$jar" "$ROOT/scripts/keyferry" --version >/dev/null 2>&1 || true
  cpu0=$(servers_cpu "${ports[@]}")
  log "round $round $method: JAVA_OPTS='-Xmx256m${JVM_OPTS:+ }${JVM_OPTS:-}' KEYFERRY_JAVA_OPTS='${KEYFERRY_JAVA_OPTS-(default)}' scripts/keyferry $*"
  t0=$(now)
  # JVM_OPTS: space-separated JVM options (bench/compare.sh sets them per build)
  JAVA_OPTS="-Xmx256m ${JVM_OPTS:-}" KEYFERRY_JAR="$jar" /usr/bin/time -v -o "$timing" "$ROOT/scripts/keyferry" \
    "$@" --no-progress --report "$OUT/$method-r$round.json" >"$output" 2>&1 || rc=$?
  t1=$(now)
  # A snapshot's fork counts in INFO cpu only once reaped (copy.sh defines how to wait for it)
  if declare -F wait_fork_reaped >/dev/null; then wait_fork_reaped; fi
  if ((rc != 0)); then
    tail -20 "$output" >&2
    die "round $round $method: keyferry exited with $rc (output above, full log $output)"
  fi
  if [[ "$STATS" == 1 ]]; then
    for server in $servers; do
      info "${server#*=}" commandstats >"$OUT/$method-r$round.${server%%=*}.commandstats"
    done
  fi
  record "$round" "$method" "$(minus "$t1" "$t0")" \
    "$(awk -v kb="$(time_field "$timing" 'Maximum resident set size (kbytes)')" 'BEGIN {printf "%.0f", kb / 1024}')" \
    "$(awk -v u="$(time_field "$timing" 'User time (seconds)')" -v s="$(time_field "$timing" 'System time (seconds)')" 'BEGIN {printf "%.2f", u + s}')" \
    "$(minus "$(servers_cpu "${ports[@]}")" "$cpu0")"
}

# --- report ----------------------------------------------------------------------------

describe_run() {
  echo "profile ${PROFILE:-none} ($1 keys), rounds $ROUNDS, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
  echo "redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')${2:+, $2}"
  if command -v java >/dev/null; then java -version 2>&1 | head -1; fi
}

# summarize KEYS BASELINE METHOD=LABEL...: the table from the raw results, medians over the rounds, in the
# order given; with a BASELINE method (or - for none) a column of its seconds over each method's, taken per
# round and then the median.
summarize() {
  python3 - "$RESULTS" "$ROUNDS" "$@" <<'EOF'
import statistics, sys
path, rounds, keys, baseline = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
names = dict(a.split("=", 1) for a in sys.argv[5:])
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
secs = {(r[0], r[1]): float(r[2]) for r in rows}
def med(vals):
    vals = [float(v) for v in vals if v != "-"]
    return statistics.median(vals) if vals else None
def fmt(v, spec):
    return "-" if v is None else format(v, spec)
hdr = ("method", "seconds", "keys/s", "vs " + baseline if baseline != "-" else "", "client RSS MB", "client CPU s",
       "server CPU s")
print("%-30s %8s %10s %14s %13s %12s %12s" % hdr)
for m in [m for m in names if any(r[1] == m for r in rows)]:
    mine = [r for r in rows if r[1] == m]
    s = med(r[2] for r in mine)
    ratio = med(secs[(r[0], baseline)] / float(r[2]) for r in mine if (r[0], baseline) in secs)
    print("%-30s %8s %10s %14s %13s %12s %12s" % (
        names[m], fmt(s, ".2f"), fmt(keys / s, ",.0f"), fmt(ratio, ".2f") + "x" if ratio else "",
        fmt(med(r[3] for r in mine), ".0f"), fmt(med(r[4] for r in mine), ".2f"),
        fmt(med(r[5] for r in mine), ".2f")))
if rounds > 1:
    print("(medians of %d rounds)" % rounds)
EOF
}
