#!/usr/bin/env bash
# Starts (and, as root, installs when missing) what the test suites need, on loopback only.
# The embedded SQLite store needs nothing; later suites add PostgreSQL, Redis and etcd here.
set -euo pipefail
missing=()
for tool in python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing build tools for better-sqlite3: ${missing[*]}; install with: apt-get install -y python3 make g++" >&2
  exit 2
fi
