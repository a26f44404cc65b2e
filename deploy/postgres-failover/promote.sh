#!/usr/bin/env bash
# Usage: promote.sh DIR
#
# Promotes the standby to primary and returns once it accepts writes.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: promote.sh DIR"
as_postgres "$PG_BIN/pg_ctl" -D "$1/standby" -w -t 60 promote >/dev/null
