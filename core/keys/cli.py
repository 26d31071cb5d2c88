"""``aegis keys …`` and ``aegis users …``: API keys and per-user grants, through core's admin API.

    aegis keys create --user U [--workspace W] --role developer|ai-developer|admin|auditor
    aegis keys list [--all] [--json]
    aegis keys revoke KEY_ID
    aegis keys limits KEY_ID [--max-requests N] [--tokens-per-minute N]   (unset: defaults)
    aegis users list [--json]
    aegis users grants [--json]
    aegis users grant USER PERMISSION
    aegis users revoke USER PERMISSION

They call core (``AEGIS_CORE_URL``, ``AEGIS_API_KEY``: an admin key), which checks the key,
records who made each change in the audit trail, and tells the edges (a revocation through
Redis at once). ``--direct`` on ``create``, ``list`` and ``revoke`` works on PostgreSQL
itself (``DATABASE_URL``) for the two cases no API can serve: the first admin key of a new
deployment, and a revocation while no core runs. A direct revocation tells the edges itself,
through the Redis core publishes to (``REDIS_URL``, ``REDIS_KEY_PREFIX``), so the key is
refused within seconds; if Redis cannot be reached the key is still revoked, and the edges
learn it when a core next publishes. Direct changes are not in the audit trail.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final
from urllib.parse import quote, urlsplit

import asyncpg
import orjson
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core.cli import CliError
from core.cli.adminclient import AdminClient
from core.keys.registry import announce_revocation
from core.keys.store import KeyStore
from shared.keyset import ROLES
from shared.permissions import PERMISSIONS
from shared.redisclient import open_redis

__all__ = ["add_parser", "run", "run_api"]

_ADMIN: Final = "an admin"
_DIRECT_HELP: Final = "on PostgreSQL itself (DATABASE_URL), without core: see 'aegis keys -h'"

_REDIS_TIMEOUT_S: Final = 2.0

# Keys asked of core per request by `keys list`, which pages through all of them.
LIST_PAGE = 1000


def add_parser(groups: Any) -> None:
    keys = groups.add_parser("keys", help="API keys").add_subparsers(dest="command", required=True)
    create = keys.add_parser("create", help="create a key (printed once, stored as a hash)")
    create.add_argument("--user", required=True)
    create.add_argument(
        "--workspace", help="'*' for a global admin; default: the calling admin's workspace"
    )
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", help="a label for the key")
    create.add_argument(
        "--max-requests", type=int, help="requests per rate limit window (overrides the default)"
    )
    create.add_argument(
        "--tokens-per-minute", type=int, help="token budget per minute (overrides the default)"
    )
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.add_argument("--direct", action="store_true", help=_DIRECT_HELP)
    listing = keys.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--direct", action="store_true", help=_DIRECT_HELP)
    revoke = keys.add_parser(
        "revoke", help="revoke a key; edges refuse it within seconds, with or without core"
    )
    revoke.add_argument("key_id")
    revoke.add_argument("--direct", action="store_true", help=_DIRECT_HELP)
    limits = keys.add_parser("limits", help="set a key's rate limits (unset: the defaults)")
    limits.add_argument("key_id")
    limits.add_argument("--max-requests", type=int, help="requests per rate limit window")
    limits.add_argument("--tokens-per-minute", type=int, help="token budget per minute")

    users = groups.add_parser("users", help="per-user grants on top of key roles")
    user_commands = users.add_subparsers(dest="command", required=True)
    everyone = user_commands.add_parser("list", help="users: their keys' roles and grants")
    everyone.add_argument("--json", action="store_true", help="print JSON")
    grants = user_commands.add_parser("grants", help="list grants")
    grants.add_argument("--json", action="store_true", help="print JSON")
    for name, text in (("grant", "grant USER a permission"), ("revoke", "take a grant back")):
        change = user_commands.add_parser(name, help=text)
        change.add_argument("user")
        change.add_argument("permission", choices=PERMISSIONS)


async def run_api(args: argparse.Namespace) -> int:
    """Run ``aegis keys|users COMMAND`` through core's admin API."""
    async with AdminClient.from_env(_ADMIN) as client:
        if args.group == "users":
            return await _users(args, client)
        if args.command == "create":
            body = {
                "user": args.user,
                "role": args.role,
                "workspace": args.workspace,
                "name": args.name,
                "max_requests": args.max_requests,
                "tokens_per_minute": args.tokens_per_minute,
            }
            key = await client.call("POST", "/api/v1/admin/keys", body=body)
            _print_created(key, as_json=args.json)
            return 0
        if args.command == "list":
            # Every key, a page at a time (the API pages by the last key's id).
            params = {"limit": str(LIST_PAGE), **({"all": "true"} if args.all else {})}
            rows = []
            while True:
                page = await client.call("GET", "/api/v1/admin/keys", params=params)
                rows.extend(page["keys"])
                if not page.get("next"):
                    break
                params = {**params, "after": page["next"]}
            if args.json:
                print(orjson.dumps(rows).decode())
            else:
                _print_keys(rows)
            return 0
        if args.command == "limits":
            body = {"max_requests": args.max_requests, "tokens_per_minute": args.tokens_per_minute}
            row = await client.call(
                "POST", f"/api/v1/admin/keys/{_quoted(args.key_id)}/limits", body=body
            )
            print(
                f"{row['id']}: max_requests {row['max_requests'] or 'default'}, "
                f"tokens_per_minute {row['tokens_per_minute'] or 'default'}"
            )
            return 0
        done = await client.call("POST", f"/api/v1/admin/keys/{_quoted(args.key_id)}/revoke")
        print(f"revoked {done['id']}")
        if done.get("edges_told"):
            print("edges refuse it within seconds (revocation written to Redis)")
        else:
            print(
                "aegis: warning: core could not reach Redis: edges accept the key until a core "
                "republishes the key set",
                file=sys.stderr,
            )
        return 0


