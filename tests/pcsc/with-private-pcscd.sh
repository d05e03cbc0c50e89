#!/usr/bin/env bash
# Runs a command next to its own pcscd with the vpcd reader driver, never touching a pcscd that
# may already run on the machine.
#
#   tests/pcsc/with-private-pcscd.sh COMMAND [ARGS...]
#
# pcsc-lite 1.9.9's daemon always listens on /run/pcscd/pcscd.comm (only the client library
# reads PCSCLITE_CSOCK_NAME), so the daemon, COMMAND and everything it starts run in a private
# mount namespace with a tmpfs on /run/pcscd, in a private PID namespace so that nothing
# outlives the run, and in a private network namespace with only its own loopback: vpcd
# listens on every interface it sees (docs/security.md § 3), and here that is a loopback no other
# process on the machine can reach. vpcd listens on a free port pair PPPP, PPPP+1 (readers
# "… 00 00" and "… 00 01"); COMMAND finds PPPP in EPURSE_VPCD_PORT. The daemon's log is in
# EPURSE_PCSCD_LOG; a test that stops the daemon finds its PID in EPURSE_PCSCD_PID and starts
# another with `pcscd --foreground --config "$EPURSE_PCSCD_CONFIG"`.
set -euo pipefail

driver=${EPURSE_VPCD_DRIVER:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}

if [[ "${EPURSE_PRIVATE_PCSCD_INSIDE:-}" != 1 ]]; then
  if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
  fi
  command -v pcscd >/dev/null || { echo "error: pcscd is not installed (apt-get install pcscd)" >&2; exit 1; }
  [[ -e "$driver" ]] || { echo "error: no vpcd driver at $driver (apt-get install vsmartcard-vpcd)" >&2; exit 1; }
  if [[ $(id -u) -eq 0 ]]; then
    mkdir -p /run/pcscd  # the mount point; a fresh machine does not have it
    userns=()
  else
    [[ -d /run/pcscd ]] || { echo "error: /run/pcscd does not exist; create it once as root (mkdir -p /run/pcscd)" >&2; exit 1; }
    userns=(--user --map-root-user)
  fi
  export EPURSE_PRIVATE_PCSCD_INSIDE=1
  command -v ip >/dev/null || { echo "error: ip is not installed (apt-get install iproute2)" >&2; exit 1; }
  exec unshare "${userns[@]}" --mount --pid --net --fork --kill-child --mount-proc "$0" "$@"
fi

# Inside the namespaces from here on.
mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
ip link set lo up  # a new network namespace starts with its loopback down

port_in_use() {  # /proc/net/tcp* list local ports in hex after the address
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -qs -- "$hex" /proc/net/tcp /proc/net/tcp6
}
port=
for _ in $(seq 1 200); do
  candidate=$((20000 + 2 * (RANDOM % 15000)))
  if ! port_in_use "$candidate" && ! port_in_use $((candidate + 1)); then
    port=$candidate
    break
  fi
done
[[ -n "$port" ]] || { echo "error: found no free TCP port pair for vpcd" >&2; exit 1; }

work=$(mktemp -d /tmp/epurse-pcscd.XXXXXX)
mkdir "$work/reader.conf.d"
hexport=$(printf '0x%04X' "$port")
cat >"$work/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$hexport
LIBPATH      $driver
CHANNELID    $hexport
CONF

export EPURSE_PCSCD_LOG="$work/pcscd.log"
pcscd --foreground --config "$work/reader.conf.d" >"$EPURSE_PCSCD_LOG" 2>&1 &
pcscd_pid=$!
for _ in $(seq 1 100); do
  [[ -S /run/pcscd/pcscd.comm ]] && break
  kill -0 "$pcscd_pid" 2>/dev/null || { echo "error: pcscd exited at start:" >&2; cat "$EPURSE_PCSCD_LOG" >&2; exit 1; }
  sleep 0.1
done
[[ -S /run/pcscd/pcscd.comm ]] || { echo "error: pcscd did not open its socket in 10 s" >&2; exit 1; }

export EPURSE_VPCD_PORT=$port
export EPURSE_PCSCD_PID=$pcscd_pid
export EPURSE_PCSCD_CONFIG="$work/reader.conf.d"
set +e
"$@"
rc=$?
set -e
kill "$pcscd_pid" 2>/dev/null || true
wait "$pcscd_pid" 2>/dev/null || true
if [[ $rc -ne 0 && -s "$EPURSE_PCSCD_LOG" ]]; then
  echo "--- pcscd log ---" >&2
  tail -n 30 "$EPURSE_PCSCD_LOG" >&2
fi
rm -rf "$work"
exit $rc
