#!/usr/bin/env bash
# Runs a command as on a fresh machine that has Java and Maven but no Redis: on a PATH that holds every tool
# of this one except redis-server, redis-cli and the other redis-* tools (links in a temp directory).
#
# Usage (from anywhere):
#   scripts/without-redis.sh examples/quickstart.sh
#   scripts/without-redis.sh mvn -B verify       # the tests then run the redis-server of embedded-redis
# Exit code: the command's.
set -euo pipefail

bin=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-no-redis.XXXXXX")
trap 'rm -rf "$bin"' EXIT

IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  for tool in "$dir"/*; do
    name=${tool##*/}
    if [[ -f "$tool" && -x "$tool" && "$name" != redis-* && ! -e "$bin/$name" ]]; then
      ln -s "$tool" "$bin/$name"
    fi
  done
done

rc=0
PATH="$bin" "$@" || rc=$?
exit "$rc"