async def _users(args: argparse.Namespace, client: AdminClient) -> int:
    if args.command == "list":
        users = (await client.call("GET", "/api/v1/admin/users"))["users"]
        if args.json:
            print(orjson.dumps(users).decode())
            return 0
        for user in users:
            print(
                f"{user['user']:<20} {','.join(user['roles']) or '-':<20} "
                f"{','.join(user['workspaces']) or '-':<20} keys {user['active_keys']:<3} "
                f"grants {','.join(user['grants']) or '-'}"
            )
        if not users:
            print("no users")
        return 0
    if args.command == "grants":
        grants = (await client.call("GET", "/api/v1/admin/grants"))["grants"]
        if args.json:
            print(orjson.dumps(grants).decode())
        elif not grants:
            print("no grants")
        for grant in [] if args.json else grants:
            print(
                f"{grant['user']:<20} {grant['permission']:<14} by {grant['granted_by']:<16} "
                f"{grant['granted_at']}"
            )
        return 0
    body = {"user": args.user, "permission": args.permission}
    if args.command == "grant":
        done = await client.call("POST", "/api/v1/admin/grants", body=body)
        print(
            f"granted {args.permission} to {args.user}"
            if done["granted"]
            else f"{args.user} holds {args.permission} already"
        )
        return 0
    done = await client.call("POST", "/api/v1/admin/grants/revoke", body=body)
    print(
        f"revoked {args.permission} from {args.user}"
        if done["revoked"]
        else f"{args.user} held no grant of {args.permission}"
    )
    return 0


def _quoted(key_id: str) -> str:
    return quote(key_id, safe="")


def _print_created(key: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(
            orjson.dumps({k: key[k] for k in ("id", "key", "user", "workspace", "role")}).decode()
        )
        return
    print(f"key id:    {key['id']}")
    print(f"user:      {key['user']} ({key['role']}) in workspace {key['workspace']}")
    print(f"key:       {key['key']}")
    print("Store the key now: it is not shown again (only its hash is kept).")


def _print_keys(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no keys")
    for row in rows:
        state = "revoked" if row["revoked_at"] else "active"
        print(
            f"{row['id']}  {row['prefix']}…  {row['user']:<16} {row['workspace']:<16} "
            f"{row['role']:<12} {state}  {row['name'] or ''}".rstrip()
        )


async def run(
    args: argparse.Namespace, connection: asyncpg.Connection, redis_url: str, redis_prefix: str
) -> int:
    """Run ``aegis keys COMMAND --direct`` on ``connection``; a revocation is also written to
    Redis."""
    store = KeyStore(connection)
    if args.command == "create":
        if not args.workspace:
            raise CliError("--workspace is needed with --direct ('*' for a global admin)")
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
        rows = [_row_json(row) for row in await store.list(include_revoked=args.all)]
        if args.json:
            print(orjson.dumps(rows).decode())
        else:
            _print_keys(rows)
        return 0
    key_hash = await store.revoke(args.key_id)
    if key_hash is None:
        raise CliError(f"no active key with id {args.key_id}")
    print(f"revoked {args.key_id}")
    await _tell_edges(redis_url, redis_prefix, key_hash)
    return 0


async def _tell_edges(redis_url: str, redis_prefix: str, key_hash: str) -> None:
    """Write the revocation to Redis for the edges; say what happened either way."""
    redis = open_redis(
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
