#!/usr/bin/env bash
# Draws docs/dashboard.png: MetricsContractTest runs a migration through the operator on the mock API server
# (real redis-servers, worker Jobs as child JVMs), scrapes /metrics every 500 ms, checks that every query of the
# chart's dashboard and alerts is served, and then draws the dashboard's panels from those scrapes (JFreeChart).
#
#   scripts/render-dashboard.sh              # -> docs/dashboard.png
#   scripts/render-dashboard.sh /tmp/d.png
#
# Needs redis-server on PATH, like the tests (scripts/local-redis.sh). About a minute and a half.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-docs/dashboard.png}")
mvn -B -q test -Dtest=MetricsContractTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeyferry.dashboardPng="$out"
echo "wrote $out"
