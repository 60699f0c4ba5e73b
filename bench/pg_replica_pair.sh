#!/usr/bin/env bash
# A PostgreSQL primary and a streaming replica of it, both throw-away, on this machine, for
# `bench/pages_load_bench.py` with DATABASE_REPLICA_URL (docs/scaling.md):
#
#   bench/pg_replica_pair.sh start [DIR]   primary on 127.0.0.1:5440, replica on 127.0.0.1:5441
#   bench/pg_replica_pair.sh stop  [DIR]   stops both and deletes DIR
#
# Uses Debian's PostgreSQL binaries (the version of the machine's server); runs them as the postgres
# user, since initdb refuses root. Both allow any local connection without a password: never expose.
set -euo pipefail
action="${1:?start or stop}"
dir="${2:-/tmp/cchc-replica-pair}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
start)
  mkdir -p "$dir" && chown postgres "$dir" 2>/dev/null || true
  as_pg "$bin/initdb" -D "$dir/primary" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$dir/primary/postgresql.conf" <<CONF
port = 5440
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 256MB
CONF
  echo "host replication all 127.0.0.1/32 trust" >> "$dir/primary/pg_hba.conf"
  as_pg "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
  # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
  as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p 5440 -U postgres -D "$dir/replica" -R -X stream
  sed -i -e 's/^port = 5440/port = 5441/' "$dir/replica/postgresql.conf"
  as_pg "$bin/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w start >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p 5440 -U postgres -Atc \
    "SELECT 'replica streaming: ' || application_name || ' ' || state FROM pg_stat_replication"
  echo "primary postgres://postgres@127.0.0.1:5440/postgres, replica postgres://postgres@127.0.0.1:5441/postgres"
  ;;
stop)
  for node in replica primary; do
    [ -d "$dir/$node" ] && as_pg "$bin/pg_ctl" -D "$dir/$node" -m fast -w stop >/dev/null || true
  done
  rm -rf "$dir"
  ;;
*) echo "start or stop" >&2; exit 2 ;;
esac
