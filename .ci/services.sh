#!/usr/bin/env bash
# Start the services the tests need and print the environment for them.
#
#   eval "$(bash .ci/services.sh)"        # start (or find running) PostgreSQL, export its URL
#   bash .ci/services.sh stop             # stop the throwaway server and delete its files
#
# PostgreSQL: a throwaway cluster (fsync off, nothing worth keeping) in $MOATLAB_PG_DIR
# (default /tmp/moatlab-pg), listening on 127.0.0.1:$MOATLAB_PG_PORT (default 55432) with its
# unix socket in the same folder, a database "moatlab_test" owned by a password-authenticated
# user "moatlab". Installs Debian's postgresql package first when no initdb is found.
# Runs as root (CI) or as the postgres user. Idempotent: when the server is already up it only
# makes sure the user and database exist and prints the export line.
#
# Only the export line goes to stdout; everything else goes to stderr.
set -euo pipefail

exec 3>&1 1>&2

PG_DIR="${MOATLAB_PG_DIR:-/tmp/moatlab-pg}"
PG_PORT="${MOATLAB_PG_PORT:-55432}"
PG_DB="moatlab_test"
PG_USER="moatlab"
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"

log() { echo "services.sh: $*"; }

find_bindir() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$initdb"
}

# Run a command as the postgres user (directly when we already are that user).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

BIN=$(find_bindir || true)
if [ "${1:-}" = "stop" ]; then
    if [ -n "$BIN" ] && [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop || true
    fi
    rm -rf "$PG_DIR"
    log "stopped and removed $PG_DIR"
    exit 0
fi

if [ -z "$BIN" ]; then
    if [ "$(id -u)" != 0 ]; then
        log "PostgreSQL is not installed and installing it needs root"
        exit 1
    fi
    log "installing PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q postgresql
    BIN=$(find_bindir || true)
    if [ -z "$BIN" ]; then
        log "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found"
        exit 1
    fi
fi

if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

# A cluster with a password for the test user, kept with it so a second run prints the same URL.
if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initialising a throwaway cluster in $PG_DIR ($("$BIN/postgres" --version))"
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR"
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PG_DIR/password"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log"
        exit 1
    }
fi
PASSWORD=$(cat "$PG_DIR/password")

if as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
else
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        log "port $PG_PORT is taken by another server; set MOATLAB_PG_PORT to a free port"
        exit 1
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # 3>&-: the server must not hold the caller's stdout, or "$(bash services.sh)" never returns.
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" 3>&- || {
        cat "$LOG" || true
        exit 1
    }
fi

psql_admin() {
    as_pg "$BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != 1 ]; then
    psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
fi

# Prove the password works over TCP before handing out the URL.
PGPASSWORD="$PASSWORD" "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -qAt \
    -c "SELECT 1" >/dev/null
log "PostgreSQL ready: database $PG_DB, user $PG_USER"

echo "export MOATLAB_TEST_DATABASE_URL=postgresql+psycopg://$PG_USER:$PASSWORD@127.0.0.1:$PG_PORT/$PG_DB" >&3
