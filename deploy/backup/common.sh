# Shared by aegis-backup.sh and aegis-restore.sh (sourced; expects PROG and die()).
# shellcheck shell=bash

PG_LIB_ROOT="${PG_LIB_ROOT:-/usr/lib/postgresql}"
PASSPHRASE=""
GPG_HOME=""

# pg_tool NAME: the path of a PostgreSQL client tool. PG_BIN wins; then Debian's newest
# /usr/lib/postgresql/N/bin (as devstack finds the server, so the versions match); then PATH.
pg_tool() {
    local name="$1" dir
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/$name" ]] || return 1
        echo "$PG_BIN/$name"
        return 0
    fi
    dir="$(find "$PG_LIB_ROOT" -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/$name" ]]; then
        echo "$dir/$name"
        return 0
    fi
    command -v "$name"
}

# split_database_url URL: sets PG_URL (the URL without its password) and exports PGPASSWORD
# when the URL had one, so no client's command line shows it.
split_database_url() {
    local url="$1" scheme rest userinfo user password
    [[ "$url" =~ ^(postgres(ql)?://)(.*)$ ]] || die 2 "DATABASE_URL is not a postgresql:// URL"
    scheme="${BASH_REMATCH[1]}"
    rest="${BASH_REMATCH[3]}"
    if [[ "$rest" =~ ^([^@/]*)@(.*)$ ]]; then
        userinfo="${BASH_REMATCH[1]}"
        rest="${BASH_REMATCH[2]}"
        user="${userinfo%%:*}"
        if [[ "$userinfo" == *:* ]]; then
            password="${userinfo#*:}"
            # Percent-decoded, as libpq would have.
            PGPASSWORD="$(printf '%b' "${password//%/\\x}")"
            export PGPASSWORD
        fi
        PG_URL="$scheme$user@$rest"
    else
        PG_URL="$scheme$rest"
    fi
}

# read_passphrase: PASSPHRASE from BACKUP_PASSPHRASE_FILE's first line or BACKUP_PASSPHRASE.
read_passphrase() {
    if [[ -n "${BACKUP_PASSPHRASE_FILE:-}" ]]; then
        if [[ ! -r "$BACKUP_PASSPHRASE_FILE" ]]; then
            say "BACKUP_PASSPHRASE_FILE: cannot read $BACKUP_PASSPHRASE_FILE"
            return 1
        fi
        IFS= read -r PASSPHRASE <"$BACKUP_PASSPHRASE_FILE" || true
    else
        PASSPHRASE="$BACKUP_PASSPHRASE"
    fi
    if [[ -z "$PASSPHRASE" ]]; then
        say "the backup passphrase is empty"
        return 1
    fi
    # A keyring of our own: nothing read from or left in the user's ~/.gnupg.
    GPG_HOME="$(mktemp -d)"
}

# gpg_symmetric ARGS…: gpg on stdin/stdout with the passphrase on file descriptor 3 (never
# on the command line, which ps shows, and never cached by an agent).
gpg_symmetric() {
    gpg --homedir "$GPG_HOME" --batch --quiet --no-tty --no-symkey-cache \
        --pinentry-mode loopback --passphrase-fd 3 "$@" 3<<<"$PASSPHRASE"
}

cleanup_gpg() {
    if [[ -n "$GPG_HOME" ]]; then
        gpgconf --homedir "$GPG_HOME" --kill all >/dev/null 2>&1 || true
        rm -rf "$GPG_HOME"
    fi
}
