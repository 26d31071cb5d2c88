#!/usr/bin/env bash
# Restore an Aegis backup (aegis-backup.sh's .dump.age or .dump.gpg) into a NEW database.
#
#   RESTORE_DATABASE_URL=postgresql://postgres@db:5432/aegis_restored \
#   AGE_IDENTITY_FILE=/secure/aegis-backup.key \
#       deploy/backup/aegis-restore.sh /var/backups/aegis/aegis-20261206T020000.000Z.dump.age
#
# Steps, each stopping the restore with a clear line when it fails:
#   1. decrypt the whole file to nowhere: a wrong key or passphrase, or a damaged or
#      truncated file, is found before the server is touched;
#   2. CREATE DATABASE (it must not exist: a restore never overwrites a database);
#   3. decrypt | pg_restore --single-transaction --exit-on-error --no-owner --no-privileges
#      (all or nothing; objects owned by the restoring user); on failure the new database is
#      dropped again;
#   4. `aegis db migrate` on it: "schema is up to date" for a dump of this release, or the
#      migrations an older dump lacks, applied.
# Then point a core at it (DATABASE_URL) and run `aegis audit verify`: the hash chains of the
# audit trail must be intact.
#
# Environment:
#   RESTORE_DATABASE_URL    the database to create (postgresql://user[:password]@host:port/db);
#                           the user needs CREATEDB. Its password goes to PGPASSWORD.
#   AGE_IDENTITY_FILE       for .age: the age identity (private key) file
#   BACKUP_PASSPHRASE_FILE  for .gpg: a file holding the passphrase (first line), or
#   BACKUP_PASSPHRASE       the passphrase itself
#   RESTORE_ADMIN_DATABASE  the database to connect to for CREATE DATABASE (default postgres)
#   AEGIS                   the aegis command (default: aegis on PATH, else the checkout's .venv)
#   PG_BIN                  folder of pg_restore and psql (as aegis-backup.sh)
# Exit: 0 restored, 1 failed, 2 bad settings, 3 cannot decrypt.
set -euo pipefail
umask 077

PROG="aegis-restore"
say() { echo "$PROG: $*" >&2; }
die() {
    say "$2"
    exit "$1"
}
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/backup/common.sh
source "$HERE/common.sh"

(($# == 1)) || die 2 "usage: $PROG BACKUP_FILE (with RESTORE_DATABASE_URL set)"
FILE="$1"
[[ -r "$FILE" ]] || die 2 "cannot read $FILE"
[[ -n "${RESTORE_DATABASE_URL:-}" ]] || die 2 "RESTORE_DATABASE_URL is not set"

case "$FILE" in
*.age)
    command -v age >/dev/null || die 2 "age is not installed (apt-get install age)"
    [[ -r "${AGE_IDENTITY_FILE:-}" ]] || die 2 "AGE_IDENTITY_FILE must name a readable age identity file for $FILE"
    decrypt() { age --decrypt --identity "$AGE_IDENTITY_FILE" "$FILE"; }
    ;;
*.gpg)
    command -v gpg >/dev/null || die 2 "gpg is not installed (apt-get install gnupg)"
    [[ -n "${BACKUP_PASSPHRASE_FILE:-}${BACKUP_PASSPHRASE:-}" ]] ||
        die 2 "BACKUP_PASSPHRASE_FILE or BACKUP_PASSPHRASE must be set for $FILE"
    read_passphrase || exit 2
    decrypt() { gpg_symmetric --decrypt <"$FILE"; }
    ;;
*) die 2 "$FILE: not an aegis-backup file (.dump.age or .dump.gpg)" ;;
esac
trap cleanup_gpg EXIT

PG_RESTORE="$(pg_tool pg_restore)" || die 2 "pg_restore not found: install postgresql-client or set PG_BIN"
PSQL="$(pg_tool psql)" || die 2 "psql not found: install postgresql-client or set PG_BIN"
if [[ -n "${AEGIS:-}" ]]; then
    AEGIS_CMD="$AEGIS"
elif command -v aegis >/dev/null; then
    AEGIS_CMD="$(command -v aegis)"
elif [[ -x "$HERE/../../.venv/bin/aegis" ]]; then
    AEGIS_CMD="$HERE/../../.venv/bin/aegis"
else
    die 2 "the aegis command is not found (needed for 'aegis db migrate'); set AEGIS"
fi

split_database_url "$RESTORE_DATABASE_URL"
TARGET_URL="$PG_URL"
[[ "$TARGET_URL" =~ ^([^?]*/)([^/?]+)(\?.*)?$ ]] || die 2 "RESTORE_DATABASE_URL names no database"
DB_NAME="$(printf '%b' "${BASH_REMATCH[2]//%/\\x}")"
ADMIN_URL="${BASH_REMATCH[1]}${RESTORE_ADMIN_DATABASE:-postgres}${BASH_REMATCH[3]}"

# 1. The whole file decrypts (and authenticates) with this key.
errors="$(mktemp)"
trap 'rm -f "$errors"; cleanup_gpg' EXIT
if ! decrypt >/dev/null 2>"$errors"; then
    say "cannot decrypt $FILE: wrong key or passphrase, or a damaged file. Nothing was restored."
    sed 's/^/    /' "$errors" >&2
    exit 3
fi

admin_sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 --dbname="$ADMIN_URL" -c "$1"; }
quoted="\"${DB_NAME//\"/\"\"}\""

# 2. A new database, never an existing one.
admin_sql "CREATE DATABASE $quoted" >/dev/null 2>"$errors" || {
    say "cannot create database $DB_NAME (a restore goes into a new database):"
    sed 's/^/    /' "$errors" >&2
    exit 1
}

# 3. All or nothing.
if ! decrypt | "$PG_RESTORE" --single-transaction --exit-on-error --no-owner --no-privileges \
    --dbname="$TARGET_URL"; then
    admin_sql "DROP DATABASE IF EXISTS $quoted" >/dev/null 2>&1 || true
    die 1 "pg_restore failed (above); database $DB_NAME dropped again"
fi

# 4. The schema matches this release's migrations.
if ! migrated="$(DATABASE_URL="$TARGET_URL" "$AEGIS_CMD" db migrate)"; then
    die 1 "restored into $DB_NAME, but 'aegis db migrate' failed (above)"
fi
rows="$("$PSQL" -X -q -At --dbname="$TARGET_URL" -c 'SELECT count(*) FROM audit_logs')"
echo "$PROG: restored $FILE into $DB_NAME: $rows audit rows; migrations: $migrated"
echo "$PROG: next: start a core with DATABASE_URL on $DB_NAME and run 'aegis audit verify'"
