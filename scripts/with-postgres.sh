#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on a free loopback port, and removes the
# cluster afterwards, however the command ends. The command sees SHOP_TEST_POSTGRES, a URL of
# the cluster's `postgres` database as a role that may create databases (one per test).
# Needs Debian's postgresql package (scripts/install-deps.sh installs it).
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
# Elsewhere (Homebrew, other distributions) the programs are on the PATH.
if [ -z "$pgbin" ] && command -v initdb >/dev/null; then
  pgbin=$(dirname "$(command -v initdb)")
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "PostgreSQL's server programs are missing (apt-get install postgresql)" >&2
  exit 1
fi

work=$(mktemp -d)
chmod 755 "$work"
mkdir "$work/pg"
# initdb refuses to run as root: the cluster then belongs to the distro's postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$work/pg"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_owner[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT

"${as_owner[@]}" "$pgbin/initdb" -D "$work/pg/data" -A trust -U inbox -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off" start >/dev/null

export SHOP_TEST_POSTGRES="postgres://inbox@127.0.0.1:$port/postgres"
echo "with-postgres: a throwaway cluster on 127.0.0.1:$port" >&2
"$@"
