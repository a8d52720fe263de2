# shellcheck shell=bash
# Sourced by examples/quickstart.sh and bench/copy.sh: throwaway redis-servers on 127.0.0.1.

# redis_start PORT WORKDIR [redis-server options...]
# Starts a redis-server with no persistence, its data and log under WORKDIR, and waits until it answers
# PING. Sets REDIS_PID. On failure prints the end of its log and returns 1.
redis_start() {
  local port=$1 work=$2 i
  shift 2
  mkdir -p "$work/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis-$port" --save "" --appendonly no \
    --logfile "$work/redis-$port.log" "$@" </dev/null >/dev/null 2>&1 &
  REDIS_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$work/redis-$port.log" >&2 || true
  echo "redis-server on port $port did not start (log above)" >&2
  return 1
}
