"""``aegis audit verify|match|prune|search|export`` through a real core, as an investigator
runs them (``AEGIS_CORE_URL``, ``AEGIS_API_KEY``)."""

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
from tests.conftest import AUDIT_HASH_KEY, Stack, run_sync
from tests.e2e.test_admin_api import make_key

KEY = AUDIT_HASH_KEY
SECRET_TEXT = "the quarterly plan, draft 3"


def _write(database_url: str, spool_dir: Path) -> None:
    async def write() -> None:
        database = Database(database_url)
        await database.run()
        await database.wait_pool()
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
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """verify exits 0 on an intact trail and 1 naming a changed row; match finds when a text
    was sent (exit 0) or says it was not (exit 1); prune exports and drops the old month."""
    database_url = stack.database_url
    admin = make_key(stack, "admin", "cli-root", "*")
    monkeypatch.setenv("AEGIS_CORE_URL", stack.core.url)
    monkeypatch.setenv("AEGIS_API_KEY", admin.key)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    _write(database_url, tmp_path)

    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("intact: ")
    # The chains run through every workspace: one workspace's admin may not verify them.
    monkeypatch.setenv("AEGIS_API_KEY", make_key(stack, "admin", "cli-ws-admin", "payments").key)
    assert main(["audit", "verify"]) == 1
    assert "auditor's or a global admin's key" in capsys.readouterr().err
    monkeypatch.setenv("AEGIS_API_KEY", admin.key)

    assert main(["audit", "match", "--text", SECRET_TEXT]) == 0
    out = capsys.readouterr().out
    assert "request cli-3" in out and "instruction" in out
    assert SECRET_TEXT not in out
    (tmp_path / "text.txt").write_text(SECRET_TEXT, "utf-8")
    assert main(["audit", "match", "--text-file", str(tmp_path / "text.txt"), "--json"]) == 0
    assert [m["request_id"] for m in orjson.loads(capsys.readouterr().out)] == ["cli-3"]
    # Saved by an editor, or piped from echo: the file's last line break was not sent.
    (tmp_path / "line.txt").write_text(SECRET_TEXT + "\n", "utf-8")
    assert main(["audit", "match", "--text-file", str(tmp_path / "line.txt"), "--json"]) == 0
    assert [m["request_id"] for m in orjson.loads(capsys.readouterr().out)] == ["cli-3"]
    assert main(["audit", "match", "--text", SECRET_TEXT + "\n"]) == 1  # --text is exact
    capsys.readouterr()
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
    assert orjson.loads(capsys.readouterr().out)["ok"] is True
    assert main(["audit", "search", "--request-id", "cli-0", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out) == []

    run_sync(
        lambda: _execute(
            database_url, "UPDATE audit_logs SET model = 'x' WHERE request_id = 'cli-3'"
        )
    )
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN: 1 problems")
    assert "changed: log_id" in out and "request cli-3" in out
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    assert main(["audit", "verify", "--since", since]) == 1


def test_search_prints_a_table_and_export_writes_every_row(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """search prints readable rows (and --json); export --format csv|jsonl -o FILE writes the
    matching rows with progress on stderr; a developer key is refused in one line."""
    auditor = make_key(stack, "auditor", "cli-sec", "security")
    monkeypatch.setenv("AEGIS_CORE_URL", stack.core.url)
    monkeypatch.setenv("AEGIS_API_KEY", auditor.key)
    _write(stack.database_url, tmp_path)

    assert main(["audit", "search", "--user", "alice", "--since", "1h"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["time", "(UTC)", "request"]
    assert [line.split()[2] for line in out[1:]] == ["cli-4", "cli-3", "cli-2"]
    assert "KR_RRN" in out[1] and "mask" in out[1]
    assert main(["audit", "search", "--request-id", "cli-2", "--json"]) == 0
    [row] = orjson.loads(capsys.readouterr().out)
    assert (row["user_id"], row["workspace_id"]) == ("alice", "payments")
    assert main(["audit", "search", "--user", "alice", "--limit", "2", "--json"]) == 0
    assert len(orjson.loads(capsys.readouterr().out)) == 2

    for form in ("csv", "jsonl"):
        target = tmp_path / f"out.{form}"
        assert (
            main(["audit", "export", "--format", form, "-o", str(target), "--user", "alice"]) == 0
        )
        err = capsys.readouterr().err
        assert "5 rows" in err and str(target) in err
        lines = target.read_text().splitlines()
        assert len(lines) == (6 if form == "csv" else 5)
    assert lines[0].startswith("{") and "cli-0" in lines[0]

    # The old month goes again (prune needs a global admin), leaving no partition behind.
    monkeypatch.setenv("AEGIS_API_KEY", make_key(stack, "admin", "cli-root2", "*").key)
    assert main(["audit", "prune"]) == 0
    assert ": 2 rows" in capsys.readouterr().out
    developer = make_key(stack, "developer", "cli-dev", "tests")
    monkeypatch.setenv("AEGIS_API_KEY", developer.key)
    assert main(["audit", "search"]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == "aegis: core answered 403: Role 'developer' does not have the 'audit:read' permission.\n"
    )
    monkeypatch.setenv("AEGIS_CORE_URL", "http://127.0.0.1:9")
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().err.startswith("aegis: cannot reach core at http://127.0.0.1:9")
