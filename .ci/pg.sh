#!/usr/bin/env bash
# Makes a throwaway PostgreSQL server available on 127.0.0.1 for the tests
# of connectors/postgres and prints, on stdout, the one line
#
#   export TIDE_TEST_PG_DSN=postgres://postgres@127.0.0.1:PORT/tide_test?sslmode=disable
#
# so that a caller can do:  eval "$(bash .ci/pg.sh)"
# Everything else goes to stderr. Running it again reuses the server it
# started earlier if that one is still up. `bash .ci/pg.sh stop` stops it.
#
# The cluster lives in $TIDE_PG_DIR (default /tmp/tide-pg-$UID), listens on
# 127.0.0.1 only, trusts every local connection and runs with fsync off: it
# is for tests, never for data anyone wants to keep.
set -euo pipefail

log() { echo "pg.sh: $*" >&2; }
die() { log "$*"; exit 1; }

dir=${TIDE_PG_DIR:-${TMPDIR:-/tmp}/tide-pg-$(id -u)}
data=$dir/data
portfile=$dir/port
db=tide_test

find_bin() {
	local b
	if b=$(command -v pg_ctl 2>/dev/null) && [ -x "$(dirname "$b")/initdb" ]; then
		dirname "$(readlink -f "$b")"
		return 0
	fi
	for b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$b/pg_ctl" ] && [ -x "$b/initdb" ]; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

bindir=$(find_bin || true)
if [ -z "$bindir" ]; then
	[ "$(id -u)" = 0 ] || die "pg_ctl/initdb not found and not root: install PostgreSQL (apt-get install postgresql)"
	log "installing PostgreSQL (apt-get install postgresql)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y --no-install-recommends postgresql >&2
	bindir=$(find_bin) || die "pg_ctl/initdb still not found after installing postgresql"
fi

# as_pg runs a command as the user that owns the cluster: postgres when we
# are root (PostgreSQL refuses to run as root), else ourselves.
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /bin/bash postgres
	as_pg() {
		if command -v runuser >/dev/null; then
			runuser -u postgres -- "$@"
		else
			su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
		fi
	}
else
	as_pg() { "$@"; }
fi

running() {
	[ -f "$portfile" ] && [ -f "$data/postmaster.pid" ] &&
		as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
		"$bindir/pg_isready" -q -h 127.0.0.1 -p "$(cat "$portfile")" >/dev/null 2>&1
}

if [ "${1:-}" = stop ]; then
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2 || true
	fi
	exit 0
fi

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

if running; then
	port=$(cat "$portfile")
	log "reusing the server on 127.0.0.1:$port ($data)"
else
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	log "initdb $data ($bindir)"
	as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	port=
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		if port_free "$p"; then
			port=$p
			break
		fi
	done
	[ -n "$port" ] || die "no free port found"
	as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100" \
		start >&2 || { tail -n 30 "$dir/server.log" >&2 || true; die "pg_ctl start failed"; }
	echo "$port" >"$portfile"
	log "started PostgreSQL on 127.0.0.1:$port ($data)"
fi

for _ in $(seq 1 60); do
	"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && break
	sleep 0.5
done
"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" || die "server on 127.0.0.1:$port is not ready"

psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
if [ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
	"${psql[@]}" -d postgres -c "CREATE DATABASE $db" >&2
fi

echo "export TIDE_TEST_PG_DSN='postgres://postgres@127.0.0.1:$port/$db?sslmode=disable'"
