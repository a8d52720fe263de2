#!/usr/bin/env bash
# Cluster benchmark: KeyFerry into and out of a local Redis Cluster, on the dataset of bench/copy.sh.
#
# Usage (from anywhere; paths are taken from the repository root):
#   bench/cluster.sh                            # mixed-1m, 3 masters, 1 round
#   PROFILE=small-100k ROUNDS=3 bench/cluster.sh
#
# It loads the dataset of shared/bench/gen_dataset.py (PROFILE) into a standalone source, then, each round:
#   to-cluster            keyferry run (policy Overwrite, verify Off) from the source into an empty cluster of
#                         MASTERS masters (redis-cli --cluster create, no replicas);
#   to-cluster-verify     keyferry verify of that copy;
#   from-cluster          keyferry run from that cluster into an empty standalone server, with WORKERS workers
#                         (spec.worker.parallelism; with as many as masters, each worker scans its own master);
#   from-cluster-verify   keyferry verify of that copy.
# Every copy must end with as many keys as the source, or the script fails. It prints a table: method, seconds,
# keys/s, client peak RSS MB, client CPU s (user+sys) and server CPU s (INFO cpu of every server the run used),
# and keeps the raw figures in bench/out/. There is no native baseline: Redis cannot replicate into a cluster.
#
# Environment:
#   PROFILE=mixed-1m     gen_dataset.py profile (mixed-1m or small-100k)
#   ROUNDS=1             rounds; with more than one the table shows medians
#   MASTERS=3            masters of the cluster (at least 3)
#   WORKERS=1            spec.worker.parallelism of the copy out of the cluster
#   WORKERS_IN=1         spec.worker.parallelism of the copy into the cluster (key-hash parts of the standalone source)
#   BACKFILL=Scan        spec.worker.backfill of both copies: Snapshot reads the source's RDB snapshot (each master's,
#                        one after the other, out of the cluster) and RESTOREs each key on its slot's master
#   SHARED=<repo>/../shared   the shared directory holding bench/gen_dataset.py
#   KEEP=0               1: leave the servers of the last round running at the end
#   BASE_PORT=16700      MASTERS + 2 consecutive ports from here on 127.0.0.1 must be free
#   STATS=0              1: keep every server's INFO commandstats of each run in bench/out/
#
# Needs redis-server, redis-cli, python3, java 17+, the built jar (mvn -B -q package -DskipTests) and GNU time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PROFILE="${PROFILE:-mixed-1m}"
ROUNDS="${ROUNDS:-1}"
MASTERS="${MASTERS:-3}"
WORKERS="${WORKERS:-1}"
WORKERS_IN="${WORKERS_IN:-1}"
BACKFILL="${BACKFILL:-Scan}"
STATS="${STATS:-0}"
SHARED="${SHARED:-$ROOT/../shared}"
KEEP="${KEEP:-0}"
BASE_PORT="${BASE_PORT:-16700}"
JAR="${JAR:-operator/target/keyferry.jar}"
GEN="$SHARED/bench/gen_dataset.py"

P_SRC=$BASE_PORT
P_DST=$((BASE_PORT + 1))
P_NODES=()
for ((i = 0; i < MASTERS; i++)); do P_NODES+=($((BASE_PORT + 2 + i))); done
SRC_KEYS=0

# start_cluster: MASTERS empty masters on P_NODES, every slot assigned, cluster_state ok everywhere
start_cluster() {
  local port i addresses=()
  for port in "${P_NODES[@]}"; do
    # nodes.conf in its own dir, gone with it; a snapshot starts at once (no 5 s wait for more replicas)
    start_redis "$port" --cluster-enabled yes --cluster-config-file nodes.conf --repl-diskless-sync-delay 0
    addresses+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes >"$WORK/cluster-create.log" 2>&1 \
    || { cat "$WORK/cluster-create.log" >&2; die "redis-cli --cluster create failed"; }
  for port in "${P_NODES[@]}"; do
    for ((i = 0; i < 200; i++)); do
      [[ "$(info_field "$port" cluster cluster_enabled)" == 1 \
        && "$(redis-cli -p "$port" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')" == ok ]] && break
      sleep 0.05
    done
  done
}

# bench_copy ROUND METHOD MANIFEST "NAME=PORT ..." TARGET_PORT...: the copy, its key count checked, its verify
bench_copy() {
  local round=$1 method=$2 manifest=$3 servers=$4 n
  shift 4
  timed_keyferry "$round" "$method" "$servers" run -f "$manifest" --restart --state-dir "$WORK/state-$method"
  n=$(dbsizes "$@")
  [[ "$n" == "$SRC_KEYS" ]] || die "round $round $method: WRONG COPY: the target holds $n keys, the source $SRC_KEYS"
  timed_keyferry "$round" "$method-verify" "$servers" verify -f "$manifest"
}

main() {
  cd "$ROOT"
  [[ -f "$GEN" ]] || die "$GEN not found; point SHARED at the shared directory"
  ((MASTERS >= 3)) || die "MASTERS must be at least 3 (redis-cli --cluster create needs three)"
  check_tools 1
  check_ports "$P_SRC" "$P_DST" "${P_NODES[@]}"
  make_out "cluster-$PROFILE"
  start_redis "$P_SRC" --repl-diskless-sync-delay 0
  load_dataset "$P_SRC"
  SRC_KEYS=$(dbsize "$P_SRC")
  local round port nodes=""
  for port in "${P_NODES[@]}"; do nodes+=" node$port=$port"; done
  for ((round = 1; round <= ROUNDS; round++)); do
    start_cluster
    bench_copy "$round" to-cluster "$(write_manifest to-cluster "$P_SRC" false "${P_NODES[0]}" true "$WORKERS_IN" "$BACKFILL")" \
      "source=$P_SRC$nodes" "${P_NODES[@]}"
    start_redis "$P_DST"
    bench_copy "$round" from-cluster "$(write_manifest from-cluster "${P_NODES[0]}" true "$P_DST" false "$WORKERS" "$BACKFILL")" \
      "target=$P_DST$nodes" "$P_DST"
    stop_after_round "$round" "$P_DST" "${P_NODES[@]}"
  done
  {
    describe_run "$SRC_KEYS" "$MASTERS masters, $WORKERS_IN worker(s) into the cluster, $WORKERS out of it, backfill $BACKFILL"
    echo
    summarize "$SRC_KEYS" - to-cluster="keyferry into the cluster" to-cluster-verify="keyferry verify of it" \
      from-cluster="keyferry out of the cluster" from-cluster-verify="keyferry verify of it"
  } | tee "$OUT/summary.txt"
  echo "raw figures and logs: $OUT"
}

main "$@"
