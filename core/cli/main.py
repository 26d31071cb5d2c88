"""The ``aegis`` command line: one parser, each group's commands in its own package.

    aegis db migrate                   (PostgreSQL directly: DATABASE_URL)
    aegis keys create|list|revoke|limits …, aegis users grants|grant|revoke …  (core.keys.cli)
    aegis audit search|verify|export|match|prune …    (core.audit.cli)
    aegis bypass list|show|review …    (core.bypass.cli)
    aegis policy list|show|set|delete|effective …    (core.policies.cli)
    aegis tools list|set|delete …      (core.tools.cli)
    aegis approvals [--list] | approve|reject|stats …   (core.approvals.cli)

Every command but ``db migrate`` calls core's admin API with ``AEGIS_CORE_URL`` and
``AEGIS_API_KEY`` (:mod:`core.cli.adminclient`), so core checks the key's permissions and
audits each change. ``db migrate`` and ``keys create|list|revoke --direct`` (the first admin
key; a revocation while no core runs) read ``DATABASE_URL`` (or ``POSTGRES_URL``) like core
does; ``keys revoke --direct`` also ``REDIS_URL`` and ``REDIS_KEY_PREFIX``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg

from core.approvals import cli as approvals_cli
from core.audit import cli as audit_cli
from core.bypass import cli as bypass_cli
from core.cli import CliError
from core.cli.adminclient import AdminClientError
from core.db.migrate import apply_migrations
from core.db.pool import DB_ERRORS
from core.keys import cli as keys_cli
from core.policies import cli as policy_cli
from core.settings import CoreSettings
from core.tools import cli as tools_cli
from shared.config import ConfigError, EnvReader
from shared.redisclient import REDIS_SCHEMES, slot_prefix

__all__ = ["main"]


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

    keys_cli.add_parser(groups)
    audit_cli.add_parser(groups)
    bypass_cli.add_parser(groups)
    policy_cli.add_parser(groups)
    tools_cli.add_parser(groups)
    approvals_cli.add_parser(groups)
    return parser


def _targets(args: argparse.Namespace) -> _Targets:
    """All the command reads from the environment (Redis only to revoke), every bad value
    reported at once, before anything is done."""
    env = EnvReader()
    defaults = CoreSettings()
    database_url = env.database_url("DATABASE_URL", "POSTGRES_URL", default=defaults.database_url)
    redis_url, redis_prefix = defaults.redis_url, defaults.redis_prefix
    if args.group == "keys" and args.command == "revoke":
        redis_url = env.url("REDIS_URL", default=redis_url, schemes=REDIS_SCHEMES)
        redis_prefix = slot_prefix(env.string("REDIS_KEY_PREFIX", default=redis_prefix), redis_url)
    env.finish()
    return _Targets(database_url, redis_url, redis_prefix)


async def _run(args: argparse.Namespace, targets: _Targets) -> int:
    url = targets.database_url
    where = urlsplit(url)
    try:
        connection = await asyncpg.connect(url, timeout=5)
    except DB_ERRORS as exc:
        raise CliError(
            f"cannot reach PostgreSQL at {where.netloc.rpartition('@')[2] or 'localhost'} "
            f"({type(exc).__name__}: {exc}); set DATABASE_URL"
        ) from exc
    try:
        if args.group == "db":
            applied = await apply_migrations(connection)
            print("applied: " + ", ".join(applied) if applied else "schema is up to date")
            return 0
        return await keys_cli.run(args, connection, targets.redis_url, targets.redis_prefix)
    except asyncpg.UndefinedTableError as exc:
        raise CliError("the schema is missing; run 'aegis db migrate' first") from exc
    finally:
        await connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.group == "bypass":
            return asyncio.run(bypass_cli.run(args))
        if args.group == "policy":
            return asyncio.run(policy_cli.run(args))
        if args.group == "tools":
            return asyncio.run(tools_cli.run(args))
        if args.group == "approvals":
            return asyncio.run(approvals_cli.run(args))
        if args.group == "audit":
            return asyncio.run(audit_cli.run(args))
        if args.group == "users" or (args.group == "keys" and not getattr(args, "direct", False)):
            return asyncio.run(keys_cli.run_api(args))
        return asyncio.run(_run(args, _targets(args)))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"aegis: {problem}", file=sys.stderr)
        return 2
    except (CliError, AdminClientError, ValueError) as exc:
        print(f"aegis: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``aegis … | head``): stop quietly, as the docs of the
        # ``signal`` module advise, without a second error when Python flushes stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except DB_ERRORS as exc:
        print(f"aegis: database error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
