# Sourced by .ci/run: starts a throwaway PostgreSQL on 127.0.0.1 as the postgres user (initdb refuses root),
# exports DATABASE_URL, and stops and deletes it when the calling shell exits.
PGBIN=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)")
id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
PGPORT=${PGPORT:-54329}
PGTMP=$(mktemp -d /tmp/pgci.XXXXXX)
chmod 755 "$PGTMP"
chown postgres: "$PGTMP"
pg_down() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap pg_down EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$PGTMP/initdb.log" 2>&1 || { cat "$PGTMP/initdb.log"; exit 1; }
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$PGTMP/server.log"; exit 1; }
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
echo "throwaway PostgreSQL at $DATABASE_URL ($PGBIN)"
