#!/usr/bin/env bash
# KeyFerry quickstart: see a migration run on your machine in under a minute.
#
# Usage (from anywhere; the script works from the repository root):
#   examples/quickstart.sh
#
# What it does:
#   1. checks for java (17+), and for mvn if the jar is not built yet; prints how to install
#      whatever is missing;
#   2. builds operator/target/keyferry.jar (mvn -B -q package -DskipTests) if it is missing;
#   3. takes redis-server from PATH or, where there is none, the Redis 6.2 one that the build's
#      test dependency embedded-redis carries (copied out of its jar with the JDK's `jar`; see
#      scripts/local-redis.sh), and says which; talks to the servers without redis-cli;
#   4. starts three throw-away redis-servers on 127.0.0.1 (data in a temp dir, nothing saved):
#        app-redis       APP_PORT      (default 6391)  a bit of every data type
#        target          TARGET_PORT   (default 6392)  pre-filled with a few conflicting keys
#        sessions-redis  SESSIONS_PORT (default 6393)  session:* keys and one other key
#   5. runs: scripts/keyferry run -f examples/quickstart.yaml --state-dir TMP (the launcher: java -jar
#      operator/target/keyferry.jar with the JVM options KeyFerry is measured with)
#      (with other ports, on a copy of the manifest with those ports);
#   6. shows DBSIZE of each server and the target's keys with their TYPE, TTL and value;
#   7. stops the servers it started (KEEP=1 leaves them running for you to explore).
#
# Exit code: keyferry's (0 success, 2 invalid input or unreachable endpoint, 3 copy failed),
# or 1 if the quickstart itself could not be set up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/local-redis.sh
source "$ROOT/scripts/local-redis.sh"
JAR="operator/target/keyferry.jar"
MANIFEST="examples/quickstart.yaml"
APP_PORT="${APP_PORT:-6391}"
TARGET_PORT="${TARGET_PORT:-6392}"
SESSIONS_PORT="${SESSIONS_PORT:-6393}"
KEEP="${KEEP:-0}"

WORK=""
PIDS=()

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local pid
  if [[ "$KEEP" == 1 && ${#PIDS[@]} -gt 0 ]]; then
    say "KEEP=1: servers left running (pids ${PIDS[*]}), data in $WORK"
    echo "    try: redis-cli -p $TARGET_PORT --scan (without redis-cli: . scripts/local-redis.sh; redis_cmd $TARGET_PORT KEYS '*')"
    echo "    stop them with: kill ${PIDS[*]}"
    return
  fi
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi
}

# --- prerequisites -------------------------------------------------------------------

# the major version of `java` (8 for "1.8.0_x"), 0 if it cannot be read
java_major() {
  local v
  v=$(java -version 2>&1 | sed -nE 's/.* version "(1\.)?([0-9]+).*/\2/p' | head -1)
  echo "${v:-0}"
}

check_tools() {
  local missing=()
  if ! command -v redis-server >/dev/null && ! command -v jar >/dev/null; then
    missing+=("redis-server, or the JDK's jar to take the bundled one out of embedded-redis:  sudo apt-get install -y openjdk-17-jdk-headless")
  fi
  if ! command -v java >/dev/null; then
    missing+=("java 17+:                    sudo apt-get install -y openjdk-17-jdk-headless")
  elif (($(java_major) < 17)); then
    missing+=("java 17+ (found $(java -version 2>&1 | head -1)):  sudo apt-get install -y openjdk-17-jdk-headless")
  fi
  if [[ ! -f "$JAR" ]] && ! command -v mvn >/dev/null; then
    missing+=("maven (to build $JAR):       sudo apt-get install -y maven")
  fi
  if ((${#missing[@]} > 0)); then
    echo "quickstart: missing tools; install them and run me again:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
  fi
}

build_jar() {
  [[ -f "$JAR" ]] && return
  say "building $JAR (mvn -B -q package -DskipTests; the first build downloads dependencies)"
  mvn -B -q package -DskipTests
  [[ -f "$JAR" ]] || die "the build finished but $JAR is not there"
}

# --- local servers -------------------------------------------------------------------

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports() {
  local port
  for port in "$APP_PORT" "$TARGET_PORT" "$SESSIONS_PORT"; do
    if port_in_use "$port"; then
      die "port $port on 127.0.0.1 is taken; free it or pick others, e.g. APP_PORT=7391 TARGET_PORT=7392 SESSIONS_PORT=7393 $0"
    fi
  done
}

start_redis() {
  redis_start "$1" "$WORK" || die "cannot start redis-server on port $1"
  PIDS+=("$REDIS_PID")
}

# load PORT COMMAND...: one command of the sample data; an error reply stops the quickstart
load() {
  redis_cmd "$@" >/dev/null || die "loading sample data into port $1 failed: ${*:2}"
}

load_sample_data() {
  say "loading sample data"
  echo "app-redis :$APP_PORT      strings (one with a TTL), a hash, a list, a set, a zset, a stream"
  load "$APP_PORT" SET greeting "hello from app-redis"
  load "$APP_PORT" SET otp:4711 839201 EX 3600
  load "$APP_PORT" HSET user:1 name Alice email alice@example.com plan pro
  load "$APP_PORT" RPUSH queue:jobs resize-image send-email rebuild-index
  load "$APP_PORT" SADD tags:popular redis kubernetes java
  load "$APP_PORT" ZADD leaderboard 300 alice 250 bob 100 carol
  load "$APP_PORT" XADD events 1-1 type signup user alice
  load "$APP_PORT" XADD events 2-1 type login user alice
  echo "sessions  :$SESSIONS_PORT      two session:* keys with a TTL, and cache:homepage (not selected)"
  load "$SESSIONS_PORT" SET session:8f2a '{"user":"alice","cart":3}' EX 1800
  load "$SESSIONS_PORT" HSET session:91bc user bob theme dark
  load "$SESSIONS_PORT" EXPIRE session:91bc 1800
  load "$SESSIONS_PORT" SET cache:homepage "<html>cached</html>"
  echo "target    :$TARGET_PORT      conflicting greeting, user:1 and leaderboard, plus a target-only key"
  load "$TARGET_PORT" SET greeting "old greeting, already on the target"
  load "$TARGET_PORT" HSET user:1 name "Alice (old)" phone "+1 555 0100"
  load "$TARGET_PORT" ZADD leaderboard 999 mallory
  load "$TARGET_PORT" SET config:target-only yes
}

# --- the migration -------------------------------------------------------------------

# The manifest to run: examples/quickstart.yaml, or a copy of it with the ports in use.
manifest_for_ports() {
  if [[ "$APP_PORT:$TARGET_PORT:$SESSIONS_PORT" == "6391:6392:6393" ]]; then
    echo "$MANIFEST"
    return
  fi
  sed -e "s#127.0.0.1:6391/#127.0.0.1:$APP_PORT/#;t" \
      -e "s#127.0.0.1:6392/#127.0.0.1:$TARGET_PORT/#;t" \
      -e "s#127.0.0.1:6393/#127.0.0.1:$SESSIONS_PORT/#" \
      "$MANIFEST" >"$WORK/quickstart.yaml"
  echo "$WORK/quickstart.yaml"
}

run_keyferry() {
  local manifest=$1 rc=0
  say "scripts/keyferry run -f $manifest --state-dir $WORK/state"
  KEYFERRY_JAR="$ROOT/$JAR" "$ROOT/scripts/keyferry" run -f "$manifest" --state-dir "$WORK/state" || rc=$?
  echo "keyferry exit code: $rc"
  return "$rc"
}

# --- the result ----------------------------------------------------------------------

ttl_of() {
  local ms
  ms=$(redis_cmd "$1" PTTL "$2")
  case "$ms" in
    -1) echo "no TTL" ;;
    -2) echo "-" ;;
    *) echo "TTL $((ms / 1000))s" ;;
  esac
}

value_of() {
  local port=$1 key=$2
  case "$3" in
    string) redis_cmd "$port" GET "$key" ;;
    hash) redis_cmd "$port" HGETALL "$key" | paste -d= - - | paste -sd' ' ;;
    list) redis_cmd "$port" LRANGE "$key" 0 -1 | paste -sd' ' ;;
    set) redis_cmd "$port" SMEMBERS "$key" | sort | paste -sd' ' ;;
    zset) redis_cmd "$port" ZRANGE "$key" 0 -1 WITHSCORES | paste -d: - - | paste -sd' ' ;;
    stream) redis_cmd "$port" XRANGE "$key" - + | paste -sd' ' ;;
    none) echo "(absent)" ;;
  esac
}

