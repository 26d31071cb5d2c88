"""PII in core's pipeline on real servers: masked before the model sees it, secrets refused,
and policies per workspace choosing block / mask / redact / hash / allow."""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

import httpx

from devupstream.app import DEFAULT_MODEL
from tests.conftest import Stack

RRN = "900101-1234568"  # check digit passes
PHONE = "010-1234-5678"
PROMPT = f"주민번호 {RRN}, 연락처 {PHONE} 로 민원 답변서를 써 줘."


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _chat(stack: Stack, key: str, content: Any, *, via_edge: bool = True) -> httpx.Response:
    base = stack.edge.url if via_edge else stack.core.url
    body = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": content}]}
    return httpx.post(base + "/v1/chat/completions", json=body, headers=_auth(key), timeout=30)


def test_the_model_sees_masked_values(stack: Stack) -> None:
    """The echoing development model returns what it was sent: the masked text."""
    key = stack.create_key().key
    answer = _chat(stack, key, PROMPT)
    assert answer.status_code == 200
    reply = answer.json()["choices"][0]["message"]["content"]
    assert "900101-1******" in reply
    assert "*********5678" in reply
    assert RRN not in reply and PHONE not in reply
    # The client is told, through the edge, which kinds of value were masked.
    assert answer.headers["x-aegis-masked"] == "KR_RRN,PHONE_NUMBER"


