#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests (internal/store/postgres).
#
#   eval "$(.ci/postgres.sh start)"   # installs PostgreSQL if missing, starts the cluster,
#                                     # prints: export BLASON_TEST_POSTGRES=postgres://...
#   .ci/postgres.sh stop              # stops the cluster and deletes its directory
#   .ci/postgres.sh status
#
# The cluster lives in $BLASON_PG_DIR (default: ${TMPDIR:-/tmp}/blason-ci-postgres-$PORT),
# listens on 127.0.0.1:$BLASON_PG_PORT (default 55432) and on a unix socket in that
# directory, and trusts every local connection: it is for tests only. Running "start"
# again while it runs just prints the export line. As root (CI), the cluster runs as the
# "postgres" user, because initdb refuses to run as root. Diagnostics go to stderr; only
# the export line goes to stdout.
set -euo pipefail

PORT="${BLASON_PG_PORT:-55432}"
DIR="${BLASON_PG_DIR:-${TMPDIR:-/tmp}/blason-ci-postgres-$PORT}"
DB="${BLASON_PG_DB:-blason_test}"
DSN="postgres://postgres@127.0.0.1:$PORT/$DB?sslmode=disable"

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return 0
  fi
  return 1
}

ensure_installed() {
  if bindir >/dev/null; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL server binaries not found, and not root: install the 'postgresql' package"; exit 1
  fi
  log "installing postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # policy-rc.d 101: do not start the distribution's own cluster during install.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends postgresql >&2
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
  bindir >/dev/null || { log "postgresql installed but initdb/pg_ctl not found"; exit 1; }
}

# as_owner runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  local bin; bin="$(bindir)" || return 1
  [ -f "$DIR/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  ensure_installed
  local bin; bin="$(bindir)"
  if running; then
    log "already running in $DIR"
    echo "export BLASON_TEST_POSTGRES='$DSN'"
    return 0
  fi
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
    log "port $PORT is taken by another server; set BLASON_PG_PORT"; exit 1
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/sock"
  chmod 700 "$DIR"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
    chown -R postgres: "$DIR"
  fi
  log "initdb in $DIR/data ($bin)"
  as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  log "starting on 127.0.0.1:$PORT"
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/sock -c max_connections=200" start >&2 \
    || { cat "$DIR/postgres.log" >&2; exit 1; }
  local i
  for i in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 0.5
  done
  "$bin/pg_isready" -h 127.0.0.1 -p "$PORT" >&2 || { cat "$DIR/postgres.log" >&2; exit 1; }
  as_owner "$bin/psql" -h "$DIR/sock" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE DATABASE $DB" >&2
  log "ready: $DSN"
  echo "export BLASON_TEST_POSTGRES='$DSN'"
}

stop() {
  local bin
  if bin="$(bindir)" && [ -f "$DIR/data/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$DIR"
  log "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if running; then log "running in $DIR: $DSN"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
