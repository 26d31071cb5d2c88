"""The audit row's ``response_hash`` is there whatever else core does with the answer: with
the output guard off and nothing pseudonymised, nothing but the audit trail reads the answer,
and the row still carries the keyed hash of what the model wrote."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from core.app import create_app as create_core
from core.keys.store import KeyStore, NewKey
from core.settings import CoreSettings
from shared.config import Secret
from tests.conftest import AUDIT_HASH_KEY, ServerThread, Upstream, run_sync
from tests.e2e.test_audit import _mac, _send, _wait_rows


@pytest.fixture
def plain_core(
    upstream: Upstream, database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> Iterator[tuple[ServerThread, NewKey]]:
    """Core with no output guard and no input scanner: the answer passes untouched."""

    async def prepare() -> NewKey:
        connection = await asyncpg.connect(database_url)
        try:
            return await KeyStore(connection).create(
                user="carol", workspace="ops", role="developer"
            )
        finally:
            await connection.close()

    key: NewKey = run_sync(prepare)
    settings = CoreSettings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        upstream_url=upstream.url,
        audit_hash_key=Secret(AUDIT_HASH_KEY),
        audit_spool_dir=tmp_path / "audit",
        output_scan_enabled=False,
        input_scan_enabled=False,
    )
    core = ServerThread(create_core(settings)).start()
    try:
        yield core, key
    finally:
        core.stop()


def test_answers_are_hashed_with_the_output_guard_off(
    plain_core: tuple[ServerThread, NewKey], database_url: str
) -> None:
    """A JSON and a streamed chat answer, and a completion, passed through unread by any
    guard, each leave a row whose response_hash is the HMAC of the answer's text; the
    answers reach the client unchanged."""
    core, key = plain_core
    tag = "hash-" + secrets.token_hex(6)
    word = "plain" + secrets.token_hex(4)
    messages = [{"role": "user", "content": f"say {word}"}]
    chat = {"model": "aegis-dev-echo", "messages": messages}
    json_answer = _send(core.url, key.key, "/v1/chat/completions", chat, f"{tag}-json")
    assert json_answer.status_code == 200, json_answer.text
    text = json_answer.json()["choices"][0]["message"]["content"]
    assert word in text
    streamed = _send(
        core.url, key.key, "/v1/chat/completions", {**chat, "stream": True}, f"{tag}-sse"
    )
    assert streamed.status_code == 200 and "[DONE]" in streamed.text
    completion = {"model": "aegis-dev-echo", "prompt": f"say {word}"}
    completed = _send(core.url, key.key, "/v1/completions", completion, f"{tag}-completion")
    assert completed.status_code == 200, completed.text
    completed_text = completed.json()["choices"][0]["text"]
    rows = {row["request_id"]: row for row in _wait_rows(database_url, tag + "-%", 3)}
    assert rows[f"{tag}-json"]["response_hash"] == _mac(text)
    assert rows[f"{tag}-sse"]["response_hash"] == _mac(f"echo: say {word}")
    assert rows[f"{tag}-completion"]["response_hash"] == _mac(completed_text)
    assert all(row["decision"] == "allow" for row in rows.values())
