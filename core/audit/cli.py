"""``aegis audit …``: the audit trail's checks and upkeep, on PostgreSQL directly (for now).

    aegis audit verify [--since 24h] [--json]
    aegis audit match (--text TEXT | --text-file PATH|-) [--since 30d] [--limit N] [--json]
    aegis audit prune [--export FILE] [--dry-run] [--retention-days N]

``verify`` exits 0 when every chain is intact and 1 naming the first changed, inserted or
deleted row otherwise (:mod:`core.audit.verify`). ``match`` hashes the text with the audit
key (``AUDIT_HASH_KEY``, or the key file in ``AUDIT_SPOOL_DIR``) and lists when it was sent
or answered (exit 0), or says it was not found (exit 1); ``--text-file -`` reads standard
input, which keeps the text out of the process list and the shell's history. ``prune``
drops the monthly partitions past ``AUDIT_RETENTION_DAYS`` (default 365), after writing
their rows to ``--export FILE`` as JSON lines when asked.

They read ``DATABASE_URL`` (or ``POSTGRES_URL``) as core does; the admin API will serve the
same functions to ``aegis`` with an auditor's key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from core.audit import store
from core.audit.hashing import TextHasher
from core.audit.trail import hash_key
from core.audit.verify import verify
from core.cli import CliError
from core.routes.admin import parse_since
from core.settings import CoreSettings
from shared.config import EnvReader
from shared.errors import AegisError

__all__ = ["add_parser", "run"]


def add_parser(groups: Any) -> None:
    audit = groups.add_parser("audit", help="the audit trail").add_subparsers(
        dest="command", required=True
    )
    check = audit.add_parser("verify", help="check every hash chain; exit 1 if one is broken")
    check.add_argument("--since", help="only rows from then: a duration (24h, 7d) or ISO 8601")
    check.add_argument("--json", action="store_true", help="print JSON")
    find = audit.add_parser("match", help="was this text sent (or answered), and when?")
    source = find.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the exact text (visible in the process list)")
    source.add_argument("--text-file", help="a file holding the exact text, or - for stdin")
    find.add_argument("--since", help="only rows from then: a duration (30d) or ISO 8601")
    find.add_argument("--limit", type=int, default=1000, help="rows at most (default 1000)")
    find.add_argument("--json", action="store_true", help="print JSON")
    prune = audit.add_parser("prune", help="drop the months past AUDIT_RETENTION_DAYS")
    prune.add_argument("--export", type=Path, help="append their rows to FILE (JSONL) first")
    prune.add_argument("--dry-run", action="store_true", help="only list what would go")
    prune.add_argument("--retention-days", type=int, help="overrides AUDIT_RETENTION_DAYS")


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, dt.datetime.now(dt.UTC))
    except AegisError as exc:
        raise CliError(str(exc)) from None


def _read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return str(args.text)
    if args.text_file == "-":
        return sys.stdin.read()
    try:
        return Path(args.text_file).read_text("utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {args.text_file}: {exc.strerror}") from None


async def run(args: argparse.Namespace, connection: asyncpg.Connection) -> int:
    """Run ``aegis audit COMMAND`` on ``connection``; the exit status."""
    env = EnvReader()
    defaults = CoreSettings()
    secret = env.secret("AUDIT_HASH_KEY", min_length=16)
    spool_dir = Path(env.string("AUDIT_SPOOL_DIR", default=str(defaults.audit_spool_dir)))
    retention = env.integer("AUDIT_RETENTION_DAYS", defaults.audit_retention_days, minimum=1)
    env.finish()
    if args.command == "verify":
        return await _verify(connection, _since(args.since), as_json=args.json)
    if args.command == "match":
        hasher = TextHasher(hash_key(secret, spool_dir, create=False))
        text = _read_text(args)
        matches = await store.match(
            connection, hasher.digest(text), since=_since(args.since), limit=args.limit
        )
        if args.json:
            print(orjson.dumps([m.as_dict() for m in matches]).decode())
        elif not matches:
            print("not found: no request or answer with that exact text")
        for found in [] if args.json else matches:
            print(
                f"{found.timestamp.isoformat()}  {', '.join(found.fields):<12}  "
                f"request {found.request_id}  user {found.user_id}  "
                f"workspace {found.workspace_id}  key {found.key_id}  {found.action}  "
                f"{found.decision}"
            )
        return 0 if matches else 1
    days = args.retention_days if args.retention_days is not None else retention
    if days < 1:
        raise CliError("--retention-days must be 1 or more")
    pruned = await store.prune(
        connection,
        retention_days=days,
        now=dt.datetime.now(dt.UTC),
        export=args.export,
        dry_run=args.dry_run,
    )
    verb = "would drop" if args.dry_run else "dropped"
    for partition, count in pruned:
        print(f"{verb} {partition.name} ({partition.start:%Y-%m}): {count} rows")
    if not pruned:
        print(f"nothing older than {days} days")
    return 0


async def _verify(
    connection: asyncpg.Connection, since: dt.datetime | None, *, as_json: bool
) -> int:
    report = await verify(connection, since)
    if as_json:
        print(orjson.dumps(report.as_dict()).decode())
        return 0 if report.ok else 1
    summary = (
        f"{report.rows} rows in {report.writers} chains"
        f" ({report.dead_letters} dead letters) checked in {report.seconds:.1f} s"
    )
    if report.ok:
        print(f"intact: {summary}")
        return 0
    print(f"BROKEN: {report.problem_count} problems; {summary}")
    for problem in report.problems:
        print("  " + problem.describe())
    return 1
