#!/usr/bin/env bash
# Restore drill: restores a pg_dump of the Chorus database into a new scratch database, runs the integrity
# checks (restore-checks.sql), compares table counts and each chat's sequence with the source when there is
# one, and drops the scratch database again.
#
#   deploy/scripts/restore-drill.sh --admin-url URL (--source-url URL | --dump FILE) [--keep]
#
#   --admin-url URL   a server where the scratch database may be created (CREATE DATABASE), as a
#                     postgres://user:password@host:port/database URL; the scratch database lives there
#   --source-url URL  the database to dump and compare with: a point-in-time clone, not a live primary
#                     (counts taken while it is written to would differ)
#   --dump FILE       restore this pg_dump --format=custom file instead of dumping now
#   --keep            keep the scratch database for a look afterwards
#
# Needs pg_dump, pg_restore and psql of the server's major version or newer. Exit code 0: restored and every
# check passed; 1: a check failed; 2: wrong usage or a step (dump, restore) failed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
admin_url="${ADMIN_DATABASE_URL:-}"
source_url="${SOURCE_DATABASE_URL:-}"
dump=""
keep=false

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --admin-url) admin_url="${2:-}"; shift 2 ;;
    --source-url) source_url="${2:-}"; shift 2 ;;
    --dump) dump="${2:-}"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
if [ -z "$admin_url" ] || { [ -z "$source_url" ] && [ -z "$dump" ]; }; then
  usage
fi
for tool in pg_dump pg_restore psql; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (Debian: apt-get install postgresql-client)" >&2; exit 2; }
done

# The newest migration this checkout knows is the schema version the restored database must have.
expected_schema="$(find "$here/../../shared-model/src/main/resources/db/migration" -name 'V*__*.sql' -printf '%f\n' \
  | sed 's/^V\([0-9]*\)__.*/\1/' | sort -n | tail -1)"

scratch="chorus_restore_drill_$(date +%Y%m%d%H%M%S)_$$"
# The same server and credentials as the admin URL, with the scratch database's name instead.
base="${admin_url%%\?*}"
query=""
if [ "$base" != "$admin_url" ]; then query="?${admin_url#*\?}"; fi
scratch_url="${base%/*}/${scratch}${query}"

workdir="$(mktemp -d)"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ "$keep" = false ]; then
    psql "$admin_url" -X -q -c "DROP DATABASE IF EXISTS \"$scratch\"" >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

step() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

if [ -z "$dump" ]; then
  dump="$workdir/chorus.dump"
  step "dumping the source"
  pg_dump --format=custom --no-owner --no-privileges --file "$dump" "$source_url" || exit 2
fi
step "restoring $(du -h "$dump" | cut -f1) into scratch database $scratch"
psql "$admin_url" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$scratch\"" || exit 2
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$scratch_url" "$dump" || exit 2

step "integrity checks"
# pipefail: a failed check (psql's exit code) fails the pipeline, whatever sed does.
if ! psql "$scratch_url" -X -q -v ON_ERROR_STOP=1 -v expected_schema="$expected_schema" \
    -f "$here/restore-checks.sql" 2>&1 | sed -e 's/^psql:[^ ]* NOTICE: *//' -e 's/^NOTICE: *//' -e 's/^/  /'; then
  status=1
else
  status=0
fi

counts() {
  psql "$1" -X -A -t -v ON_ERROR_STOP=1 <<'SQL'
SELECT table_name || ' ' || (xpath('/row/c/text()',
         query_to_xml(format('SELECT count(*) AS c FROM public.%I', table_name), false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
 ORDER BY table_name;
SQL
}
sequences() {
  psql "$1" -X -A -t -v ON_ERROR_STOP=1 \
    -c "SELECT chat_id || ' ' || count(*) || ' ' || min(seq) || ' ' || max(seq) || ' ' || sum(seq)
          FROM messages GROUP BY chat_id ORDER BY chat_id"
}

step "table counts"
counts "$scratch_url" > "$workdir/restored-counts"
sed 's/^/  /' "$workdir/restored-counts"
if [ -n "$source_url" ]; then
  counts "$source_url" > "$workdir/source-counts"
  if diff -u "$workdir/source-counts" "$workdir/restored-counts" > "$workdir/counts.diff"; then
    echo "  ok   every table has as many rows as the source's"
  else
    echo "  FAIL table counts differ from the source's:"
    sed 's/^/    /' "$workdir/counts.diff"
    status=1
  fi
  sequences "$source_url" > "$workdir/source-sequences"
  sequences "$scratch_url" > "$workdir/restored-sequences"
  if diff -q "$workdir/source-sequences" "$workdir/restored-sequences" >/dev/null; then
    echo "  ok   every chat's sequence is the source's ($(wc -l < "$workdir/restored-sequences") chats)"
  else
    echo "  FAIL chats whose sequence differs from the source's (chat, entries, first, last, sum):"
    diff "$workdir/source-sequences" "$workdir/restored-sequences" | sed 's/^/    /' | head -20
    status=1
  fi
fi

if [ "$status" = 0 ]; then
  step "restore drill passed"
else
  step "restore drill FAILED"
fi
exit "$status"
