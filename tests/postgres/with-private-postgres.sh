#!/usr/bin/env bash
# Runs a command next to a PostgreSQL server of its own, never touching a server that may
# already run on the machine.
#
#   tests/postgres/with-private-postgres.sh COMMAND [ARGS...]
#
# A fresh cluster is initdb'ed into a mktemp directory and served with no TCP at all: its only
# socket is in that directory (the port number only names the socket file). PostgreSQL refuses
# to run as root, so as root the cluster belongs to the Debian `postgres` account. COMMAND finds
#   EPURSE_TEST_POSTGRES       a libpq URI of the maintenance database, user postgres, trust auth
#   EPURSE_TEST_POSTGRES_DATA  the data directory (a test may stop and restart the server:
#                              pg_ctl -D "$EPURSE_TEST_POSTGRES_DATA" stop -m immediate / start)
#   EPURSE_TEST_POSTGRES_CTL   a command prefix that runs pg_ctl as the cluster's owner
# The server is stopped and the directory removed on every way out. fsync stays on (the
# default): the tests are about what survives, and a throwaway cluster is small. initdb itself
# runs --no-sync: a cluster that does not survive a crash of the machine is thrown away anyway.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
bindir=${EPURSE_POSTGRES_BINDIR:-}
if [[ -z "$bindir" ]]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/initdb" ]] && bindir=$candidate
  done
fi
[[ -n "$bindir" && -x "$bindir/initdb" ]] || {
  echo "error: no PostgreSQL server programs (initdb) found (apt-get install postgresql)" >&2
  exit 1
}

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "error: running as root and there is no postgres account" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

work=$(mktemp -d /tmp/epurse-postgres.XXXXXX)
data="$work/data"
log="$work/server.log"
started=0
cleanup() {
  local rc=$?
  if [[ $started == 1 ]]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [[ $rc -ne 0 && -s "$log" ]]; then
    echo "--- postgres log ---" >&2
    tail -n 30 "$log" >&2
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

chmod 0755 "$work"  # the cluster's owner must reach its data directory and socket
if [[ ${#as_owner[@]} -gt 0 ]]; then chown postgres: "$work"; fi
"${as_owner[@]}" "$bindir/initdb" -D "$data" --auth=trust -U postgres --no-sync -E UTF8 --locale=C >"$work/initdb.log" 2>&1 || {
  echo "error: initdb failed:" >&2
  cat "$work/initdb.log" >&2
  exit 1
}
port=$((20000 + RANDOM % 30000))
# The options in the cluster's own configuration, so a restart by a test (pg_ctl start) is
# the same server: no TCP, the socket only in $work.
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work'
port = $port
max_connections = 50
CONF
started=1
"${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null || {
  echo "error: the private postgres did not start" >&2
  exit 1
}
for _ in $(seq 1 100); do
  "$bindir/pg_isready" -q -h "$work" -p "$port" -U postgres && break
  sleep 0.1
done
"$bindir/pg_isready" -q -h "$work" -p "$port" -U postgres || { echo "error: the private postgres does not answer" >&2; exit 1; }

export EPURSE_TEST_POSTGRES="postgresql:///postgres?host=$work&port=$port&user=postgres"
export EPURSE_TEST_POSTGRES_DATA="$data"
export EPURSE_TEST_POSTGRES_CTL="${as_owner[*]} $bindir/pg_ctl -D $data -l $log -w"
set +e
"$@"
rc=$?
set -e
exit $rc
