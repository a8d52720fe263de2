#!/usr/bin/env bash
# Undo journal benchmark: the journal's cost on a copy into a target that already holds the same keys (policy
# Overwrite: every key is changed, so every key's prior state is journaled), and the time of `keyferry undo`.
#
# Usage (from anywhere; paths are taken from the repository root):
#   bench/undo.sh                         # mixed-1m
#   PROFILE=small-100k bench/undo.sh      # quicker
#
# It loads the dataset of shared/bench/gen_dataset.py (PROFILE) into a source, and fills three targets with the same
# keys (REPLICAOF the source, then REPLICAOF NO ONE). Then, one after another:
#   no-journal      keyferry run, spec.undo.enabled: false
#   journal-file    keyferry run with the journal in the state directory (the default of keyferry run)
#   journal-target  keyferry run with the journal kept in the target itself (spec.undo.store: the target, as the
#                   operator's workers keep it)
#   undo            keyferry undo of journal-file (restores every key from the journal, then checks it)
# and prints a table: method, seconds, keys/s, client peak RSS MB, client CPU s, target used_memory MB after the run,
# journal MB. Raw figures are kept in bench/out/undo-DATE.
#
# Environment: PROFILE=mixed-1m, SHARED=<repo>/../shared, BASE_PORT=16500 (four ports from it), KEEP=0.
# Needs redis-server, redis-cli, python3, java 17+, GNU time and the built jar (mvn -B -q package -DskipTests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PROFILE="${PROFILE:-mixed-1m}"
ROUNDS=1
STATS=0
SHARED="${SHARED:-$ROOT/../shared}"
KEEP="${KEEP:-0}"
BASE_PORT="${BASE_PORT:-16500}"
JAR="operator/target/keyferry.jar"
GEN="$SHARED/bench/gen_dataset.py"
P_SRC=$BASE_PORT
P_NONE=$((BASE_PORT + 1))
P_FILE=$((BASE_PORT + 2))
P_TGT=$((BASE_PORT + 3))

check_tools 1
check_ports "$P_SRC" "$P_NONE" "$P_FILE" "$P_TGT"
make_out undo

# prefill PORT: the same keys as the source, by replication
prefill() {
  start_redis "$1"
  redis-cli -p "$1" REPLICAOF 127.0.0.1 "$P_SRC" >/dev/null
  until [[ "$(info_field "$1" replication master_link_status)" == up && "$(dbsize "$1")" == "$SRC_KEYS" ]]; do
    sleep 0.5
  done
  redis-cli -p "$1" REPLICAOF NO ONE >/dev/null
}

# manifest NAME TARGET_PORT UNDO_YAML: the one-source Overwrite copy of lib.sh with spec.undo
manifest() {
  local file
  file=$(write_manifest "$1" "$P_SRC" false "$2" false 1)
  echo "  undo: $3" >>"$file"
  echo "$file"
}

used_mb() { awk -v b="$(info_field "$1" memory used_memory)" 'BEGIN {printf "%.0f", b / 1048576}'; }

start_redis "$P_SRC" --repl-diskless-sync yes --repl-diskless-sync-delay 0
load_dataset "$P_SRC"
SRC_KEYS=$(dbsize "$P_SRC")
for p in "$P_NONE" "$P_FILE" "$P_TGT"; do prefill "$p"; done
log "source and three targets hold $SRC_KEYS keys each; target used_memory before: $(used_mb "$P_NONE") MB"
declare -A MEM JOURNAL
BEFORE=$(used_mb "$P_NONE")

m=$(manifest none "$P_NONE" "{enabled: false}")
timed_keyferry 1 no-journal "target=$P_NONE" run -f "$m" --state-dir "$WORK/state-none"
MEM[no-journal]=$(used_mb "$P_NONE"); JOURNAL[no-journal]=0

m=$(manifest file "$P_FILE" "{enabled: true}")
timed_keyferry 1 journal-file "target=$P_FILE" run -f "$m" --state-dir "$WORK/state-file"
MEM[journal-file]=$(used_mb "$P_FILE")
JOURNAL[journal-file]=$(awk -v b="$(stat -c %s "$WORK/state-file/undo.journal")" 'BEGIN {printf "%.0f", b / 1048576}')

m=$(manifest target "$P_TGT" "{enabled: true, store: {uri: \"redis://127.0.0.1:$P_TGT/0\"}}")
timed_keyferry 1 journal-target "target=$P_TGT" run -f "$m" --state-dir "$WORK/state-target"
MEM[journal-target]=$(used_mb "$P_TGT")
JOURNAL[journal-target]=$(awk -v b="$(redis-cli -p "$P_TGT" HGET 'keyferry:undo:{bench-target}' bytes)" 'BEGIN {printf "%.0f", b / 1048576}')

m=$(manifest file "$P_FILE" "{enabled: true}")
timed_keyferry 1 undo "target=$P_FILE" undo -f "$m" --state-dir "$WORK/state-file"
MEM[undo]=$(used_mb "$P_FILE"); JOURNAL[undo]=0
[[ "$(dbsize "$P_FILE")" == "$SRC_KEYS" ]] || die "after the undo the target holds $(dbsize "$P_FILE") keys, not $SRC_KEYS"

{
  printf '\n%s: %s keys, every one already in the target (Overwrite); target used_memory before: %s MB\n' \
    "$PROFILE" "$SRC_KEYS" "$BEFORE"
  printf '%-15s %9s %10s %9s %9s %14s %10s\n' method seconds keys/s rss_MB cpu_s target_MB journal_MB
  while IFS=$'\t' read -r _ method secs rss cpu _; do
    printf '%-15s %9s %10.0f %9s %9s %14s %10s\n' "$method" "$secs" "$(awk -v k="$SRC_KEYS" -v s="$secs" 'BEGIN {print k / s}')" \
      "$rss" "$cpu" "${MEM[$method]}" "${JOURNAL[$method]}"
  done <"$RESULTS"
} | tee "$OUT/table.txt"
