#!/usr/bin/env bash
# Usage: pair-down.sh DIR
#
# Stops whatever of the pair still runs (immediate shutdown) and removes DIR.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: pair-down.sh DIR"
dir=$1
for node in primary standby; do
  if [ -f "$dir/$node/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/$node" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
done
rm -rf "$dir"
