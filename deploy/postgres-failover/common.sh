# Shared by the pair's scripts: where PostgreSQL's tools are, and running them as the `postgres`
# user when started as root (initdb and postgres refuse to run as root).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}
