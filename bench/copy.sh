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
#   PROFILE=mixed-1m     gen_dataset.py profile (mixed-1m or small-100k), or bench/gen_keyspace.py's
#                        app-1m, hashed-1m (app-100k, hashed-100k): the same data under other key names
#   ROUNDS=1             rounds; with more than one the table shows medians
#   SHARED=<repo>/../shared   the shared directory holding bench/gen_dataset.py
#   KEEP=0               1: leave the servers of the last round running at the end
#   SKIP_KEYFERRY=0      1: only load the data and time replication (no jar needed)
#   BASE_PORT=16400      five consecutive ports from here on 127.0.0.1 must be free
#   REPL_DISKLESS_LOAD=disabled   the replica's repl-diskless-load (e.g. on-empty-db)
#   WORKERS=1            spec.worker.parallelism: workers copying the source at once (key-hash parts)
#   RDB=0                1: also time receiving the source's RDB snapshot as a replica (bench/rdb_receive.py),
#                        the least a snapshot backfill takes, and keyferry run with spec.worker.backfill: Snapshot
#                        (keyferry-snapshot, and its keyferry verify), against the SCAN copy
#   STATS=0              1: CONFIG RESETSTAT both servers before each KeyFerry run and keep their
#                        INFO commandstats after it in bench/out/ (METHOD-rN.source.commandstats and
#                        .target.commandstats); bench/commandstats.py prints them as a table
#
# Needs redis-server, redis-cli, python3, and for the KeyFerry runs java 17+, the built jar
# (mvn -B -q package -DskipTests) and GNU time (apt-get install -y time).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PROFILE="${PROFILE:-mixed-1m}"
ROUNDS="${ROUNDS:-1}"
WORKERS="${WORKERS:-1}"
STATS="${STATS:-0}"
SHARED="${SHARED:-$ROOT/../shared}"
KEEP="${KEEP:-0}"
SKIP_KEYFERRY="${SKIP_KEYFERRY:-0}"
RDB="${RDB:-0}"
BASE_PORT="${BASE_PORT:-16400}"
REPL_DISKLESS_LOAD="${REPL_DISKLESS_LOAD:-disabled}"
JAR="${JAR:-operator/target/keyferry.jar}"
GEN="$SHARED/bench/gen_dataset.py"

P_SRC=$BASE_PORT               # source, DUMP available
P_SRC_NODUMP=$((BASE_PORT + 1)) # source without DUMP/RESTORE/MIGRATE
P_REPLICA=$((BASE_PORT + 2))
P_DST=$((BASE_PORT + 3))
P_DST_NODUMP=$((BASE_PORT + 4))
NO_DUMP=(--rename-command DUMP "" --rename-command RESTORE "" --rename-command MIGRATE "")

SRC_KEYS=0

# --- the dataset -----------------------------------------------------------------------

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
  stop_after_round "$round" "$P_REPLICA"
}

# --- the RDB snapshot alone (RDB=1) --------------------------------------------------------

# What an RDB-based backfill would wait for at least: the source's snapshot received as a replica receives it
# (bench/rdb_receive.py: handshake, fork, transfer; nothing parsed or applied).
bench_rdb() {
  local round=$1 cpu0 t0 t1 out
  cpu0=$(servers_cpu "$P_SRC")
  t0=$(now)
  out=$(python3 "$ROOT/bench/rdb_receive.py" "$P_SRC")
  t1=$(now)
  wait_fork_reaped
  log "round $round rdb-snapshot: $out"
  echo "$out" >"$OUT/rdb-snapshot-r$round.txt"
  record "$round" rdb-snapshot "$(minus "$t1" "$t0")" - - "$(minus "$(servers_cpu "$P_SRC")" "$cpu0")"
}

# --- b, c. KeyFerry ----------------------------------------------------------------------

# bench_keyferry ROUND METHOD SOURCE_PORT TARGET_PORT [target redis-server options...]
# The copy into an empty target, its key count checked, then `keyferry verify` of the result. A METHOD ending in
# -snapshot backfills from the source's RDB snapshot (spec.worker.backfill: Snapshot).
bench_keyferry() {
  local round=$1 method=$2 src=$3 dst=$4 manifest n backfill=Scan
  shift 4
  [[ "$method" == *-snapshot ]] && backfill=Snapshot
  start_redis "$dst" "$@"
  manifest=$(write_manifest "$method" "$src" false "$dst" false "$WORKERS" "$backfill")
  timed_keyferry "$round" "$method" "source=$src target=$dst" run -f "$manifest" --restart --state-dir "$WORK/state-$method"
  n=$(dbsize "$dst")
  [[ "$n" == "$SRC_KEYS" ]] \
    || die "round $round $method: WRONG COPY: the target holds $n keys, the source $SRC_KEYS"
  timed_keyferry "$round" "$method-verify" "source=$src target=$dst" verify -f "$manifest"
  stop_after_round "$round" "$dst"
}

main() {
  cd "$ROOT"
  [[ -f "$GEN" ]] || die "$GEN not found; point SHARED at the shared directory"
  check_tools "$((SKIP_KEYFERRY == 1 ? 0 : 1))"
  check_ports "$P_SRC" "$P_SRC_NODUMP" "$P_REPLICA" "$P_DST" "$P_DST_NODUMP"
  make_out "copy-$PROFILE"
  prepare_sources
  local round
  for ((round = 1; round <= ROUNDS; round++)); do
    bench_replication "$round"
    if [[ "$RDB" == 1 ]]; then bench_rdb "$round"; fi
    if [[ "$SKIP_KEYFERRY" != 1 ]]; then
      if [[ "$RDB" == 1 ]]; then bench_keyferry "$round" keyferry-snapshot "$P_SRC" "$P_DST"; fi
      bench_keyferry "$round" keyferry "$P_SRC" "$P_DST"
      bench_keyferry "$round" keyferry-nodump "$P_SRC_NODUMP" "$P_DST_NODUMP" "${NO_DUMP[@]}"
    fi
  done
  {
    describe_run "$SRC_KEYS" "repl-diskless-load $REPL_DISKLESS_LOAD"
    echo
    summarize "$SRC_KEYS" replication replication="native replication" rdb-snapshot="RDB snapshot received" keyferry-snapshot="keyferry, backfill: Snapshot" keyferry-snapshot-verify="keyferry verify of it" keyferry=keyferry \
      keyferry-verify="keyferry verify" keyferry-nodump="keyferry, no DUMP/RESTORE" \
      keyferry-nodump-verify="keyferry verify, no DUMP"
  } | tee "$OUT/summary.txt"
  echo "raw figures and logs: $OUT"
}

main "$@"
