"""Checking the audit chains: every row's hash recomputed, every link and every head checked.

For each writer's chain (``writer_id``), rows in ``seq`` order:

* a row whose stored ``row_hash`` is not SHA-256(``prev_hash`` || its canonical bytes) was
  **changed**;
* a row whose ``prev_hash`` is not its predecessor's ``row_hash`` follows a row that was
  **changed** (its hash recomputed to hide it) or was put in its place;
* a ``seq`` seen twice is an **inserted** row, and so is a row of a writer that has no head
  or a row past its writer's head;
* a ``seq`` skipped (and not in ``audit_dead_letters``), or a chain that ends before its
  head (``audit_chain_heads``), are **deleted** rows.

Rows ``aegis audit prune`` dropped are not missing: the head keeps the last dropped link
(``floor_seq``, ``floor_hash``) and the chain continues from it. With ``since``, only rows
from then on are read; each chain's first row there is taken as it is.

:func:`verify` reads the rows with a server-side cursor (constant memory) and stops
collecting problems after :data:`MAX_PROBLEMS` (it still counts them). An admin API can call
it with any connection; ``aegis audit verify`` prints its :class:`VerifyReport`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg
import orjson

from core.audit.record import GENESIS, AuditRecord, canonical

__all__ = ["MAX_PROBLEMS", "Problem", "VerifyReport", "verify"]

MAX_PROBLEMS: Final = 100
_PREFETCH: Final = 10_000
# PostgreSQL counts timestamps from 2000-01-01; the canonical form from 1970-01-01.
_PG_EPOCH_US: Final = 946_684_800_000_000
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_ROWS = """
SELECT writer_id, seq, log_id, "timestamp", request_id, user_id, workspace_id, key_id, role,
       action, model, decision, dry_run, findings, instruction_hash, context_hash,
       response_hash, tokens_estimated, tokens_used, latency_ms, stage_ms, status, ip_address,
       user_agent, bypassed, prev_hash, row_hash
FROM audit_logs {where} ORDER BY writer_id, seq, log_id
"""


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in a chain: ``kind`` is ``changed``, ``inserted`` or ``deleted``."""

    kind: str
    writer_id: str
    seq: int
    detail: str
    log_id: str | None = None
    request_id: str | None = None
    timestamp: str | None = None

    def describe(self) -> str:
        where = f"writer {self.writer_id} seq {self.seq}"
        if self.log_id is not None:
            where = f"log_id {self.log_id} (request {self.request_id}, {self.timestamp}, {where})"
        return f"{self.kind}: {where}: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "writer_id": self.writer_id,
            "seq": self.seq,
            "log_id": self.log_id,
            "request_id": self.request_id,
            "timestamp": self.timestamp,
            "detail": self.detail,
        }


@dataclass(slots=True)
class VerifyReport:
    """What :func:`verify` found: ``ok`` when no chain is broken."""

    rows: int = 0
    writers: int = 0
    dead_letters: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "writers": self.writers,
            "dead_letters": self.dead_letters,
            "problem_count": self.problem_count,
            "problems": [problem.as_dict() for problem in self.problems],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class _Head:
    seq: int
    row_hash: bytes
    floor_seq: int
    floor_hash: bytes | None
    updated_at: int  # microseconds since the Unix epoch


@dataclass(frozen=True, slots=True)
class _Dead:
    prev_hash: bytes
    row_hash: bytes
    payload: bytes


async def _codecs(connection: asyncpg.Connection) -> None:
    # Plain values, as the canonical form writes them, without building objects per row.
    await connection.set_type_codec(
        "uuid", schema="pg_catalog", encoder=str, decoder=str, format="text"
    )
    await connection.set_type_codec(
        "inet", schema="pg_catalog", encoder=str, decoder=str, format="text"
    )
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=orjson.dumps, decoder=orjson.loads, format="text"
    )
    await connection.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=lambda value: (value - _PG_EPOCH_US,),
        decoder=lambda value: value[0] + _PG_EPOCH_US,
        format="tuple",
    )


