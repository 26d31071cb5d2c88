"""Backups that restore: deploy/backup's scripts dump a stack's database (audit rows
included), encrypted, and bring it back into a new database where `aegis audit verify`
passes; a wrong key fails clearly and touches nothing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from core.app import create_app as create_core
from tests.conftest import ServerThread, Stack, _with_database, run_sync
from tests.processes import create_admin_key

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup" / "aegis-backup.sh"
RESTORE = ROOT / "deploy" / "backup" / "aegis-restore.sh"
AEGIS = str(Path(sys.executable).with_name("aegis"))
# Names a plaintext custom-format dump of our schema holds; none may show in the file.
PLAINTEXT_MARKS = (b"PGDMP", b"audit_logs", b"CREATE TABLE", b"row_hash")


def _need(binary: str) -> str:
    """The binary's path; a missing one is a failure in CI and a named skip elsewhere."""
    found = shutil.which(binary)
    if found is None:
        why = f"{binary} is not installed (Debian package {binary}; make install adds it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return found


def _pg_dump() -> str:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_dump"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return str(versions[-1]) if versions else _need("pg_dump")


def _script(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Only what the script is given: no BACKUP_* or AGE_* of the caller leaks in.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BACKUP_", "AGE_"))}
    base["AEGIS"] = AEGIS
    return subprocess.run(
        [str(script), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(params=["age", "gpg"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, dict[str, str]]:
    """Settings to back up with, to restore with, and a wrong key, for each encryption."""
    folder = tmp_path / "keys"
    folder.mkdir()
    if request.param == "age":
        keygen = str(Path(_need("age")).with_name("age-keygen"))
        identity, wrong = folder / "identity.txt", folder / "wrong.txt"
        for path in (identity, wrong):
            subprocess.run([keygen, "-o", str(path)], check=True, capture_output=True)
        recipients = folder / "recipients.txt"
        public = subprocess.run(
            [keygen, "-y", str(identity)], check=True, capture_output=True, text=True
        ).stdout
        recipients.write_text(public)
        return {
            "backup": {"AGE_RECIPIENTS_FILE": str(recipients)},
            "restore": {"AGE_IDENTITY_FILE": str(identity)},
            "wrong": {"AGE_IDENTITY_FILE": str(wrong)},
        }
    _need("gpg")
    passphrase = "correct horse " + secrets.token_hex(8)
    phrase_file = folder / "passphrase"
    phrase_file.write_text(passphrase + "\n")
    return {
        "backup": {"BACKUP_PASSPHRASE_FILE": str(phrase_file)},
        "restore": {"BACKUP_PASSPHRASE": passphrase},
        "wrong": {"BACKUP_PASSPHRASE": passphrase + "x"},
    }


async def _fetch(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(url)
    try:
        return [dict(row) for row in await connection.fetch(sql, *args)]
    finally:
        await connection.close()


def _query(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = run_sync(lambda: _fetch(url, sql, *args))
    return rows


def _audit_rows(url: str) -> list[dict[str, Any]]:
    return _query(url, "SELECT request_id, seq, row_hash, prev_hash FROM audit_logs ORDER BY seq")


def _database_exists(server_url: str, name: str) -> bool:
    admin = _with_database(server_url, "postgres")
    return bool(_query(admin, "SELECT 1 FROM pg_database WHERE datname = $1", name))


def _drop_database(server_url: str, name: str) -> None:
    admin = _with_database(server_url, "postgres")
    run_sync(lambda: _fetch(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _backup(database_url: str, folder: Path, env: dict[str, str], keep: int = 14) -> Path:
    done = _script(
        BACKUP,
        {"DATABASE_URL": database_url, "BACKUP_DIR": str(folder), "BACKUP_KEEP": str(keep)} | env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == ""  # cron mails whatever it prints
    return max(folder.glob("aegis-*.dump.*"))


def _make_audit_rows(stack: Stack) -> list[str]:
    """Three requests through the edge; wait until core has audited each (by request id)."""
    key = stack.create_key().key
    sent = []
    for text in ("hello there", "what is 2+2?", "call me at 010-4821-7735"):
        answer = httpx.post(
            stack.base_url + "/chat/completions",
            json={"model": "aegis-dev-echo", "messages": [{"role": "user", "content": text}]},
            headers={"authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert answer.status_code == 200
        sent.append(answer.headers["x-aegis-request-id"])
    deadline = time.monotonic() + 30
    while not set(sent) <= {r["request_id"] for r in _audit_rows(stack.database_url)}:
        assert time.monotonic() < deadline, "core never audited the requests"
        time.sleep(0.1)
    return sent


def _verify_through_core(stack: Stack, restored_url: str, tmp_path: Path) -> tuple[int, str]:
    """`aegis audit verify` as an operator runs it: a core on the restored database, a
    global admin key made there with --direct."""
    settings = replace(
        stack.core_settings,
        database_url=restored_url,
        redis_prefix="r" + secrets.token_hex(4) + ":",
        audit_spool_dir=tmp_path / "restored-audit",
    )
    core = ServerThread(create_core(settings)).start()
    try:
        admin = create_admin_key(restored_url)
        deadline = time.monotonic() + 15
        headers = {"authorization": f"Bearer {admin}"}
        while httpx.get(core.url + "/api/v1/admin/keys", headers=headers).status_code != 200:
            assert time.monotonic() < deadline, "the restored core never loaded the admin key"
            time.sleep(0.1)
        checked = subprocess.run(
            [AEGIS, "audit", "verify", "--json"],
            env={**os.environ, "AEGIS_CORE_URL": core.url, "AEGIS_API_KEY": admin},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return checked.returncode, checked.stdout + checked.stderr
    finally:
        core.stop()


def test_backup_restores_into_a_new_database_where_audit_verify_passes(
    stack: Stack, keys: dict[str, dict[str, str]], postgres_server_url: str, tmp_path: Path
) -> None:
    """A stack's audit rows survive backup and restore byte for byte: the dump on disk is
    encrypted (0600, no pg_dump magic, no schema names), the restore creates a new database
    whose schema is up to date, and `aegis audit verify` through a core on it passes (and
    fails once a restored row is altered)."""
    request_ids = _make_audit_rows(stack)
    original = _audit_rows(stack.database_url)
    dump = _backup(stack.database_url, tmp_path / "backups", keys["backup"])

    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    content = dump.read_bytes()
    assert [mark for mark in PLAINTEXT_MARKS if mark in content] == []
    # The same check finds every mark in a plain dump of the same database.
    plain = subprocess.run(
        [_pg_dump(), "-Fc", "--dbname", stack.database_url], capture_output=True, check=True
    ).stdout
    assert [mark for mark in PLAINTEXT_MARKS if mark in plain] == list(PLAINTEXT_MARKS)

    name = "aegis_restored_" + secrets.token_hex(4)
    restored_url = _with_database(postgres_server_url, name)
    try:
        done = _script(RESTORE, {"RESTORE_DATABASE_URL": restored_url} | keys["restore"], str(dump))
        assert done.returncode == 0, done.stderr
        assert f"into {name}: {len(original)} audit rows" in done.stdout
        assert "migrations: schema is up to date" in done.stdout
        assert _audit_rows(restored_url) == original
        assert {row["request_id"] for row in original} >= set(request_ids)

        status, output = _verify_through_core(stack, restored_url, tmp_path)
        assert status == 0, output
        report = json.loads(output)
        assert report["ok"] is True
        assert report["rows"] >= len(original)  # and the admin calls made on the restored core

        run_sync(
            lambda: _fetch(
                restored_url,
                "UPDATE audit_logs SET latency_ms = coalesce(latency_ms, 0) + 1"
                " WHERE request_id = $1",
                request_ids[0],
            )
        )
        status, output = _verify_through_core(stack, restored_url, tmp_path)
        assert status == 1, output
        assert json.loads(output)["ok"] is False
    finally:
        _drop_database(postgres_server_url, name)


def test_a_wrong_key_fails_clearly_and_creates_no_database(
    database_url: str, keys: dict[str, dict[str, str]], postgres_server_url: str, tmp_path: Path
) -> None:
    """Restoring with the wrong key or passphrase exits 3 saying it cannot decrypt, before
    any database is created."""
    dump = _backup(database_url, tmp_path / "backups", keys["backup"])
    name = "aegis_restored_" + secrets.token_hex(4)
    try:
        done = _script(
            RESTORE,
            {"RESTORE_DATABASE_URL": _with_database(postgres_server_url, name)} | keys["wrong"],
            str(dump),
        )
        assert done.returncode == 3, done.stderr
        assert f"cannot decrypt {dump}: wrong key or passphrase" in done.stderr
        assert "Nothing was restored." in done.stderr
        assert done.stdout == ""
        assert not _database_exists(postgres_server_url, name)
    finally:
        _drop_database(postgres_server_url, name)


def test_rotation_keeps_the_newest(database_url: str, tmp_path: Path) -> None:
    """With BACKUP_KEEP=2, three runs leave the two newest dumps."""
    _need("gpg")
    phrase = tmp_path / "passphrase"
    phrase.write_text("rotation passphrase\n")
    folder = tmp_path / "backups"
    made = [_backup(database_url, folder, {"BACKUP_PASSPHRASE_FILE": str(phrase)}, keep=2)]
    made += [_backup(database_url, folder, {"BACKUP_PASSPHRASE_FILE": str(phrase)}, keep=2)]
    made += [_backup(database_url, folder, {"BACKUP_PASSPHRASE_FILE": str(phrase)}, keep=2)]
    assert len(set(made)) == 3
    assert sorted(folder.iterdir()) == made[1:]


def test_no_encryption_configured_writes_nothing(database_url: str, tmp_path: Path) -> None:
    """Without a key or passphrase the backup refuses (exit 2) rather than write plaintext."""
    folder = tmp_path / "backups"
    done = _script(BACKUP, {"DATABASE_URL": database_url, "BACKUP_DIR": str(folder)})
    assert done.returncode == 2
    assert "no encryption configured" in done.stderr
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_failed_dump_keeps_nothing(postgres_server_url: str, tmp_path: Path) -> None:
    """When pg_dump fails (here: no such database) the run exits 1 and leaves no file, not
    even an encrypted empty one or a .partial."""
    folder = tmp_path / "backups"
    missing = _with_database(postgres_server_url, "aegis_missing_" + secrets.token_hex(4))
    done = _script(
        BACKUP,
        {"DATABASE_URL": missing, "BACKUP_DIR": str(folder), "BACKUP_PASSPHRASE": "passphrase"},
    )
    assert done.returncode == 1, done.stderr
    assert "backup failed" in done.stderr
    assert list(folder.iterdir()) == []
