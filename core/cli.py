"""The ``aegis`` command line: schema and API keys, talking to PostgreSQL directly.

    aegis db migrate
    aegis keys create --user U --workspace W --role developer|ai-developer|admin|auditor
    aegis keys list [--all] [--json]
    aegis keys revoke KEY_ID
    aegis bypass list|show|review …    (see core.bypass.cli: a client of core's admin API)
    aegis policy list|show|set|delete|effective …    (see core.policycli: the same)

``db`` and ``keys`` read ``DATABASE_URL`` (or ``POSTGRES_URL``) like core does. Running cores
learn of every key change at once (``NOTIFY``) and publish it to the edges. ``keys revoke``
also tells the edges itself, through the Redis core publishes to (``REDIS_URL``,
``REDIS_KEY_PREFIX``, as core reads them), so the key is refused within seconds even while no
core runs; if Redis cannot be reached the key is still revoked, and the edges learn it when a
core next publishes. ``bypass`` and ``policy`` call core with ``AEGIS_CORE_URL`` and
``AEGIS_API_KEY`` (:mod:`core.adminclient`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core import policycli
from core.adminclient import AdminClientError
from core.bypass import cli as bypass_cli
from core.db.migrate import apply_migrations
from core.db.pool import DB_ERRORS
from core.keys import announce_revocation
from core.keystore import KeyStore
from core.settings import CoreSettings
from shared.config import ConfigError, EnvReader
from shared.keyset import ROLES

__all__ = ["main"]

_REDIS_TIMEOUT_S = 2.0


class CliError(Exception):
    """A failure to report as one line and exit status 1."""


@dataclass(frozen=True, slots=True)
class _Targets:
    """Where the command acts: PostgreSQL, and for ``keys revoke`` the edges' Redis."""

    database_url: str
    redis_url: str
    redis_prefix: str


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aegis", description="Aegis administration.")
    groups = parser.add_subparsers(dest="group", required=True)

    db = groups.add_parser("db", help="database schema").add_subparsers(
        dest="command", required=True
    )
    db.add_parser("migrate", help="apply missing schema migrations")

    keys = groups.add_parser("keys", help="API keys").add_subparsers(dest="command", required=True)
    create = keys.add_parser("create", help="create a key (printed once, stored as a hash)")
    create.add_argument("--user", required=True)
    create.add_argument("--workspace", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", help="a label for the key")
    create.add_argument(
        "--max-requests", type=int, help="requests per rate limit window (overrides the default)"
    )
    create.add_argument(
        "--tokens-per-minute", type=int, help="token budget per minute (overrides the default)"
    )
    create.add_argument("--json", action="store_true", help="print one JSON object")
    listing = keys.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = keys.add_parser(
        "revoke", help="revoke a key; edges refuse it within seconds, with or without core"
    )
    revoke.add_argument("key_id")
    bypass_cli.add_parser(groups)
    policycli.add_parser(groups)
    return parser


def _targets(args: argparse.Namespace) -> _Targets:
    """All the command reads from the environment (Redis only to revoke), every bad value
    reported at once, before anything is done."""
    env = EnvReader()
    defaults = CoreSettings()
    database_url = env.url(
        "DATABASE_URL",
        "POSTGRES_URL",
        default=defaults.database_url,
        schemes=("postgresql", "postgres"),
    )
    redis_url, redis_prefix = defaults.redis_url, defaults.redis_prefix
    if args.group == "keys" and args.command == "revoke":
        redis_url = env.url("REDIS_URL", default=redis_url, schemes=("redis", "rediss", "unix"))
        redis_prefix = env.string("REDIS_KEY_PREFIX", default=redis_prefix)
    env.finish()
    return _Targets(database_url, redis_url, redis_prefix)


async def _tell_edges(targets: _Targets, key_hash: str) -> None:
    """Write the revocation to Redis for the edges; say what happened either way."""
    redis = aioredis.Redis.from_url(
        targets.redis_url,
        socket_connect_timeout=_REDIS_TIMEOUT_S,
        socket_timeout=_REDIS_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        await announce_revocation(redis, targets.redis_prefix, key_hash)
    except (RedisError, OSError, TimeoutError) as exc:
        where = urlsplit(targets.redis_url)
        place = f"{where.hostname}:{where.port or 6379}" if where.hostname else where.path
        print(
            f"aegis: warning: the key is revoked in PostgreSQL, but Redis at {place} could "
            f"not be told ({type(exc).__name__}): edges accept the "
            "key until a core republishes the key set (at once if one is running, else when "
            "one starts). Set REDIS_URL and REDIS_KEY_PREFIX as for core to tell edges directly.",
            file=sys.stderr,
        )
        return
    finally:
        await redis.aclose()
    print("edges refuse it within seconds, with or without core (revocation written to Redis)")


async def _run(args: argparse.Namespace, targets: _Targets) -> int:
    url = targets.database_url
    where = urlsplit(url)
    try:
        connection = await asyncpg.connect(url, timeout=5)
    except DB_ERRORS as exc:
        raise CliError(
            f"cannot reach PostgreSQL at {where.hostname}:{where.port or 5432} "
            f"({type(exc).__name__}: {exc}); set DATABASE_URL"
        ) from exc
    try:
        if args.group == "db":
            applied = await apply_migrations(connection)
            print("applied: " + ", ".join(applied) if applied else "schema is up to date")
            return 0
        store = KeyStore(connection)
        if args.command == "create":
            key = await store.create(
                user=args.user,
                workspace=args.workspace,
                role=args.role,
                name=args.name,
                max_requests=args.max_requests,
                tokens_per_minute=args.tokens_per_minute,
            )
            if args.json:
                print(
                    orjson.dumps(
                        {
                            "id": key.key_id,
                            "key": key.key,
                            "user": key.user,
                            "workspace": key.workspace,
                            "role": key.role,
                        }
                    ).decode()
                )
            else:
                print(f"key id:    {key.key_id}")
                print(f"user:      {key.user} ({key.role}) in workspace {key.workspace}")
                print(f"key:       {key.key}")
                print("Store the key now: it is not shown again (only its hash is kept).")
            return 0
        if args.command == "list":
            rows = await store.list(include_revoked=args.all)
            if args.json:
                print(orjson.dumps([_row_json(row) for row in rows]).decode())
            else:
                for row in rows:
                    state = "revoked" if row.revoked_at else "active"
                    print(
                        f"{row.key_id}  {row.prefix}…  {row.user:<16} {row.workspace:<16} "
                        f"{row.role:<12} {state}  {row.name or ''}".rstrip()
                    )
            return 0
        key_hash = await store.revoke(args.key_id)
        if key_hash is None:
            raise CliError(f"no active key with id {args.key_id}")
        print(f"revoked {args.key_id}")
        await _tell_edges(targets, key_hash)
        return 0
    except asyncpg.UndefinedTableError as exc:
        raise CliError("the schema is missing; run 'aegis db migrate' first") from exc
    finally:
        await connection.close()


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.key_id,
        "prefix": row.prefix,
        "name": row.name,
        "user": row.user,
        "workspace": row.workspace,
        "role": row.role,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.group == "bypass":
            return asyncio.run(bypass_cli.run(args))
        if args.group == "policy":
            return asyncio.run(policycli.run(args))
        return asyncio.run(_run(args, _targets(args)))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"aegis: {problem}", file=sys.stderr)
        return 2
    except (CliError, AdminClientError, ValueError) as exc:
        print(f"aegis: {exc}", file=sys.stderr)
        return 1
    except DB_ERRORS as exc:
        print(f"aegis: database error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
