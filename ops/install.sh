#!/usr/bin/env bash
# Installs a built smsproc tree as a systemd service (docs/deploy-systemd.md):
#   program   <prefix>  (default /opt/smsproc): dist/, sql/, docs/, node_modules/, package.json
#   config    /etc/smsproc: node.yaml and smsproc.env, written only when absent (yours are kept)
#   data      /var/lib/smsproc, runtime /run/smsproc (tmpfiles), owned by the system user smsproc
#   units     /etc/systemd/system/smsproc.service, /usr/lib/tmpfiles.d and /usr/lib/sysusers.d entries
#   command   /usr/local/bin/smsprocctl (reads /etc/smsproc like the service)
# Run it again to upgrade: the program is replaced, config and data are kept. It never starts the
# service unless asked (--enable). With --root DIR everything goes under DIR and nothing on the
# running system is touched (no user, no chown, no systemctl): for packaging and tests.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/install.sh [--root DIR] [--prefix DIR] [--node PATH] [--skip-node-modules] [--enable]
  --root DIR            install under DIR instead of / (a staging tree; the system is not touched)
  --prefix DIR          program folder (default /opt/smsproc)
  --node PATH           node binary the unit runs (default: `command -v node`)
  --skip-node-modules   do not copy node_modules (you run `npm ci --omit=dev` in the prefix yourself)
  --enable              systemctl enable --now smsproc (only with --root /)
USAGE
}

root=/
prefix=/opt/smsproc
node_bin=$(command -v node || true)
copy_modules=1
enable=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --node) node_bin=${2:?--node needs a path}; shift 2 ;;
    --skip-node-modules) copy_modules=0; shift ;;
    --enable) enable=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 2 ;; esac
[ -n "$node_bin" ] || { echo "install.sh: node not found; give --node /path/to/node (Node 20 or newer)" >&2; exit 2; }

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "$source_dir/dist/daemon/main.js" ] || { echo "install.sh: $source_dir is not built; run npm run build first" >&2; exit 2; }
if [ "$copy_modules" -eq 1 ] && [ ! -d "$source_dir/node_modules" ]; then
  echo "install.sh: $source_dir/node_modules is missing (npm ci --omit=dev), or give --skip-node-modules" >&2
  exit 2
fi

live=0
if [ "$root" = / ]; then
  live=1
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: installing on this system needs root (or give --root DIR)" >&2; exit 2; }
fi
staged() { printf '%s%s' "${root%/}" "$1"; }

# Program: copied to a new folder, then renamed into place, so an interrupted install never leaves half a program.
program=$(staged "$prefix")
mkdir -p "$(dirname "$program")"
next="$program.new.$$"
rm -rf "$next"
mkdir -p "$next"
cp -R "$source_dir/dist" "$source_dir/sql" "$source_dir/docs" "$source_dir/package.json" "$next/"
[ -f "$source_dir/package-lock.json" ] && cp "$source_dir/package-lock.json" "$next/"
if [ "$copy_modules" -eq 1 ]; then
  cp -RL "$source_dir/node_modules" "$next/node_modules"
elif [ -e "$program/node_modules" ]; then
  mv "$program/node_modules" "$next/node_modules"
fi
rm -rf "$program.old"
[ -e "$program" ] && mv "$program" "$program.old"
mv "$next" "$program"
rm -rf "$program.old"

# Config: kept when present.
etc=$(staged /etc/smsproc)
mkdir -p "$etc"
[ -f "$etc/node.yaml" ] || cp "$source_dir/systemd/node.yaml" "$etc/node.yaml"
[ -f "$etc/smsproc.env" ] || cp "$source_dir/systemd/smsproc.env" "$etc/smsproc.env"
chmod 0640 "$etc/node.yaml" "$etc/smsproc.env"

# Units: the service runs this node binary and this prefix.
mkdir -p "$(staged /etc/systemd/system)" "$(staged /usr/lib/tmpfiles.d)" "$(staged /usr/lib/sysusers.d)" "$(staged /usr/local/bin)"
sed -e "s#/usr/bin/node #$node_bin #" -e "s#/opt/smsproc/#$prefix/#g" "$source_dir/systemd/smsproc.service" > "$(staged /etc/systemd/system/smsproc.service)"
cp "$source_dir/systemd/smsproc.tmpfiles" "$(staged /usr/lib/tmpfiles.d/smsproc.conf)"
cp "$source_dir/systemd/smsproc.sysusers" "$(staged /usr/lib/sysusers.d/smsproc.conf)"
ctl=$(staged /usr/local/bin/smsprocctl)
cat > "$ctl" <<CTL
#!/bin/sh
# smsprocctl on an installed node: the service's environment and config (docs/smsprocctl.md).
set -a
[ -r /etc/smsproc/smsproc.env ] && . /etc/smsproc/smsproc.env
set +a
case " \$* " in *" --config "*) exec "$node_bin" "$prefix/dist/ops/smsprocctl/main.js" "\$@" ;; esac
exec "$node_bin" "$prefix/dist/ops/smsprocctl/main.js" --config /etc/smsproc/node.yaml "\$@"
CTL
chmod 0755 "$ctl"
mkdir -p "$(staged /var/lib/smsproc)"

if [ "$live" -eq 0 ]; then
  echo "installed under $root (staging: no user, ownership or systemctl changes)"
  exit 0
fi

# The system user, then ownership: config readable by the service, data its own.
if ! getent passwd smsproc >/dev/null; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers /usr/lib/sysusers.d/smsproc.conf
  else
    useradd --system --home-dir /var/lib/smsproc --shell /usr/sbin/nologin --user-group smsproc
  fi
fi
chown root:smsproc /etc/smsproc /etc/smsproc/node.yaml /etc/smsproc/smsproc.env
chmod 0750 /etc/smsproc
chown smsproc:smsproc /var/lib/smsproc
chmod 0750 /var/lib/smsproc
if command -v systemd-tmpfiles >/dev/null 2>&1; then systemd-tmpfiles --create /usr/lib/tmpfiles.d/smsproc.conf || true; fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$enable" -eq 1 ]; then systemctl enable --now smsproc; fi
fi
echo "installed: $prefix; config /etc/smsproc; data /var/lib/smsproc"
echo "next: edit /etc/smsproc/node.yaml, then: systemctl enable --now smsproc"
