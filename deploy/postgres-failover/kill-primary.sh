#!/usr/bin/env bash
# Usage: kill-primary.sh DIR
#
# The primary's machine dies: SIGKILL to its postmaster and every process it started, at once, so
# that no backend finishes a commit or says goodbye to its client. Prints the postmaster's pid.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: kill-primary.sh DIR"
dir=$1
pid=$(head -n 1 "$dir/primary/postmaster.pid" 2>/dev/null) || die "no postmaster.pid in $dir/primary"
# Stopped first, so that it forks no new backend between listing its children and killing them.
kill -STOP "$pid"
children=$(pgrep -P "$pid" || true)
# shellcheck disable=SC2086 # the children's pids are separate words
kill -KILL "$pid" $children
# A dead machine leaves its pid file behind; removed, so that nothing later signals a pid the
# system may have handed to another process.
rm -f "$dir/primary/postmaster.pid"
echo "$pid"
