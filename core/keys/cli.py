"""``aegis keys …``: API keys, written to PostgreSQL directly.

    aegis keys create --user U --workspace W --role developer|ai-developer|admin|auditor
    aegis keys list [--all] [--json]
    aegis keys revoke KEY_ID

Running cores learn of every key change at once (``NOTIFY``) and publish it to the edges.
``keys revoke`` also tells the edges itself, through the Redis core publishes to
(``REDIS_URL``, ``REDIS_KEY_PREFIX``, as core reads them), so the key is refused within
seconds even while no core runs; if Redis cannot be reached the key is still revoked, and the
edges learn it when a core next publishes.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final
from urllib.parse import urlsplit

import asyncpg
import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core.cli import CliError
from core.keys.registry import announce_revocation
from core.keys.store import KeyStore
from shared.keyset import ROLES

__all__ = ["add_parser", "run"]

_REDIS_TIMEOUT_S: Final = 2.0


def add_parser(groups: Any) -> None:
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


async def run(
    args: argparse.Namespace, connection: asyncpg.Connection, redis_url: str, redis_prefix: str
) -> int:
    """Run ``aegis keys COMMAND`` on ``connection``; a revocation is also written to Redis."""
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
    await _tell_edges(redis_url, redis_prefix, key_hash)
    return 0


async def _tell_edges(redis_url: str, redis_prefix: str, key_hash: str) -> None:
    """Write the revocation to Redis for the edges; say what happened either way."""
    redis = aioredis.Redis.from_url(
        redis_url,
        socket_connect_timeout=_REDIS_TIMEOUT_S,
        socket_timeout=_REDIS_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        await announce_revocation(redis, redis_prefix, key_hash)
    except (RedisError, OSError, TimeoutError) as exc:
        where = urlsplit(redis_url)
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
