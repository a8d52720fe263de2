#!/usr/bin/env bash
# Compares KeyFerry builds (or settings) on one dataset, each against native replication in the same round:
# what a lever bought, with the machine's drift between runs taken out.
#
# Usage:
#   JARS="before=/tmp/a.jar after=/tmp/b.jar" PROFILE=hashed-1m ROUNDS=3 bench/compare.sh
#   JARS="c2=operator/target/keyferry.jar c1=operator/target/keyferry.jar" JVM_c1="-XX:TieredStopAtLevel=1" bench/compare.sh
#
# The source is loaded once (PROFILE, as bench/copy.sh); then each round times native replication into an empty
# replica and a `keyferry run` (Overwrite, verify Off) of every jar of JARS into an empty target, in turn; with
# VERIFY=1 also `keyferry verify` of each copy; BACKFILL=Snapshot copies from the source's snapshot (the next run waits
# for the source's fork to be reaped, so its CPU is counted and it does not share the machine with the next); NODUMP=1
# starts each target with RESTORE renamed away, so the copy takes the type-native path (as into Kvrocks or Pika). The
# table shows medians over the rounds and each method's ratio (replication's seconds over its seconds in the same
# round: above 1.00x is faster than replication).
#
# Environment: JARS (label=path ...), JVM_<label> (that build's extra JVM options), PROFILE=mixed-1m, ROUNDS=3, VERIFY=0,
# BACKFILL=Scan, NODUMP=0, SHARED=<repo>/../shared,
# BASE_PORT=16600 (three ports from it), REPL_DISKLESS_LOAD=disabled, STATS=0, KEEP=0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR=""
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JARS="${JARS:?set JARS=\"label=path ...\"}"
PROFILE="${PROFILE:-mixed-1m}"
ROUNDS="${ROUNDS:-3}"
VERIFY="${VERIFY:-0}"
BACKFILL="${BACKFILL:-Scan}"
NODUMP="${NODUMP:-0}"
STATS="${STATS:-0}"
KEEP="${KEEP:-0}"
SHARED="${SHARED:-$ROOT/../shared}"
BASE_PORT="${BASE_PORT:-16600}"
REPL_DISKLESS_LOAD="${REPL_DISKLESS_LOAD:-disabled}"
P_SRC=$BASE_PORT
P_REPLICA=$((BASE_PORT + 1))
P_DST=$((BASE_PORT + 2))

source_fork_reaped() {
  until [[ "$(info_field "$P_SRC" persistence rdb_bgsave_in_progress)" == 0 ]]; do sleep 0.05; done
}

main() {
  cd "$ROOT"
  local spec
  for spec in $JARS; do
    JAR=${spec#*=}
    check_tools 1
  done
  check_ports "$P_SRC" "$P_REPLICA" "$P_DST"
  make_out "compare-$PROFILE"
  start_redis "$P_SRC" --repl-diskless-sync yes --repl-diskless-sync-delay 0
  load_dataset "$P_SRC"
  local keys round label manifest names=()
  keys=$(dbsize "$P_SRC")
  for ((round = 1; round <= ROUNDS; round++)); do
    start_redis "$P_REPLICA" --repl-diskless-load "$REPL_DISKLESS_LOAD"
    local cpu0 t0 t1
    cpu0=$(servers_cpu "$P_SRC" "$P_REPLICA")
    t0=$(now)
    redis-cli -p "$P_REPLICA" REPLICAOF 127.0.0.1 "$P_SRC" >/dev/null
    until [[ "$(info_field "$P_REPLICA" replication master_link_status)" == up && "$(dbsize "$P_REPLICA")" == "$keys" ]]; do
      sleep 0.05
    done
    t1=$(now)
    source_fork_reaped
    record "$round" replication "$(minus "$t1" "$t0")" - - "$(minus "$(servers_cpu "$P_SRC" "$P_REPLICA")" "$cpu0")"
    stop_redis "$P_REPLICA"
    for spec in $JARS; do
      label=${spec%%=*}
      JAR=${spec#*=}
      local jvm="JVM_$label"
      JVM_OPTS="${!jvm:-}"
      if [[ "$NODUMP" == 1 ]]; then
        start_redis "$P_DST" --rename-command RESTORE ""
      else
        start_redis "$P_DST"
      fi
      manifest=$(write_manifest "$label" "$P_SRC" false "$P_DST" false 1 "$BACKFILL")
      timed_keyferry "$round" "$label" "source=$P_SRC target=$P_DST" run -f "$manifest" --restart --state-dir "$WORK/state-$label"
      [[ "$(dbsize "$P_DST")" == "$keys" ]] || die "round $round $label: WRONG COPY: the target holds $(dbsize "$P_DST") keys of $keys"
      source_fork_reaped
      if [[ "$VERIFY" == 1 ]]; then
        timed_keyferry "$round" "$label-verify" "source=$P_SRC target=$P_DST" verify -f "$manifest"
        source_fork_reaped
      fi
      stop_redis "$P_DST"
    done
  done
  names=(replication="native replication")
  for spec in $JARS; do
    label=${spec%%=*}
    names+=("$label=keyferry run ($label)")
    [[ "$VERIFY" == 1 ]] && names+=("$label-verify=keyferry verify ($label)")
  done
  {
    describe_run "$keys" "repl-diskless-load $REPL_DISKLESS_LOAD; jars: $JARS$([[ "$NODUMP" == 1 ]] && echo "; targets without RESTORE (type-native)")"
    echo
    summarize "$keys" replication "${names[@]}"
  } | tee "$OUT/summary.txt"
  echo "raw figures and logs: $OUT"
}

main "$@"
