#!/usr/bin/env bash
# Installs the Debian 12 packages epurse needs that are missing; does nothing when all are there.
set -euo pipefail

packages=(
  cmake g++ make pkg-config              # build
  clang libclang-rt-14-dev               # the clang build and libFuzzer (CI builds with both compilers)
  libssl-dev libpcsclite-dev libcli11-dev  # OpenSSL 3, PC/SC client, command lines
  nlohmann-json3-dev                     # --json output
  libsqlite3-dev                         # the issuer's ledger (SQLite)
  postgresql libpq-dev                   # the ledger on PostgreSQL: a private test server, libpq
  libboost-test-dev                      # Boost.Test
  pcscd vsmartcard-vpcd                  # the PC/SC daemon and the virtual reader driver
  opensc pcsc-tools                      # other PC/SC clients the end-to-end tests use
  python3-pyscard                        # the interop test: a PC/SC client in Python
  util-linux mount iproute2              # unshare, mount, ip: the private pcscd
  chromium                               # report_browser_test renders the issuer report page
  valgrind                               # pin_timing_test counts VERIFY's instructions (callgrind)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
