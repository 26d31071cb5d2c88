#!/usr/bin/env bash
# Back up Aegis's PostgreSQL database: pg_dump -Fc, encrypted, kept N deep. Cron-ready:
# silent on success, one line per problem on standard error and a non-zero exit otherwise.
#
#   0 2 * * *  aegis  /opt/aegis/deploy/backup/aegis-backup.sh   (see crontab.example)
#
# Environment:
#   DATABASE_URL            the database to dump (postgresql://user[:password]@host:port/db);
#                           a password in it is moved to PGPASSWORD, never onto pg_dump's
#                           command line (ps shows that). PGPASSFILE/~/.pgpass work too.
#   BACKUP_DIR              where the encrypted dumps go (default /var/backups/aegis)
#   BACKUP_KEEP             how many dumps to keep, newest first (default 14)
#   One encryption, never none:
#   AGE_RECIPIENTS_FILE     age public key(s), one a line (age-keygen -y identity.txt): the
#                           host that backs up holds no secret, the identity stays offline.
#   BACKUP_PASSPHRASE_FILE  a file holding a passphrase (its first line), for gpg --symmetric
#   BACKUP_PASSPHRASE       the passphrase itself, for gpg --symmetric
#   PG_BIN                  folder of pg_dump; default: Debian's newest /usr/lib/postgresql/N/bin,
#                           else PATH (pg_dump refuses a server newer than itself)
#
# Output: BACKUP_DIR/aegis-YYYYmmddTHHMMSS.mmmZ.dump.age (or .dump.gpg), mode 0600, written
# under a .partial name and renamed once complete, so a half-written dump is never kept.
# Exit: 0 done, 1 dump or encryption failed, 2 bad settings.
set -euo pipefail
umask 077

PROG="aegis-backup"
say() { echo "$PROG: $*" >&2; }
die() {
    say "$2"
    exit "$1"
}

# --- settings -------------------------------------------------------------------------------

[[ -n "${DATABASE_URL:-}" ]] || die 2 "DATABASE_URL is not set"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/aegis}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || die 2 "BACKUP_KEEP has value '$BACKUP_KEEP'; a whole number of 1 or more"

# shellcheck source=deploy/backup/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ -n "${AGE_RECIPIENTS_FILE:-}" ]]; then
    command -v age >/dev/null || die 2 "AGE_RECIPIENTS_FILE is set but age is not installed (apt-get install age)"
    [[ -r "$AGE_RECIPIENTS_FILE" ]] || die 2 "AGE_RECIPIENTS_FILE: cannot read $AGE_RECIPIENTS_FILE"
    SUFFIX=age
elif [[ -n "${BACKUP_PASSPHRASE_FILE:-}${BACKUP_PASSPHRASE:-}" ]]; then
    command -v gpg >/dev/null || die 2 "a backup passphrase is set but gpg is not installed (apt-get install gnupg)"
    read_passphrase || exit 2
    SUFFIX=gpg
else
    die 2 "no encryption configured: set AGE_RECIPIENTS_FILE, or BACKUP_PASSPHRASE_FILE / BACKUP_PASSPHRASE"
fi

PG_DUMP="$(pg_tool pg_dump)" || die 2 "pg_dump not found: install postgresql-client or set PG_BIN"
split_database_url "$DATABASE_URL"

mkdir -p "$BACKUP_DIR" || die 2 "cannot create BACKUP_DIR $BACKUP_DIR"

# --- dump and encrypt -----------------------------------------------------------------------

encrypt() {
    if [[ "$SUFFIX" == age ]]; then
        age --encrypt --recipients-file "$AGE_RECIPIENTS_FILE"
    else
        gpg_symmetric --symmetric --cipher-algo AES256
    fi
}

stamp="$(date -u +%Y%m%dT%H%M%S.%3NZ)"
final="$BACKUP_DIR/aegis-$stamp.dump.$SUFFIX"
partial="$final.partial"
trap 'rm -f "$partial"; cleanup_gpg' EXIT

# --no-owner/--no-privileges are restore-time choices; the dump keeps everything.
if ! "$PG_DUMP" --format=custom --dbname="$PG_URL" | encrypt >"$partial"; then
    die 1 "backup failed (pg_dump or encryption, see above); nothing kept"
fi
mv "$partial" "$final"

# --- rotate ---------------------------------------------------------------------------------

# Names sort by time; keep the newest BACKUP_KEEP of either kind, never a .partial.
mapfile -t dumps < <(find "$BACKUP_DIR" -maxdepth 1 -type f \
    \( -name 'aegis-*.dump.age' -o -name 'aegis-*.dump.gpg' \) -printf '%f\n' | sort -r)
for old in "${dumps[@]:$BACKUP_KEEP}"; do
    rm -f "$BACKUP_DIR/$old"
done
