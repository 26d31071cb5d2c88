"""``aegis audit verify|match|prune`` against a real PostgreSQL, as an investigator runs them."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import asyncpg
import orjson
import pytest

from core.audit.hashing import TextHasher
from core.audit.record import AuditRecord
from core.audit.spool import Spool
from core.audit.writer import AuditWriter
from core.cli.main import main
from core.db.pool import Database
from tests.conftest import run_sync

KEY = "cli-test-audit-key-0123456789"
SECRET_TEXT = "the quarterly plan, draft 3"


def _write(database_url: str, spool_dir: Path) -> None:
    async def write() -> None:
        database = Database(database_url)
        await database.run()
        pool = await database.wait_pool()
        await pool.execute("TRUNCATE audit_logs, audit_chain_heads, audit_dead_letters")
        writer = AuditWriter(database, Spool(spool_dir, "cli"), instance="cli")
        digest = TextHasher(KEY.encode()).digest(SECRET_TEXT)
        now = int(time.time() * 1_000_000)
        old = int((time.time() - 400 * 86_400) * 1_000_000)
        for number, stamp in enumerate([old, old + 1, now - 2, now - 1, now]):
            writer.submit(
                AuditRecord.example(
                    log_id=str(uuid.uuid4()),
                    timestamp_us=stamp,
                    request_id=f"cli-{number}",
                    instruction_hash=digest if number == 3 else None,
                    response_hash=None,
                )
            )
        await writer.flush()
        await database.close()

    run_sync(write)


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_verify_match_and_prune_from_the_command_line(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """verify exits 0 on an intact trail and 1 naming a changed row; match finds when a text
    was sent (exit 0) or says it was not (exit 1); prune exports and drops the old month."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HASH_KEY", KEY)
    _write(database_url, tmp_path)

    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("intact: 5 rows in 1 chains")

    assert main(["audit", "match", "--text", SECRET_TEXT]) == 0
    out = capsys.readouterr().out
    assert "request cli-3" in out and "instruction" in out
    assert SECRET_TEXT not in out
    (tmp_path / "text.txt").write_text(SECRET_TEXT, "utf-8")
    assert main(["audit", "match", "--text-file", str(tmp_path / "text.txt"), "--json"]) == 0
    assert [m["request_id"] for m in orjson.loads(capsys.readouterr().out)] == ["cli-3"]
    assert main(["audit", "match", "--text", SECRET_TEXT + "!"]) == 1
    assert "not found" in capsys.readouterr().out

    export = tmp_path / "old.jsonl"
    assert main(["audit", "prune", "--dry-run"]) == 0
    assert "would drop" in capsys.readouterr().out
    assert main(["audit", "prune", "--export", str(export)]) == 0
    assert "dropped audit_logs_y" in capsys.readouterr().out
    assert [orjson.loads(line)["request_id"] for line in export.read_bytes().splitlines()] == [
        "cli-0",
        "cli-1",
    ]
    assert main(["audit", "verify", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["rows"] == 3

    run_sync(lambda: _execute(database_url, "UPDATE audit_logs SET model = 'x' WHERE seq = 4"))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN: 1 problems")
    assert "changed: log_id" in out and "request cli-3" in out
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    assert main(["audit", "verify", "--since", since]) == 1