def test_streams_are_masked_too(stack: Stack) -> None:
    """A streamed request is masked before it is sent: the model streams the masked text."""
    key = stack.create_key().key
    body = {
        "model": DEFAULT_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
    }
    with httpx.stream(
        "POST", stack.edge.url + "/v1/chat/completions", json=body, headers=_auth(key)
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["x-aegis-masked"] == "KR_RRN,PHONE_NUMBER"
        events = [
            json.loads(line[len("data: ") :])
            for line in answer.iter_lines()
            if line.startswith("data: {")
        ]
    streamed = "".join(
        e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"]
    )
    assert "900101-1******" in streamed
    assert RRN not in streamed and PHONE not in streamed


def test_content_parts_are_masked_in_place(stack: Stack) -> None:
    """Only the text part holding the value changes; other parts stay as they were."""
    key = stack.create_key().key
    parts = [
        {"type": "text", "text": "첫 번째 문단입니다."},
        {"type": "text", "text": "메일은 hong@example.com 입니다."},
    ]
    answer = _chat(stack, key, parts)
    assert answer.status_code == 200
    reply = answer.json()["choices"][0]["message"]["content"]
    assert "h***@example.com" in reply
    assert "첫 번째 문단입니다." in reply


def test_secrets_are_refused(stack: Stack) -> None:
    """A cloud key or a password never reaches the model: 400 naming the entity, no value."""
    key = stack.create_key().key
    before = stack.upstream.stats.requests
    answer = _chat(stack, key, "deploy with AKIAIOSFODNN7EXAMPLE please")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "aegis_blocked"
    assert {(f["scanner"], f["type"]) for f in error["aegis"]["findings"]} >= {
        ("pii", "AWS_ACCESS_KEY")
    }
    assert "AKIAIOSFODNN7EXAMPLE" not in answer.text
    assert stack.upstream.stats.requests == before


def test_inspect_shows_the_masked_text_and_exact_offsets(stack: Stack) -> None:
    key = stack.create_key().key
    result = httpx.post(
        stack.core.url + "/api/v1/inspect", json={"text": PROMPT}, headers=_auth(key)
    ).json()
    assert result["decision"] == "mask"
    spans = {f["type"]: PROMPT[f["start"] : f["end"]] for f in result["findings"]}
    assert spans == {"KR_RRN": RRN, "PHONE_NUMBER": PHONE}
    assert result["masked"] == {
        "text": PROMPT.replace(RRN, "900101-1******").replace(PHONE, "*********5678")
    }
    assert "pii" in result["latency_ms"]


def test_hundreds_of_findings_are_each_listed_counted_and_masked(stack: Stack) -> None:
    """More findings than core handles on its event loop (their decision and wire form go to
    a worker thread): every one is listed with its offsets and masked, the metrics count each
    once, and a request refused for them lists them all."""
    key = stack.create_key().key
    phones = [f"010-{1000 + i:04d}-{5000 + i:04d}" for i in range(300)]
    text = "".join(f"{i}번 고객 연락처 {phone}. " for i, phone in enumerate(phones))
    result = httpx.post(
        stack.core.url + "/api/v1/inspect", json={"text": text}, headers=_auth(key), timeout=30
    ).json()
    assert result["decision"] == "mask"
    assert [text[f["start"] : f["end"]] for f in result["findings"]] == phones
    masked = result["masked"]["text"]
    assert not any(phone in masked for phone in phones) and masked.count("*********") == 300
    metrics = httpx.get(stack.core.url + "/metrics").text
    assert (
        'aegis_threats_detected_total{scanner="pii",service="core",type="PHONE_NUMBER"} 300.0'
        in metrics
    )
    refused = _chat(stack, key, text + " AKIAIOSFODNN7EXAMPLE", via_edge=False)
    assert refused.status_code == 400
    findings = refused.json()["error"]["aegis"]["findings"]
    assert [f["type"] for f in findings].count("PHONE_NUMBER") == 300
    assert "AWS_ACCESS_KEY" in {f["type"] for f in findings}


def _wait_for(stack: Stack, key: str, check: Any, within: float = 5.0) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        answer = _chat(stack, key, PROMPT)
        if check(answer):
            return answer
        assert time.monotonic() < deadline, f"policy not applied: {answer.status_code}"
        time.sleep(0.05)


def test_workspace_policy_chooses_the_action(stack: Stack) -> None:
    """block, redact, hash and allow per entity, set by an admin, applied without restart."""
    admin = stack.create_key("admin").key
    user = stack.create_key().key
    url = stack.core.url + "/api/v1/admin/policies/workspace/tests"

    def put(actions: dict[str, str]) -> None:
        answer = httpx.put(url, json={"actions": actions}, headers=_auth(admin))
        assert answer.status_code == 200, answer.text

    put({"pii:KR_RRN": "block"})
    blocked = _wait_for(stack, user, lambda a: a.status_code == 400)
    assert blocked.json()["error"]["code"] == "aegis_blocked"

    put({"pii:KR_RRN": "redact", "pii:PHONE_NUMBER": "hash"})
    reply = _wait_for(stack, user, lambda a: a.status_code == 200 and "<KR_RRN>" in a.text).json()[
        "choices"
    ][0]["message"]["content"]
    # Salted SHA-256 (Presidio's hash operator): 64 hex digits where the number was, not the
    # plain hash of the number, which trying every number would reverse.
    assert re.search(r"연락처 [0-9a-f]{64} 로", reply)
    assert hashlib.sha256(PHONE.encode()).hexdigest() not in reply
    assert RRN not in reply and PHONE not in reply

    # Allowed in: the model sees the values as they were sent. Its answer repeating them is
    # the output guard's (output_actions, mask by default), not the input's.
    put({"pii": "allow"})
    prompt_hash = hashlib.sha256(PROMPT.encode()).hexdigest()
    reply = _wait_for(
        stack,
        user,
        lambda a: a.status_code == 200 and stack.upstream.stats.last_prompt_sha256 == prompt_hash,
    ).json()["choices"][0]["message"]["content"]
    assert RRN not in reply and "900101-1******" in reply


def test_bad_pii_actions_are_refused(stack: Stack) -> None:
    admin = stack.create_key("admin").key
    url = stack.core.url + "/api/v1/admin/policies/workspace/tests"
    for actions, param in (
        ({"pii:KR_RRM": "mask"}, "actions.pii:KR_RRM"),
        ({"pii": "encrypt"}, "actions.pii"),
        ({"classifier": "mask"}, "actions.classifier"),
    ):
        answer = httpx.put(url, json={"actions": actions}, headers=_auth(admin))
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == param


PSEUDONYMIZED = "주민번호 <KR_RRN_1>, 연락처 <PHONE_NUMBER_1> 로 민원 답변서를 써 줘."


def _pseudonymizing_key(stack: Stack) -> str:
    """A key whose own policy pseudonymises all PII, applied (polled) before returning."""
    admin = stack.create_key("admin").key
    new = stack.create_key()
    answer = httpx.put(
        f"{stack.core.url}/api/v1/admin/policies/key/{new.key_id}",
        json={"actions": {"pii": "pseudonymize"}},
        headers=_auth(admin),
    )
    assert answer.status_code == 200, answer.text
    _wait_for(stack, new.key, lambda a: a.status_code == 200 and RRN in a.text)
    return new.key


def _streamed(stack: Stack, key: str, path: str, body: dict[str, Any]) -> tuple[str, int]:
    with httpx.stream("POST", stack.edge.url + path, json=body, headers=_auth(key)) as answer:
        assert answer.status_code == 200
        assert answer.headers["x-aegis-masked"] == "KR_RRN,PHONE_NUMBER"
        lines = list(answer.iter_lines())
    assert lines[-2:] == ["data: [DONE]", ""] or lines[-1] == "data: [DONE]"
    events = [json.loads(line[len("data: ") :]) for line in lines if line.startswith("data: {")]
    text = "".join(
        (choice.get("delta") or {}).get("content") or choice.get("text") or ""
        for event in events
        for choice in event["choices"]
    )
    return text, len(events)


def test_pseudonymised_values_come_back_in_the_answer(stack: Stack) -> None:
    """The model sees placeholders only; the client reads its own values in the answer."""
    key = _pseudonymizing_key(stack)
    answer = _chat(stack, key, PROMPT)
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == "echo: " + PROMPT
    assert answer.headers["x-aegis-masked"] == "KR_RRN,PHONE_NUMBER"
    seen = hashlib.sha256(PSEUDONYMIZED.encode()).hexdigest()
    assert stack.upstream.stats.last_prompt_sha256 == seen
    # What the model would be sent, as inspect shows it.
    inspected = httpx.post(
        stack.core.url + "/api/v1/inspect", json={"text": PROMPT}, headers=_auth(key)
    ).json()
    assert inspected["masked"] == {"text": PSEUDONYMIZED}


def test_pseudonymised_streams_are_restored_across_chunks(stack: Stack) -> None:
    """Streamed a few characters per event, so placeholders arrive cut in pieces: the
    client still reads the values, and never a piece of a placeholder."""
    key = _pseudonymizing_key(stack)
    chat = {
        "model": DEFAULT_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
        "devupstream": {"chunks": 19},
    }
    text, events = _streamed(stack, key, "/v1/chat/completions", chat)
    assert text == "echo: " + PROMPT
    assert events > 10  # a few characters each
    assert (
        stack.upstream.stats.last_prompt_sha256
        == hashlib.sha256(PSEUDONYMIZED.encode()).hexdigest()
    )
    completion = {
        "model": DEFAULT_MODEL,
        "prompt": PROMPT,
        "stream": True,
        "devupstream": {"chunks": 23},
    }
    text, _ = _streamed(stack, key, "/v1/completions", completion)
    assert text == "echo: " + PROMPT
