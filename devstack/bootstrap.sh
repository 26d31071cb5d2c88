#!/usr/bin/env bash
# Make this machine ready for `make run` and `make test`: Debian packages (python3-venv,
# redis-server, postgresql) when missing, .venv, and the project installed into it.
# Idempotent and silent when everything is already there; `make install` calls it.
#
# REDIS_URL set: no redis-server needed. DATABASE_URL or POSTGRES_URL set: no PostgreSQL
# server needed. PYTHON picks the interpreter that creates .venv (default python3).
#
# nginx is installed too when missing and we are root (CI is): only the tests of the shipped
# nginx configuration (tests/e2e/test_nginx.py) use it, and they skip, saying so, without it.
# Not root, nothing is asked for it. So is Debian's prometheus package, for its promtool:
# tests/e2e/test_observability.py checks deploy/observability's rules with it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.installed"

say() { echo "bootstrap: $*" >&2; }

have_pg_server() {
    local dir
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then
        return 0
    fi
    # Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<N>/bin.
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
            return 0
        fi
    done
    return 1
}

venv_ok() { [[ -x "$VENV/bin/python" && -x "$VENV/bin/pip" ]]; }

# Where devstack.services.find_nginx looks: PATH, then off a user's PATH.
have_nginx() {
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx || -x /usr/local/sbin/nginx ||
        -x /usr/local/nginx/sbin/nginx ]]
}

packages=()
if ! command -v "$PYTHON" >/dev/null; then
    say "$PYTHON not found; set PYTHON to a Python 3.11+ interpreter"
    exit 1
fi
if [[ ! -e "$VENV" ]] && ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    packages+=(python3-venv)
fi
if [[ -z "${REDIS_URL:-}" ]] && ! command -v redis-server >/dev/null; then
    packages+=(redis-server)
fi
if [[ -z "${DATABASE_URL:-}${POSTGRES_URL:-}" ]] && ! have_pg_server; then
    packages+=(postgresql)
fi
if ! have_nginx && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    packages+=(nginx)
fi
if ! command -v promtool >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    packages+=(prometheus)
fi
# age encrypts deploy/backup's dumps (tests/e2e/test_backup_restore.py; gpg is the fallback).
if ! command -v age >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    packages+=(age)
fi

# Headless Chromium drives the console's browser tests (tests/e2e/test_console.py, Playwright);
# a Korean font, so its screenshots of the Korean pages are readable.
if ! command -v chromium >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    packages+=(chromium fonts-nanum)
fi

if ((${#packages[@]})); then
    if ! command -v apt-get >/dev/null; then
        say "missing: ${packages[*]} (Debian package names); install them with your package manager"
        exit 1
    fi
    if [[ "$(id -u)" != 0 ]]; then
        say "missing system packages; run:"
        echo "    sudo apt-get install -y ${packages[*]}" >&2
        exit 1
    fi
    say "installing ${packages[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
fi

if [[ ! -e "$VENV" ]]; then
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV"
elif ! venv_ok; then
    # Never removed for you: it may only look broken (another user, a moved interpreter).
    say "$VENV exists but $VENV/bin/python or pip is missing; remove it (rm -rf $VENV) and retry"
    exit 1
fi

# constraints.txt pins every package to the versions the tests passed with (`make lock`
# writes it); the project's own ranges are in pyproject.toml.
constraints=()
if [[ -f constraints.txt ]]; then
    constraints=(-c constraints.txt)
fi
want="$({ cat pyproject.toml; cat constraints.txt 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]]; then
    say "installing the project into $VENV (pip install ${constraints[*]+${constraints[*]} }-e '.[dev]')"
    # Build back-ends print warnings even under -q; show pip's output only when it fails.
    log="$(mktemp)"
    if ! "$VENV/bin/pip" install -q --disable-pip-version-check ${constraints[@]+"${constraints[@]}"} -e '.[dev]' \
        >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        say "pip install failed (output above)"
        exit 1
    fi
    rm -f "$log"
    echo "$want" >"$STAMP"
fi