class _Walker:
    """One chain at a time, row by row."""

    def __init__(
        self,
        report: VerifyReport,
        heads: dict[str, _Head],
        dead: dict[tuple[str, int], _Dead],
        since_us: int | None,
    ) -> None:
        self.report = report
        self.heads = heads
        self.dead = dead
        self.since = since_us
        self.writer: str | None = None
        self.expected = 0
        self.last_hash = GENESIS
        self.last_row: asyncpg.Record | None = None
        self.seen: set[str] = set()
        self.group: list[asyncpg.Record] = []

    def start(self, writer: str, row: asyncpg.Record) -> None:
        self.finish()
        self.writer = writer
        self.seen.add(writer)
        self.report.writers += 1
        self.last_row = None
        head = self.heads.get(writer)
        if head is None:
            self.report.add(_problem("inserted", row, "its writer has no chain head"))
        if self.since is not None:
            # The first row since then is taken as it is: its predecessor is not read.
            self.expected, self.last_hash = row["seq"], row["prev_hash"]
        elif head is not None:
            self.expected, self.last_hash = head.floor_seq + 1, head.floor_hash or GENESIS
        else:
            self.expected, self.last_hash = 1, GENESIS

    def row(self, row: asyncpg.Record) -> None:
        """The next row in (writer, seq) order; rows sharing a seq are judged together."""
        self.report.rows += 1
        group = self.group
        if group and (group[0]["writer_id"], group[0]["seq"]) != (row["writer_id"], row["seq"]):
            self._judge(group)
            group = self.group = []
        group.append(row)

    def flush(self) -> None:
        if self.group:
            self._judge(self.group)
            self.group = []
        self.finish()

    def _judge(self, group: list[asyncpg.Record]) -> None:
        first = group[0]
        writer, seq = first["writer_id"], first["seq"]
        if writer != self.writer:
            self.start(writer, first)
        intact = [
            r
            for r in group
            if hashlib.sha256(r["prev_hash"] + canonical(_record(r), writer, seq)).digest()
            == r["row_hash"]
        ]
        # Of rows sharing a seq, the one that hashes right and links to the chain is the
        # chain's; the others were inserted.
        linked = [r for r in intact if r["prev_hash"] == self.last_hash]
        row = (linked or intact or group)[0]
        for other in group:
            if other is not row:
                self.report.add(_problem("inserted", other, f"seq {seq} appears more than once"))
        if not intact:
            self.report.add(_problem("changed", row, "its content does not match its hash"))
        if seq < self.expected:
            self.report.add(_problem("inserted", row, f"seq {seq} appears out of order"))
            return
        self._skip_dead_letters(seq)
        if seq > self.expected:
            self.report.add(
                Problem(
                    "deleted",
                    writer,
                    self.expected,
                    f"rows seq {self.expected}..{seq - 1} are missing "
                    f"(before log_id {row['log_id']})",
                )
            )
        elif row["prev_hash"] != self.last_hash:
            before = self.last_row
            if before is not None:
                self.report.add(
                    _problem("changed", before, f"seq {seq} recorded another hash for it")
                )
            else:
                self.report.add(_problem("changed", row, "it does not follow its chain's start"))
        self.last_hash = row["row_hash"]
        self.last_row = row
        self.expected = seq + 1

    def _skip_dead_letters(self, until: int) -> None:
        """Dead-lettered rows are links too: checked and passed over."""
        writer = self.writer or ""
        while self.expected < until:
            letter = self.dead.get((writer, self.expected))
            if letter is None:
                return
            if (
                letter.prev_hash != self.last_hash
                or hashlib.sha256(letter.prev_hash + letter.payload).digest() != letter.row_hash
            ):
                self.report.add(
                    Problem("changed", writer, self.expected, "a dead letter does not match")
                )
            self.last_hash = letter.row_hash
            self.expected += 1

    def finish(self) -> None:
        writer = self.writer
        if writer is None:
            return
        head = self.heads.get(writer)
        if head is not None:
            self._skip_dead_letters(head.seq + 1)
            last = self.expected - 1
            if last < head.seq:
                self.report.add(
                    Problem(
                        "deleted",
                        writer,
                        last + 1,
                        f"the chain ends at seq {last}, its head is seq {head.seq}",
                    )
                )
            elif last > head.seq and self.last_row is not None:
                self.report.add(
                    _problem("inserted", self.last_row, f"past the chain's head (seq {head.seq})")
                )
            elif self.since is None and self.last_hash != head.row_hash:
                self.report.add(
                    Problem("changed", writer, head.seq, "the last row differs from the head")
                )
        self.writer = None

    def heads_without_rows(self) -> Iterable[Problem]:
        for writer, head in self.heads.items():
            if writer in self.seen or head.seq <= head.floor_seq:
                continue
            if self.since is not None and head.updated_at < self.since:
                continue
            yield Problem(
                "deleted",
                writer,
                head.floor_seq + 1,
                f"no rows left of a chain whose head is seq {head.seq}",
            )


