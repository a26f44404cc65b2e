#!/usr/bin/env bash
# Usage: kill-primary.sh DIR
#
# The primary's machine dies: SIGKILL to its postmaster and every process it started, at once, so
# that no backend finishes a commit or says goodbye to its client. Prints the postmaster's pid and
# two times in milliseconds since the epoch: just before the signals and just after them (the kill
# happened between the two).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: kill-primary.sh DIR"
dir=$1
pid=$(head -n 1 "$dir/primary/postmaster.pid" 2>/dev/null) || die "no postmaster.pid in $dir/primary"
children=$(pgrep -P "$pid" || true)
# One builtin call signals them all; the times around it come from bash itself (no fork), so the two
# lie close around the kill. A backend forked after the listing sees the postmaster gone and exits;
# it cannot acknowledge a commit, since the WAL senders the synchronous commit waits on are dead.
before_ms=$(( ${EPOCHREALTIME/./} / 1000 ))
# A child that ended by itself since the listing makes kill fail for its pid alone.
# shellcheck disable=SC2086 # the children's pids are separate words
kill -KILL "$pid" $children 2>/dev/null || true
after_ms=$(( ${EPOCHREALTIME/./} / 1000 ))
# A dead machine leaves its pid file behind; removed, so that nothing later signals a pid the
# system may have handed to another process.
rm -f "$dir/primary/postmaster.pid"
echo "$pid $before_ms $after_ms"
