#!/usr/bin/env bash
# Installs what building and testing smsproc needs on Debian: Node.js 20 or newer and the C++ build
# tools for better-sqlite3's native module. As root it installs missing Debian packages; otherwise it
# says exactly what to install.
set -euo pipefail
need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
node_major=0
if command -v node >/dev/null 2>&1; then node_major=$(node -p 'process.versions.node.split(".")[0]'); fi
if [ "$node_major" -lt 20 ]; then
  echo "smsproc needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Debian 12's own nodejs is 18: install Node 20 from NodeSource or nvm, then run this again." >&2
  exit 2
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "missing: ${need_apt[*]}; install with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 2
  fi
fi
