#!/usr/bin/env bash
# Starts (and, as root, installs when missing) what the test suites need, on loopback only.
# The embedded SQLite store needs nothing; later suites add PostgreSQL, Redis and etcd here.
set -euo pipefail
missing=()
for tool in python3 make g++ openssl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    # better-sqlite3's native build needs python3, make and g++; the TLS tests make certificates with openssl.
    echo "missing: ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

# tshark and text2pcap: the SMPP codec is cross-checked against Wireshark's SMPP dissector.
if ! command -v tshark >/dev/null 2>&1 || ! command -v text2pcap >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark; }
  else
    echo "missing tshark (SMPP codec cross-check); install with:" >&2
    echo "  echo 'wireshark-common wireshark-common/install-setuid boolean false' | sudo debconf-set-selections && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y tshark" >&2
    exit 2
  fi
fi

# etcd (the cluster tests start their own three-member cluster from /usr/bin/etcd) and redis-server
# (the Redis limiter tests start their own server): installed only, each test picks its own ports.
for pair in etcd:etcd-server redis-server:redis-server; do
  tool=${pair%%:*} package=${pair#*:}
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/bin/$tool" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; }
    else
      echo "missing $tool; install with: sudo apt-get install -y $package" >&2
      exit 2
    fi
  fi
done

# systemd-notify (the daemon's readiness and watchdog tests) and systemd-analyze (verify of systemd/smsproc.service).
if ! command -v systemd-notify >/dev/null 2>&1 || ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd; }
  else
    echo "missing systemd-notify/systemd-analyze; install with: sudo apt-get install -y systemd" >&2
    exit 2
  fi
fi

# chromium: the web pages are tested in headless Chromium (test/browser, driven by playwright-core).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
  else
    echo "missing /usr/bin/chromium (browser tests); install with: sudo apt-get install -y chromium" >&2
    exit 2
  fi
fi

# PostgreSQL: the postgres Store adapter's tests (test/storage/postgres.test.ts) connect as postgres
# over 127.0.0.1 without a password, unless SMSPROC_TEST_PG_URL names another server.
if [ -z "${SMSPROC_TEST_PG_URL:-}" ]; then
  pg_url='postgres://postgres@127.0.0.1:5432/postgres'
  if [ "$(id -u)" -eq 0 ]; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      apt-get install -y -qq postgresql >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
    fi
    pg_version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    pg_hba="/etc/postgresql/${pg_version}/main/pg_hba.conf"
    # Debian's default asks for a password over TCP; the tests' own login is trusted on loopback only.
    if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$pg_hba"; then
      sed -i '1i host all postgres 127.0.0.1/32 trust' "$pg_hba"
      pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload 2>/dev/null || true
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
      pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! psql -w -Atq "$pg_url" -c 'SELECT 1' >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable at $pg_url: its tests will say they did not run (run this script as root to install and start it)" >&2
  fi
fi
