#!/usr/bin/env bash
# Prints the path of the redis-server that embedded-redis carries in its jar (Redis 6.2), for this OS and CPU,
# copied out of the jar into DIR the first time (an executable file named as in the jar: redis-server-6.2.6-v5-
# linux-amd64, -linux-arm64, -linux-386, -darwin-amd64, -darwin-arm64). Used where no redis-server is on PATH,
# by examples/quickstart.sh (through scripts/local-redis.sh) and by the tests (testing/RedisBinary.java).
#
# Usage: scripts/bundled-redis.sh JAR DIR
# Needs the JDK's `jar` tool (openjdk-17-jdk-headless has it).
set -euo pipefail

jar_file="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
dir="$(mkdir -p "$2" && cd "$2" && pwd)"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) os=$(uname -s) ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  i?86) arch=386 ;;
  *) arch=$(uname -m) ;;
esac

entry=$(jar tf "$jar_file" | grep -E "^redis-server-[^/]*-$os-$arch\$" | head -1) || true
if [[ -z "$entry" ]]; then
  echo "$jar_file holds no redis-server for $os-$arch; install redis-server" >&2
  exit 1
fi
if [[ ! -x "$dir/$entry" ]]; then
  # extracted aside and moved in whole, so a concurrent caller never runs half a file
  tmp=$(mktemp -d "$dir/.extract.XXXXXX")
  (cd "$tmp" && jar xf "$jar_file" "$entry")
  chmod +x "$tmp/$entry"
  mv -f "$tmp/$entry" "$dir/$entry"
  rmdir "$tmp"
fi
echo "$dir/$entry"
