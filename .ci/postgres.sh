#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the store tests and prints the
# DSN they read from SCEAU_TEST_POSTGRES. It never touches a system-wide
# cluster: the data, the socket and the log live in one directory of its own,
# the server listens on 127.0.0.1 on a free port, and `stop` removes it all.
#
#   eval "$(.ci/postgres.sh)"          # start (or reuse), export SCEAU_TEST_POSTGRES
#   .ci/postgres.sh start ENVFILE      # also append SCEAU_TEST_POSTGRES=… to ENVFILE
#   .ci/postgres.sh stop               # stop the server and delete the directory
#
# Running it again while the cluster runs reuses it (same DSN). On a Debian
# machine without PostgreSQL it installs the `postgresql` package (as root).
# Progress goes to stderr; stdout carries only the export line.
# Environment: SCEAU_PG_DIR (default /tmp/sceau-ci-postgres).
set -euo pipefail

dir="${SCEAU_PG_DIR:-/tmp/sceau-ci-postgres}"
db=sceau_test
role=sceau
cmd=start
if [ "${1:-}" = start ] || [ "${1:-}" = stop ]; then cmd=$1; shift; fi
envfile="${1:-}"

log() { echo "postgres.sh: $*" >&2; }

# find_bindir prints the directory holding initdb and pg_ctl: the newest
# Debian versioned directory, else whatever is on PATH.
find_bindir() {
  local best
  # Version directories sort by number (16 after 9), the fifth /-field.
  best=$(for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
  done | sort -t/ -k5,5n | tail -n1)
  if [ -z "$best" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    best=$(dirname "$(readlink -f "$(command -v initdb)")")
  fi
  echo "$best"
}

# As root, the server runs as a user of its own: PostgreSQL refuses root.
run_as=""
if [ "$(id -u)" = 0 ]; then run_as=postgres; fi
as_owner() {
  if [ -n "$run_as" ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi
}

bindir=$(find_bindir)

if [ "$cmd" = stop ]; then
  if [ -n "$bindir" ] && [ -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
  exit 0
fi

if [ -z "$bindir" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"; exit 1
  fi
  log "installing PostgreSQL (Debian package postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  bindir=$(find_bindir)
  [ -n "$bindir" ] || { log "PostgreSQL installed but initdb not found"; exit 1; }
fi
if [ -n "$run_as" ] && ! id "$run_as" >/dev/null 2>&1; then
  log "creating system user $run_as to own the cluster"
  useradd --system --home-dir "$dir" --shell /usr/sbin/nologin "$run_as"
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() { [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

if [ ! -f "$dir/data/PG_VERSION" ]; then
  log "creating a cluster in $dir with $bindir"
  rm -rf "$dir"
  mkdir -p "$dir/socket"
  # A random password: the port is on loopback, but other local users exist.
  head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
  [ -z "$run_as" ] || chown -R "$run_as" "$dir"
  chmod 700 "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U "$role" --pwfile="$dir/password" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
fi

if ! running; then
  port=""
  if [ -f "$dir/port" ] && ! port_in_use "$(cat "$dir/port")"; then port=$(cat "$dir/port"); fi
  if [ -z "$port" ]; then
    for p in $(seq 54329 54429); do
      if ! port_in_use "$p"; then port=$p; break; fi
    done
  fi
  [ -n "$port" ] || { log "no free port in 54329-54429"; exit 1; }
  echo "$port" >"$dir/port"
  log "starting PostgreSQL on 127.0.0.1:$port"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c max_connections=200" start >&2 ||
    { tail -n 30 "$dir/server.log" >&2; exit 1; }
fi
port=$(cat "$dir/port")
password=$(cat "$dir/password")

psql_local() { as_owner "$bindir/psql" -X -q -h "$dir/socket" -p "$port" -U "$role" -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_local -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  log "creating database $db"
  psql_local -c "CREATE DATABASE $db"
fi

dsn="postgres://$role:$password@127.0.0.1:$port/$db?sslmode=disable"
if [ -n "$envfile" ]; then echo "SCEAU_TEST_POSTGRES=$dsn" >>"$envfile"; fi
echo "export SCEAU_TEST_POSTGRES='$dsn'"
