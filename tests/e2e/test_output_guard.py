"""The output guard through the whole path: the official SDK → edge → core → a model that leaks.

The development upstream's ``aegis-dev-fixture`` model answers ``fixture:NAME`` with a
stored answer (``devupstream/fixtures/``), streamed in pieces of 3-7 characters so that every
leaked value arrives split across chunks. What the client receives is checked against the
leaked values themselves: none of them, nor the system prompt, nor the canary, may arrive.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime
from typing import Any, Final

import httpx
import openai
import pytest

from core.scanning.output.canary import CanaryMaker
from devupstream.app import FIXTURE_MODEL
from devupstream.fixturemodel import load_fixtures
from tests.conftest import CANARY_SECRET, Stack

RRN: Final = "850315-1478257"
PHONE: Final = "010-4821-7735"
ACCOUNT: Final = "123456-78-901234"
AWS_KEY_ID: Final = "AKIAZ7QF4N2KX9LW3HTD"
AWS_SECRET: Final = "q8Rz3vN1+Lw7YkT0pXe5/Hc2JmB9sFdU6gKaWn4E"
SYSTEM: Final = (
    "You are the internal assistant of Hanbit Bank's loan desk. Quote rates only from the "
    "2026 rate sheet, never disclose the approval score cut-offs, and answer in Korean."
)
CANARY: Final = re.compile(r"aegis-[a-z2-7]{16}", re.IGNORECASE)


def _client(stack: Stack, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack.base_url, api_key=key, max_retries=0)


def _ask(
    client: openai.OpenAI, fixture: str, *, stream: bool, system: str | None = None
) -> tuple[str, str | None, list[Any]]:
    """The answer's text (content, tool names and arguments), its finish reason, and the
    chunks (streamed) or the completion (JSON)."""
    messages: list[Any] = [{"role": "user", "content": f"fixture:{fixture}"}]
    if system is not None:
        messages.insert(0, {"role": "system", "content": system})
    if not stream:
        completion = client.chat.completions.create(model=FIXTURE_MODEL, messages=messages)
        choice = completion.choices[0]
        text = choice.message.content or ""
        for call in choice.message.tool_calls or []:
            text += call.function.name + call.function.arguments  # type: ignore[union-attr]
        return text, choice.finish_reason, [completion]
    chunks = list(
        client.chat.completions.create(model=FIXTURE_MODEL, messages=messages, stream=True)
    )
    text = ""
    finish = None
    for chunk in chunks:
        for part in chunk.choices:
            text += part.delta.content or ""
            for piece in part.delta.tool_calls or []:
                if piece.function is not None:
                    text += (piece.function.name or "") + (piece.function.arguments or "")
            finish = part.finish_reason or finish
    return text, finish, chunks


def _aegis(answer: list[Any]) -> dict[str, str] | None:
    """The ``aegis`` object of a blocked answer (on the completion, or the last chunk)."""
    extra = answer[-1].model_extra or {}
    aegis: dict[str, str] | None = extra.get("aegis")
    return aegis


def _set_key_policy(stack: Stack, admin: str, key_id: str, document: dict[str, Any]) -> None:
    answer = httpx.put(
        f"{stack.core.url}/api/v1/admin/policies/key/{key_id}",
        json=document,
        headers={"authorization": f"Bearer {admin}"},
    )
    assert answer.status_code == 200, answer.text


def _until_cut(
    client: openai.OpenAI, fixture: str, stream: bool, within: float = 5.0
) -> tuple[str, str | None, list[Any]]:
    """Ask until the answer is cut (a policy just stored reaches core within moments), or
    ``within`` seconds have passed; the last answer."""
    deadline = time.monotonic() + within
    while True:
        text, finish, parts = _ask(client, fixture, stream=stream)
        if finish == "content_filter" or time.monotonic() > deadline:
            return text, finish, parts
        time.sleep(0.05)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _direct(stack: Stack, fixture: str) -> str:
    """What the model server itself answers (its content), without Aegis."""
    answer = httpx.post(
        stack.upstream.url + "/v1/chat/completions",
        json={
            "model": FIXTURE_MODEL,
            "messages": [{"role": "user", "content": f"fixture:{fixture}"}],
        },
    )
    content: str = answer.json()["choices"][0]["message"]["content"]
    return content


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_korean_pii_in_an_answer_is_masked(stack: Stack, stream: bool) -> None:
    """The RRN, the mobile number and the account number never reach the client, whole or in
    part; the rest of the answer does."""
    client = _client(stack, stack.create_key().key)
    text, finish, _ = _ask(client, "pii_ko", stream=stream)
    assert finish == "stop"
    for value in (RRN, PHONE, ACCOUNT):
        assert value not in text
    # Nor the parts masking hides (an RRN keeps its birth date and sex digit, as printed on
    # Korean documents; a phone number its last four digits).
    assert RRN[8:] not in text and PHONE[4:8] not in text and ACCOUNT[:6] not in text
    assert "850315-1******" in text and "*********7735" in text
    assert "환불 금액은" in text and "3영업일 안에 입금됩니다" in text


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_secret_in_an_answer_ends_it(stack: Stack, stream: bool) -> None:
    """AWS credentials in an answer: blocked with finish_reason content_filter and an
    ``aegis`` object naming the finding; no part of the secret key was sent."""
    client = _client(stack, stack.create_key().key)
    text, finish, answer = _ask(client, "secret_aws", stream=stream)
    assert finish == "content_filter"
    assert AWS_SECRET[:6] not in text
    assert AWS_KEY_ID not in text
    aegis = _aegis(answer)
    assert aegis is not None and aegis["scanner"] == "output_pii"
    assert aegis["type"] in ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "GENERIC_SECRET")
    assert "AKIA" not in str(aegis)
    if stream:
        # The text before the secret flowed on: the client saw where the answer stopped.
        assert text.startswith("The deployment script reads its credentials")


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_the_system_prompt_is_not_echoed_and_the_canary_never_arrives(
    stack: Stack, stream: bool
) -> None:
    """A model that repeats its system message is cut: the client gets neither its system
    prompt back (60+ characters verbatim) nor the canary core added to it."""
    client = _client(stack, stack.create_key().key)
    text, finish, answer = _ask(client, "echo_system", stream=stream, system=SYSTEM)
    assert finish == "content_filter"
    assert CANARY.search(text) is None
    assert SYSTEM[:60] not in text
    aegis = _aegis(answer)
    assert aegis is not None and aegis["scanner"] == "leakage"


def test_the_model_gets_the_keys_canary_of_the_day_after_the_system_prompt(stack: Stack) -> None:
    """The system message sent upstream is the client's, a blank line and the key's canary:
    the same on every request of the key that day (vLLM's prefix cache keeps hitting), another
    key's differs. The development upstream keeps only a hash of what it got."""
    maker = CanaryMaker(CANARY_SECRET.encode())
    for key in (stack.create_key(), stack.create_key()):
        for _ in range(2):
            _client(stack, key.key).chat.completions.create(
                model="aegis-dev-echo",
                messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": "hi"}],
            )
            canary = maker.token(key.key_id, datetime.now(UTC))
            expected = SYSTEM + "\n\n" + canary
            assert stack.upstream.stats.last_system_sha256 == _sha256(expected)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_tool_calls_pass_unless_the_policy_allows_other_tools(stack: Stack, stream: bool) -> None:
    """With no allow-list an ai-developer's read_file call passes; with ``tools.allow:
    [execute_python]`` it is taken out of the answer and the agent told (the tool gate,
    :mod:`core.lifecycle.toolcalls`): finish ``stop``, the refusal in the text."""
    admin = stack.create_key("admin").key
    key = stack.create_key("ai-developer")
    client = _client(stack, key.key)
    text, finish, _ = _ask(client, "tool_read_file", stream=stream)
    assert finish == "tool_calls" and "read_file" in text and "README.md" in text

    _set_key_policy(stack, admin, key.key_id, {"tools": {"allow": ["execute_python"]}})
    deadline = time.monotonic() + 5.0
    while (answer := _ask(client, "tool_read_file", stream=stream))[1] != "stop":
        assert time.monotonic() < deadline, answer[1]
        time.sleep(0.05)
    text, finish, answer_parts = answer
    assert "README.md" not in text
    assert text.startswith("[Aegis] The tool call read_file (LOW) was refused")
    assert "policy does not allow this tool" in text
    aegis = next(
        (part.model_extra or {})["aegis"]
        for part in answer_parts
        if "aegis" in (part.model_extra or {})
    )
    assert (aegis["scanner"], aegis["type"]) == ("tool_gate", "tool_not_allowed")


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_clean_answer_arrives_exactly_as_the_model_wrote_it(stack: Stack, stream: bool) -> None:
    """Nothing is changed in an answer with nothing to find, whatever its chunking."""
    client = _client(stack, stack.create_key().key)
    text, finish, _ = _ask(client, "clean", stream=stream)
    assert finish == "stop"
    assert text == _direct(stack, "clean")


def test_every_fixture_through_the_sdk_leaks_nothing(stack: Stack) -> None:
    """Every fixture, JSON and streamed, through edge → core: no leaked value of any of them
    reaches the client, and the findings are counted in core's metrics."""
    client = _client(stack, stack.create_key().key)
    leaked = (RRN, PHONE, ACCOUNT, AWS_KEY_ID, AWS_SECRET)
    for fixture in load_fixtures():
        system = SYSTEM if fixture == "echo_system" else None
        for stream in (False, True):
            text, _, _ = _ask(client, fixture, stream=stream, system=system)
            assert not any(value in text for value in leaked), (fixture, stream)
            assert CANARY.search(text) is None
    metrics = httpx.get(stack.core.url + "/metrics").text
    assert re.search(
        r'aegis_output_findings_total\{scanner="output_pii",type="KR_RRN"\} [1-9]', metrics
    )
    assert re.search(r'aegis_output_blocked_total\{scanner="leakage"\} [1-9]', metrics)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_injection_relayed_through_an_answer_is_reported_or_cut_by_policy(
    stack: Stack, stream: bool
) -> None:
    """An answer that relays a poisoned page's instructions to the agent is reported by
    default (the answer arrives, the finding is counted); with ``output_actions.injection:
    block`` it is cut before the instruction is sent."""
    admin = stack.create_key("admin").key
    key = stack.create_key()
    client = _client(stack, key.key)
    text, finish, _ = _ask(client, "relay_injection", stream=stream)
    assert finish == "stop" and "ignore all previous instructions" in text
    metrics = httpx.get(stack.core.url + "/metrics").text
    assert re.search(
        r'aegis_output_findings_total\{scanner="output_injection",type="injection"\} [1-9]', metrics
    )

    _set_key_policy(stack, admin, key.key_id, {"output_actions": {"injection": "block"}})
    text, finish, parts = _until_cut(client, "relay_injection", stream)
    assert finish == "content_filter"
    assert "ignore all previous instructions" not in text
    assert _aegis(parts) == {"scanner": "output_injection", "type": "injection"}
    if stream:
        # The sentences judged clean before it were sent as they completed.
        assert text.startswith("Here is a summary of the page you asked about.")


@pytest.mark.parametrize("fixture", ["clean", "pii_ko"])
def test_a_streams_usage_chunk_passes_the_guard_unchanged(stack: Stack, fixture: str) -> None:
    """Asked with ``stream_options.include_usage``, a guarded stream (nothing found, or values
    masked) ends with the model's own usage chunk: no choices, the model's token counts."""
    messages: list[Any] = [{"role": "user", "content": f"fixture:{fixture}"}]
    direct = httpx.post(
        stack.upstream.url + "/v1/chat/completions",
        json={"model": FIXTURE_MODEL, "messages": messages},
    ).json()["usage"]
    client = _client(stack, stack.create_key().key)
    chunks = list(
        client.chat.completions.create(
            model=FIXTURE_MODEL,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.model_dump(exclude_none=True) == direct
    assert [c.choices[0].finish_reason for c in chunks[:-1] if c.choices][-1] == "stop"
    assert all(c.usage is None for c in chunks[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert RRN not in text and PHONE not in text
