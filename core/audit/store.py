"""Reading and pruning ``audit_logs``: text matches by hash, monthly partitions, retention.

Works on any asyncpg connection, so the CLI and (later) the admin API share it.

* :func:`match` finds the rows whose instruction, context or response hash is a given
  HMAC (:meth:`core.audit.hashing.TextHasher.digest` of the text an investigator holds).
* :func:`partitions` lists the monthly partitions; :func:`prune` drops those wholly older
  than the retention, after writing their rows to a JSONL file if asked, and records each
  chain's last dropped link in its head (``floor_seq``, ``floor_hash``) so that
  :mod:`core.audit.verify` continues the chain from there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import asyncpg
import orjson

__all__ = ["Match", "Partition", "export_rows", "match", "partitions", "prune"]

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
_PARTITION_NAME: Final = re.compile(r"audit_logs_y([0-9]{4})m([0-9]{2})")

_MATCH = """
SELECT "timestamp", log_id, request_id, user_id, workspace_id, key_id, action, decision,
       status, instruction_hash = $1 AS instruction, context_hash = $1 AS context,
       response_hash = $1 AS response
FROM audit_logs
WHERE (instruction_hash = $1 OR context_hash = $1 OR response_hash = $1)
  AND ($2::timestamptz IS NULL OR "timestamp" >= $2)
ORDER BY "timestamp" LIMIT $3
"""


@dataclass(frozen=True, slots=True)
class Match:
    """A row whose hash matched: when, who, and which of its texts (``fields``)."""

    timestamp: dt.datetime
    log_id: str
    request_id: str
    user_id: str | None
    workspace_id: str | None
    key_id: str | None
    action: str
    decision: str
    status: int | None
    fields: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp.isoformat(),
            "log_id": self.log_id,
            "request_id": self.request_id,
            "user_id": self.user_id,
            "workspace_id": self.workspace_id,
            "key_id": self.key_id,
            "action": self.action,
            "decision": self.decision,
            "status": self.status,
            "matched": list(self.fields),
        }


async def match(
    connection: Connection,
    digest: bytes,
    *,
    since: dt.datetime | None = None,
    limit: int = 1000,
) -> list[Match]:
    """Rows (oldest first) whose instruction, context or response hash is ``digest``."""
    rows = await connection.fetch(_MATCH, digest, since, limit)
    return [
        Match(
            row["timestamp"],
            str(row["log_id"]),
            row["request_id"],
            row["user_id"],
            row["workspace_id"],
            row["key_id"],
            row["action"],
            row["decision"],
            row["status"],
            tuple(name for name in ("instruction", "context", "response") if row[name]),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Partition:
    """A month of ``audit_logs``: ``[start, end)`` in UTC."""

    name: str
    start: dt.datetime
    end: dt.datetime


async def partitions(connection: Connection) -> list[Partition]:
    """The monthly partitions, oldest first (by name: ``audit_logs_yYYYYmMM``)."""
    names = await connection.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'audit_logs'::regclass"
    )
    found: list[Partition] = []
    for row in names:
        parsed = _PARTITION_NAME.fullmatch(row["relname"])
        if parsed is None:
            continue
        start = dt.datetime(int(parsed[1]), int(parsed[2]), 1, tzinfo=dt.UTC)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        found.append(Partition(row["relname"], start, end))
    return sorted(found, key=lambda partition: partition.start)


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # uuid, inet


async def export_rows(connection: Connection, partition: Partition, path: Path) -> int:
    """Append every row of ``partition`` to ``path`` as JSON lines (hashes in hex, times in
    ISO 8601, findings and stages as JSON), fsynced; the number of rows."""
    count = 0
    with path.open("ab") as out:
        async with connection.transaction(readonly=True):
            query = f'SELECT * FROM "{partition.name}" ORDER BY writer_id, seq'  # noqa: S608 - a name we parsed
            async for row in connection.cursor(query, prefetch=5000):
                item = {key: _json_value(value) for key, value in row.items()}
                for key in ("findings", "stage_ms"):
                    if isinstance(item.get(key), str):
                        item[key] = orjson.loads(item[key])
                out.write(orjson.dumps(item) + b"\n")
                count += 1
        out.flush()
        os.fsync(out.fileno())
    return count


async def prune(
    connection: Connection,
    *,
    retention_days: int,
    now: dt.datetime,
    export: Path | None = None,
    dry_run: bool = False,
    expect: Mapping[str, int] | None = None,
) -> list[tuple[Partition, int]]:
    """Drop the partitions that end ``retention_days`` or more before ``now`` (oldest
    first), each after its rows are exported (with ``export``); the partitions and their
    row counts. ``dry_run``: only say which.

    ``expect`` (partition name → rows) is for a caller that exported the rows itself first
    (``aegis audit prune --export``, through the API): only the partitions named are dropped,
    each only if it holds exactly that many rows when it is locked for the drop, so a row
    written after its export (a spool replayed late) is never dropped unexported. A partition
    skipped this way is returned with ``-1 - rows`` (its row count now, negated)."""
    cutoff = now - dt.timedelta(days=retention_days)
    done: list[tuple[Partition, int]] = []
    for partition in await partitions(connection):
        if partition.end > cutoff:
            continue
        name = partition.name
        if expect is not None and name not in expect:
            continue
        if dry_run:
            count = await connection.fetchval(f'SELECT count(*) FROM "{name}"')  # noqa: S608
            done.append((partition, int(count)))
            continue
        count = 0
        if export is not None:
            count = await export_rows(connection, partition, export)
        async with connection.transaction():
            if expect is not None:
                # No row comes or goes between this count and the drop.
                await connection.execute(f'LOCK TABLE "{name}" IN ACCESS EXCLUSIVE MODE')
                count = int(await connection.fetchval(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
                if count != expect[name]:
                    done.append((partition, -1 - count))
                    continue
            # Each chain's last link in this month: verify continues from it.
            lasts = await connection.fetch(
                f'SELECT DISTINCT ON (writer_id) writer_id, seq, row_hash FROM "{name}"'  # noqa: S608
                " ORDER BY writer_id, seq DESC"
            )
            for last in lasts:
                await connection.execute(
                    "UPDATE audit_chain_heads SET floor_seq = $2, floor_hash = $3"
                    " WHERE writer_id = $1 AND floor_seq < $2",
                    last["writer_id"],
                    last["seq"],
                    last["row_hash"],
                )
            if export is None and expect is None:
                count = int(await connection.fetchval(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
            await connection.execute(f'DROP TABLE "{name}"')
        done.append((partition, count))
    return done
