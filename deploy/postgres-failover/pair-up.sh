#!/usr/bin/env bash
# Usage: pair-up.sh DIR PRIMARY_PORT STANDBY_PORT
#
# Two PostgreSQL clusters on 127.0.0.1 under DIR (created, must not exist yet or be empty): a
# primary on PRIMARY_PORT and a hot standby on STANDBY_PORT made from it with pg_basebackup,
# streaming synchronously: with synchronous_commit=on and synchronous_standby_names naming the
# standby, the primary acknowledges a commit only once the standby has flushed its WAL. Returns
# once the standby is attached as `sync`. Logs: DIR/primary.log, DIR/standby.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 3 ] || die "usage: pair-up.sh DIR PRIMARY_PORT STANDBY_PORT"
dir=$1 primary_port=$2 standby_port=$3
standby_name=earmark_standby

mkdir -p "$dir"
[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
chmod 700 "$dir"

as_postgres "$PG_BIN/initdb" -D "$dir/primary" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log"
cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$dir'
max_connections = 60
shared_buffers = 32MB
wal_level = replica
max_wal_senders = 4
wal_keep_size = 64MB
synchronous_commit = on
synchronous_standby_names = 'FIRST 1 ($standby_name)'
CONF
as_postgres "$PG_BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start >/dev/null

# -R writes standby.signal and primary_conninfo; the lines appended after it win. The standby must
# not wait for a standby of its own once promoted, or every commit would hang.
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/standby" -R -X stream --checkpoint=fast
cat >>"$dir/standby/postgresql.auto.conf" <<CONF
port = $standby_port
primary_conninfo = 'host=127.0.0.1 port=$primary_port user=postgres application_name=$standby_name'
synchronous_standby_names = ''
hot_standby = on
CONF
as_postgres "$PG_BIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 start >/dev/null

for _ in $(seq 1 300); do
  state=$(as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$primary_port" -U postgres -d postgres -Atc \
    "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$standby_name'" 2>/dev/null || true)
  if [ "$state" = sync ]; then
    echo "primary 127.0.0.1:$primary_port, synchronous standby 127.0.0.1:$standby_port"
    exit 0
  fi
  sleep 0.1
done
die "the standby did not attach as synchronous within 30 s (see $dir/standby.log)"
