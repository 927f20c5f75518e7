#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests of the ASYNC pipeline path.
#
# The server listens on 127.0.0.1 only, on a free port, with its cluster in a
# new temporary directory owned by the `postgres` user. It has one database
# and one password-protected role, both named vdp101.
#
# Standard output carries only shell lines, for `eval "$(bash .ci/start-postgres.sh)"`:
#   export VDP101_TEST_POSTGRES_URL=postgresql://vdp101:PASSWORD@127.0.0.1:PORT/vdp101
#   export VDP101_TEST_POSTGRES_DATA=/tmp/vdp101-postgres.XXXXXX/data
# Stop the server with:
#   runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" \
#       -D "$VDP101_TEST_POSTGRES_DATA" -m fast stop
# Progress and errors go to standard error. Needs root (apt-get, runuser).
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }

find_bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir="$(find_bindir)"
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    log "PostgreSQL server binaries not found; installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    bindir="$(find_bindir)"
fi
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    log "initdb is still missing under /usr/lib/postgresql/*/bin after the install; check the apt-get output above"
    exit 1
fi
if ! id postgres >/dev/null 2>&1; then
    log "the postgres system user is missing; reinstall the postgresql-common package"
    exit 1
fi

python_bin="$(command -v python3 || true)"
if [[ -z "$python_bin" ]]; then
    log "python3 is needed to pick a free port and a password"
    exit 1
fi
port="$("$python_bin" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="$("$python_bin" -c 'import secrets; print(secrets.token_hex(12))')"

base="$(mktemp -d /tmp/vdp101-postgres.XXXXXX)"
chown postgres:postgres "$base"
chmod 700 "$base"

as_postgres() { runuser -u postgres -- "$@"; }

log "initialising a cluster in $base/data"
# Local socket connections (the superuser's setup below) are trusted; every
# TCP connection needs a password.
as_postgres "$bindir/initdb" -D "$base/data" -U postgres \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >"$base/initdb.log" 2>&1 || {
    log "initdb failed; its output:"
    cat "$base/initdb.log" >&2
    exit 1
}

log "starting the server on 127.0.0.1:$port"
as_postgres "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$base" start >&2 || {
    log "the server did not start; its log:"
    cat "$base/server.log" >&2
    exit 1
}

as_postgres "$bindir/psql" -h "$base" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE vdp101 LOGIN PASSWORD '$password';" \
    -c "CREATE DATABASE vdp101 OWNER vdp101;" >&2

log "ready; data directory $base/data"
echo "export VDP101_TEST_POSTGRES_URL=postgresql://vdp101:$password@127.0.0.1:$port/vdp101"
echo "export VDP101_TEST_POSTGRES_DATA=$base/data"