def _record(row: asyncpg.Record) -> AuditRecord:
    return AuditRecord(
        row["log_id"],
        row["timestamp"],
        row["request_id"],
        row["user_id"],
        row["workspace_id"],
        row["key_id"],
        row["role"],
        row["action"],
        row["model"],
        row["decision"],
        row["dry_run"],
        row["findings"],
        row["instruction_hash"],
        row["context_hash"],
        row["response_hash"],
        row["tokens_estimated"],
        row["tokens_used"],
        row["latency_ms"],
        row["stage_ms"],
        row["status"],
        row["ip_address"],
        row["user_agent"],
        row["bypassed"],
    )


def _problem(kind: str, row: asyncpg.Record, detail: str) -> Problem:
    stamp = _EPOCH + dt.timedelta(microseconds=row["timestamp"])
    return Problem(
        kind,
        row["writer_id"],
        row["seq"],
        detail,
        log_id=row["log_id"],
        request_id=row["request_id"],
        timestamp=stamp.isoformat(),
    )


async def verify(connection: asyncpg.Connection, since: dt.datetime | None = None) -> VerifyReport:
    """Check every chain (rows from ``since`` on, if given); see the module doc.

    ``connection`` gets type codecs of its own: pass one opened for this (the CLI does).
    """
    started = time.perf_counter()
    await _codecs(connection)
    report = VerifyReport()
    since_us = None
    if since is not None:
        since_us = (since - _EPOCH) // dt.timedelta(microseconds=1)
    where = "" if since is None else 'WHERE "timestamp" >= $1'
    args = () if since_us is None else (since_us,)
    # One snapshot for heads, dead letters and rows: a batch committed meanwhile is either
    # wholly seen or not at all.
    async with connection.transaction(readonly=True, isolation="repeatable_read"):
        heads = {
            row["writer_id"]: _Head(
                row["seq"], row["row_hash"], row["floor_seq"], row["floor_hash"], row["updated_at"]
            )
            for row in await connection.fetch(
                "SELECT writer_id, seq, row_hash, floor_seq, floor_hash,"
                " updated_at FROM audit_chain_heads"
            )
        }
        dead = {
            (row["writer_id"], row["seq"]): _Dead(row["prev_hash"], row["row_hash"], row["payload"])
            for row in await connection.fetch(
                "SELECT writer_id, seq, prev_hash, row_hash, payload FROM audit_dead_letters"
            )
        }
        report.dead_letters = len(dead)
        walker = _Walker(report, heads, dead, since_us)
        async for row in connection.cursor(_ROWS.format(where=where), *args, prefetch=_PREFETCH):
            walker.row(row)
        walker.flush()
    for problem in walker.heads_without_rows():
        report.add(problem)
    report.seconds = time.perf_counter() - started
    return report
