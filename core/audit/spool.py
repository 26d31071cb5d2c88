"""The audit writer's local spool: chained rows waiting for PostgreSQL, in an append-only file.

One JSON line per row, ``["<prev_hash hex>", "<row_hash hex>", <canonical payload>]``: the
row exactly as it was chained (:func:`core.audit.record.canonical`), so a replay stores the
same row, with the same hash, as a direct write would have. Appends are written and fsynced
before they count. A replay first renames the file (``audit-INSTANCE.replay.jsonl``): rows
spooled meanwhile go to a fresh file, replayed after it, so the order is kept; the replay
file is deleted once every row in it is stored. A replay cut short (a crash, PostgreSQL
gone again) starts over from the top: the writer skips rows stored already.

Lines hold metadata and keyed hashes only, never text. A line a crash cut in half is
skipped and logged (``audit_spool_line_unreadable``); the chain's verify names the row.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import orjson
import structlog

from core.audit.record import LinkedRow, from_payload

__all__ = ["Spool", "spool_line"]

_log = structlog.get_logger("aegis.core.audit")
_SORTED: Final = orjson.OPT_SORT_KEYS


def spool_line(row: LinkedRow) -> bytes:
    """The spool's line for ``row`` (newline included)."""
    return b'["%s","%s",%s]\n' % (
        row.prev_hash.hex().encode(),
        row.row_hash.hex().encode(),
        row.payload,
    )


def _parse(line: bytes) -> LinkedRow:
    prev, digest, fields = orjson.loads(line)
    payload = orjson.dumps(fields, option=_SORTED)
    record, writer_id, seq = from_payload(payload)
    return LinkedRow(record, writer_id, seq, bytes.fromhex(prev), bytes.fromhex(digest), payload)


class Spool:
    """``audit-INSTANCE.jsonl`` under ``directory``, and the file being replayed."""

    def __init__(self, directory: Path, instance: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instance)
        self.directory = directory
        self.path = directory / f"audit-{safe}.jsonl"
        self.replay_path = directory / f"audit-{safe}.replay.jsonl"
        self._lock = threading.Lock()
        self.rows = sum(_count_lines(p) for p in (self.path, self.replay_path))

    def prepare(self) -> None:
        """Create the directory and check it is writable (at start-up)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        probe = self.directory / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()

    @property
    def pending(self) -> bool:
        """Whether rows wait here (new rows must then queue behind them)."""
        return self.rows > 0 or self.replay_path.exists() or _size(self.path) > 0

    def append(self, rows: Sequence[LinkedRow]) -> None:
        """Append ``rows`` and fsync (raises ``OSError`` if the disk refuses)."""
        if not rows:
            return
        data = b"".join(spool_line(row) for row in rows)
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as spool:
                spool.write(data)
                spool.flush()
                os.fsync(spool.fileno())
            self.rows += len(rows)

    def start_replay(self) -> Path | None:
        """The file to replay now: one left from before, or the spool renamed; None if empty."""
        with self._lock:
            if self.replay_path.exists():
                return self.replay_path
            if _size(self.path) == 0:
                return None
            self.path.rename(self.replay_path)
            return self.replay_path

    def read(self, path: Path, batch: int) -> Iterator[list[LinkedRow]]:
        """The rows of ``path`` in order, ``batch`` at a time."""
        rows: list[LinkedRow] = []
        with path.open("rb") as spool:
            for number, line in enumerate(spool, 1):
                try:
                    rows.append(_parse(line))
                except (ValueError, TypeError) as exc:
                    _log.error(
                        "audit_spool_line_unreadable",
                        file=path.name,
                        line=number,
                        error=type(exc).__name__,
                    )
                    continue
                if len(rows) >= batch:
                    yield rows
                    rows = []
        if rows:
            yield rows

    def finish_replay(self, path: Path) -> None:
        """Every row of ``path`` is stored: delete it."""
        with self._lock:
            replayed = _count_lines(path)
            path.unlink(missing_ok=True)
            self.rows = max(self.rows - replayed, 0)


def _size(path: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        return path.stat().st_size
    return 0


def _count_lines(path: Path) -> int:
    count = 0
    with contextlib.suppress(FileNotFoundError), path.open("rb") as spool:
        while chunk := spool.read(1 << 20):
            count += chunk.count(b"\n")
    return count
