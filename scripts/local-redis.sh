# shellcheck shell=bash
# Sourced by examples/quickstart.sh and bench/lib.sh: throwaway redis-servers on 127.0.0.1, and a small
# client for them that needs no redis-cli.

# redis_use_server ROOT: sets REDIS_SERVER, the redis-server that redis_start runs, and prints which it is:
# the one on PATH or, where there is none, the Redis 6.2 one that embedded-redis carries, copied out of its jar
# into ROOT/operator/target/bundled-redis/ by scripts/bundled-redis.sh. The jar is a test dependency of the
# build, so it is in the local Maven repository once `mvn package` ran; otherwise Maven copies it there.
redis_use_server() {
  local root=$1 dir=$1/operator/target/bundled-redis version jar
  if REDIS_SERVER=$(command -v redis-server); then
    echo "redis-server $(redis_server_version) from PATH ($REDIS_SERVER)"
    return
  fi
  version=$(grep -A1 '<artifactId>embedded-redis</artifactId>' "$root/pom.xml" | sed -n 's#.*<version>\(.*\)</version>.*#\1#p')
  jar="$HOME/.m2/repository/com/github/codemonstur/embedded-redis/$version/embedded-redis-$version.jar"
  if [[ ! -f "$jar" ]]; then
    mvn -B -q -N -f "$root/pom.xml" dependency:copy -Dartifact="com.github.codemonstur:embedded-redis:$version" \
      -DoutputDirectory="$dir" >&2 || return 1
    jar="$dir/embedded-redis-$version.jar"
  fi
  REDIS_SERVER=$("$root/scripts/bundled-redis.sh" "$jar" "$dir") || return 1
  echo "redis-server $(redis_server_version) bundled in embedded-redis $version (no redis-server on PATH)"
}

# "7.0.15", from `redis-server --version` ("Redis server v=7.0.15 sha=...")
redis_server_version() {
  "${REDIS_SERVER:-redis-server}" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'
}

# redis_start PORT WORKDIR [redis-server options...]
# Starts a redis-server (REDIS_SERVER, or the one on PATH) with no persistence, its data and log under WORKDIR,
# and waits until it answers PING. Sets REDIS_PID. On failure prints the end of its log and returns 1.
redis_start() {
  local port=$1 work=$2 i
  shift 2
  mkdir -p "$work/redis-$port"
  "${REDIS_SERVER:-redis-server}" --port "$port" --bind 127.0.0.1 --dir "$work/redis-$port" --save "" \
    --appendonly no --logfile "$work/redis-$port.log" "$@" </dev/null >/dev/null 2>&1 &
  REDIS_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ "$(redis_cmd "$port" PING 2>/dev/null)" == PONG ]] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$work/redis-$port.log" >&2 || true
  echo "redis-server on port $port did not start (log above)" >&2
  return 1
}

# redis_cmd PORT ARG...: sends one command to the server on 127.0.0.1:PORT and prints the reply as redis-cli
# does when its output is not a terminal: a value per line, an array's values one per line, nil or an empty
# array as an empty line. An error reply goes to stderr and makes it return 1. Bash's /dev/tcp, no redis-cli.
redis_cmd() {
  local port=$1 fd arg rc=0
  local LC_ALL=C # lengths in bytes, as RESP counts them
  shift
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
  {
    printf '*%d\r\n' "$#"
    for arg in "$@"; do
      printf '$%d\r\n%s\r\n' "${#arg}" "$arg"
    done
  } >&"$fd"
  redis_reply "$fd" || rc=$?
  exec {fd}>&-
  return "$rc"
}

# redis_reply FD: reads one RESP2 reply from FD and prints it as redis_cmd says
redis_reply() {
  local fd=$1 line n
  IFS= read -r line <&"$fd" || return 1
  line=${line%$'\r'}
  case "$line" in
    -*) printf '%s\n' "${line:1}" >&2; return 1 ;;
    [+:]*) printf '%s\n' "${line:1}" ;;
    '$-1' | '*-1' | '*0') echo ;;
    \$*)
      IFS= read -r -N "$((${line:1} + 2))" line <&"$fd"
      printf '%s\n' "${line%$'\r\n'}"
      ;;
    \**)
      for ((n = ${line:1}; n > 0; n--)); do
        redis_reply "$fd" || return 1
      done
      ;;
    *) echo "not a RESP reply: $line" >&2; return 1 ;;
  esac
}