# show_key KEY WHY: one target key with its type, TTL and value, and why it looks that way
show_key() {
  local key=$1 why=$2 type
  type=$(redis_cmd "$TARGET_PORT" TYPE "$key")
  printf '%-22s %-7s %-10s %s\n' "$key" "$type" "$(ttl_of "$TARGET_PORT" "$key")" \
    "$(value_of "$TARGET_PORT" "$key" "$type")"
  printf '%-22s   ^ %s\n' "" "$why"
}

show_result() {
  say "DBSIZE: app-redis $(redis_cmd "$APP_PORT" DBSIZE), sessions-redis $(redis_cmd "$SESSIONS_PORT" DBSIZE), target $(redis_cmd "$TARGET_PORT" DBSIZE) (it had 4)"
  say "the target, key by key"
  printf '%-22s %-7s %-10s %s\n' KEY TYPE TTL VALUE
  show_key greeting "existed on both: string policy Overwrite, the source's value wins"
  show_key otp:4711 "new: copied with its remaining TTL"
  show_key user:1 "existed on both: hash policy Merge, source fields added, source wins on 'name', 'phone' kept"
  show_key leaderboard "existed on both: zset falls under default Skip, the target's own zset is untouched"
  show_key queue:jobs "new: copied"
  show_key tags:popular "new: copied"
  show_key events "new: stream copied with its entry ids"
  show_key legacy:session:8f2a "from sessions-redis: session:* renamed with addPrefix legacy:, TTL kept"
  show_key legacy:session:91bc "from sessions-redis, a hash session, TTL kept"
  show_key legacy:cache:homepage "not copied: cache:homepage does not match session:*"
  show_key config:target-only "only on the target: left alone"
}

main() {
  cd "$ROOT"
  check_tools
  build_jar
  check_ports
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-quickstart.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  say "starting redis-servers on 127.0.0.1:$APP_PORT (app-redis), :$SESSIONS_PORT (sessions-redis), :$TARGET_PORT (target)"
  redis_use_server "$ROOT" || die "no redis-server to start: install one (sudo apt-get install -y redis-server)"
  start_redis "$APP_PORT"
  start_redis "$SESSIONS_PORT"
  start_redis "$TARGET_PORT"
  load_sample_data
  local manifest rc=0
  manifest=$(manifest_for_ports)
  run_keyferry "$manifest" || rc=$?
  show_result
  exit "$rc"
}

main "$@"
