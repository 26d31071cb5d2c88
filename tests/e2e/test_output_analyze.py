"""``POST /api/v1/output/analyze``: the output guard on an answer a client sends, through the
edge and straight to core, on the real stack. No model is called."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any, Final

import httpx
import pytest
from structlog.testing import capture_logs

from core.app import create_app as create_core
from shared.logging import add_request_context
from tests.conftest import ServerThread, Stack, access_lines

PATH: Final = "/api/v1/output/analyze"
RRN: Final = "850315-1478257"  # a valid check digit
PHONE: Final = "010-4821-7735"
AWS_KEY_ID: Final = "AKIAZ7QF4N2KX9LW3HTD"
AWS_SECRET: Final = "q8Rz3vN1+Lw7YkT0pXe5/Hc2JmB9sFdU6gKaWn4E"
PII_TEXT: Final = (
    f"확인해 보니 고객님의 주민등록번호는 {RRN}이고, 연락처는 {PHONE}입니다. "
    "환불 금액은 3영업일 안에 입금됩니다."
)
SYSTEM: Final = (
    "You are the internal assistant of Hanbit Bank's loan desk. Quote rates only from the "
    "2026 rate sheet, never disclose the approval score cut-offs, and answer in Korean."
)
CLEAN: Final = "회의록 요약: 2026년 3분기 매출은 4.2% 늘었고, 다음 회의는 5월 7일 14:00입니다."
TOOL_CALL: Final = {
    "id": "chatcmpl-7",
    "object": "chat.completion",
    "model": "aegis-dev-fixture",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_0",
                        "type": "function",
                        "function": {
                            "name": "execute_python",
                            "arguments": '{"code": "import os; os.system(\'rm -rf /\')"}',
                        },
                    }
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 500, "total_tokens": 512},
}
VIA: Final = ("edge", "core")


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _analyze(
    stack: Stack, via: str, key: str, *, json: object = None, content: bytes | None = None
) -> httpx.Response:
    server = stack.edge if via == "edge" else stack.core
    return httpx.post(server.url + PATH, headers=_auth(key), json=json, content=content)


def _verdict(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    assert set(result) == {"decision", "risk_score", "findings", "masked", "latency_ms"}
    return result


@pytest.mark.parametrize("via", VIA)
def test_pii_in_an_answer_is_masked(stack: Stack, via: str) -> None:
    """An RRN and a phone number: ``mask``, and the text as a client would get it back."""
    key = stack.create_key().key
    before = stack.upstream.stats.requests
    result = _verdict(_analyze(stack, via, key, json={"text": PII_TEXT}))
    assert result["decision"] == "mask"
    masked = result["masked"]["text"]
    assert RRN not in masked and PHONE not in masked and RRN[8:] not in masked
    assert "850315-1******" in masked and "*********7735" in masked
    assert masked.endswith("환불 금액은 3영업일 안에 입금됩니다.")
    assert {(f["scanner"], f["type"]) for f in result["findings"]} == {
        ("output_pii", "KR_RRN"),
        ("output_pii", "PHONE_NUMBER"),
    }
    for finding in result["findings"]:
        assert PII_TEXT[finding["start"] : finding["end"]] in (RRN, PHONE)
    assert "output_guard" in result["latency_ms"]
    assert stack.upstream.stats.requests == before  # no model is called


@pytest.mark.parametrize("via", VIA)
def test_an_aws_key_blocks(stack: Stack, via: str) -> None:
    """AWS credentials: ``block``, nothing given back, the finding without the key."""
    key = stack.create_key().key
    text = f"aws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n"
    answer = _analyze(stack, via, key, json={"text": text})
    result = _verdict(answer)
    assert result["decision"] == "block"
    assert result["masked"] is None
    assert "AWS_ACCESS_KEY" in {f["type"] for f in result["findings"]}
    assert "AKIA" not in answer.text and AWS_SECRET[:8] not in answer.text


@pytest.mark.parametrize("via", VIA)
def test_an_output_repeating_the_system_prompt_blocks(stack: Stack, via: str) -> None:
    """With the messages, 70 characters of their system prompt in the output is a leak."""
    key = stack.create_key().key
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "규칙은?"}]
    output = f"제 지침은 이렇습니다: {SYSTEM[10:80]}"
    result = _verdict(_analyze(stack, via, key, json={"messages": messages, "output": output}))
    assert result["decision"] == "block"
    assert [(f["scanner"], f["type"]) for f in result["findings"]] == [("leakage", "system_prompt")]


@pytest.mark.parametrize("via", VIA)
def test_a_tool_call_outside_the_keys_allow_list_blocks(stack: Stack, via: str) -> None:
    """A chat completion calling ``execute_python``: allowed with no allow-list; once the
    key's policy says ``tools.allow: [read_file]``, ``block`` on the tool gate, the finding
    naming the call."""
    admin = stack.create_key("admin").key
    key = stack.create_key()
    result = _verdict(_analyze(stack, via, key.key, json=TOOL_CALL))
    assert result["decision"] == "allow"
    assert result["masked"] == TOOL_CALL
    answer = httpx.put(
        f"{stack.core.url}/api/v1/admin/policies/key/{key.key_id}",
        json={"tools": {"allow": ["read_file"]}},
        headers=_auth(admin),
    )
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 5
    while True:
        result = _verdict(_analyze(stack, via, key.key, json=TOOL_CALL))
        if result["decision"] == "block" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert result["decision"] == "block"
    assert [(f["scanner"], f["type"], f["field"], f["call"]) for f in result["findings"]] == [
        ("tool_gate", "tool_not_allowed", "name", 0)
    ]
    assert result["masked"] is None


@pytest.mark.parametrize("via", VIA)
def test_a_clean_text_is_allowed_as_it_is(stack: Stack, via: str) -> None:
    """Prose with dates, prices and times: ``allow``, no finding, the text back unchanged."""
    key = stack.create_key().key
    result = _verdict(_analyze(stack, via, key, json={"text": CLEAN}))
    assert result["decision"] == "allow"
    assert result["findings"] == []
    assert result["risk_score"] == 0.0
    assert result["masked"] == {"text": CLEAN}


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        pytest.param(b"{not json", "invalid_json", None, id="malformed"),
        pytest.param(b"[]", "invalid_request", None, id="not-object"),
        pytest.param(b'{"text": 5}', "invalid_request", "text", id="text-not-string"),
        pytest.param(b'{"output": "x"}', "invalid_request", "messages", id="output-alone"),
        pytest.param(
            b'{"choices": [{"message": {"content": 5}}]}',
            "invalid_request",
            "choices[0].message.content",
            id="content-number",
        ),
    ],
)
def test_bad_bodies_are_400_in_openai_shape(
    stack: Stack, via: str, body: bytes, code: str, param: str | None
) -> None:
    """A malformed body is a 400 naming what is wrong, whichever process gets it."""
    key = stack.create_key().key
    answer = _analyze(stack, via, key, content=body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param)
    assert error["aegis"]["request_id"] == answer.headers["x-aegis-request-id"]


@pytest.mark.parametrize("via", VIA)
def test_a_key_that_may_not_call_models_is_refused(stack: Stack, via: str) -> None:
    """An auditor's key is 403, an unknown one 401."""
    auditor = stack.create_key("auditor").key
    answer = _analyze(stack, via, auditor, json={"text": "hi"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    assert _analyze(stack, via, "sk-aegis-not-a-key", json={"text": "hi"}).status_code == 401


def test_the_edge_applies_its_body_limit(stack: Stack) -> None:
    """The edge's MAX_REQUEST_BYTES applies to analysis calls too."""
    key = stack.create_key().key
    text = "a" * stack.edge_settings.max_request_bytes
    answer = _analyze(stack, "edge", key, json={"text": text})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "request_too_large"


def test_an_analysis_is_logged_and_counted_without_its_text(stack: Stack) -> None:
    """Core's access line names the findings and the block, never the text; the findings
    are counted in ``aegis_output_findings_total``; one request id across both hops."""
    key = stack.create_key().key
    with capture_logs(processors=[add_request_context]) as logs:
        answer = _analyze(stack, "edge", key, json={"text": PII_TEXT})
        # (create_key's wait for the key may log its line late: only this path's lines)
        lines = access_lines(logs, 2, path=PATH)
    assert _verdict(answer)["decision"] == "mask"
    request_id = answer.headers["x-aegis-request-id"]
    assert [(line["path"], line["request_id"]) for line in lines] == [
        (PATH, request_id),
        (PATH, request_id),
    ]
    # Core's line: the one with stages (each process writes its own after its answer is sent,
    # so either may come first).
    (core_line,) = [line for line in lines if "stage_ms" in line]
    assert core_line["output_findings"] == ["output_pii:KR_RRN", "output_pii:PHONE_NUMBER"]
    assert "output" in core_line["stage_ms"]
    assert RRN not in str(logs) and PHONE not in str(logs) and RRN[:6] not in str(logs)
    metrics = httpx.get(stack.core.url + "/metrics").text
    assert re.search(
        r'aegis_output_findings_total\{scanner="output_pii",type="PHONE_NUMBER"\} [1-9]', metrics
    )


def test_an_analysed_completions_usage_is_not_charged(stack: Stack) -> None:
    """No model answers an analysis: the ``usage`` of a completion sent for analysis (500
    completion tokens, here) is not charged to a key with a budget of 60 a minute."""
    key = stack.create_key(user="metered", tokens_per_minute=60).key
    assert _verdict(_analyze(stack, "edge", key, json=TOOL_CALL))["decision"] == "allow"
    time.sleep(0.3)  # a charge would be sent within 50 ms of the answer's end
    chat = {"model": "m", "messages": [{"role": "user", "content": "Say hi."}]}
    answer = httpx.post(stack.base_url + "/chat/completions", json=chat, headers=_auth(key))
    assert answer.status_code == 200, answer.text


def test_with_output_scanning_off_the_answer_is_409(stack: Stack) -> None:
    """A core with OUTPUT_SCAN_ENABLED=false says so: 409 ``output_scan_disabled``, a
    client's error in OpenAI's shape, not a failing core's 5xx."""
    key = stack.create_key().key
    core = ServerThread(
        create_core(replace(stack.core_settings, output_scan_enabled=False))
    ).start()
    try:
        answer = httpx.post(core.url + PATH, headers=_auth(key), json={"text": PII_TEXT})
    finally:
        core.stop()
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "output_scan_disabled")
    assert "OUTPUT_SCAN_ENABLED" in error["message"]


def test_without_a_core_the_edge_answers_503_even_failing_open(stack: Stack) -> None:
    """Only core can analyse: with no core up the edge answers 503 ``core_unavailable``,
    fail-open or not, and nothing goes to the model server."""
    key = stack.create_key().key
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    before = stack.upstream.stats.requests
    answer = _analyze(stack, "edge", key, json={"text": PII_TEXT})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "core_unavailable"
    assert "x-aegis-bypassed" not in answer.headers
    assert stack.upstream.stats.requests == before


@pytest.mark.parametrize("size", [20_000, 200_000], ids=["worker-thread", "heavy-scan"])
def test_a_long_answer_is_analysed_whole(stack: Stack, size: int) -> None:
    """An answer past the inline size (scanned on core's worker thread) and one past
    ``HEAVY_SCAN_CHARS`` (a heavy-scan slot): the RRN at the end of either is masked, the
    rest given back as sent."""
    key = stack.create_key().key
    prose = CLEAN + " "
    text = prose * (size // len(prose)) + PII_TEXT
    result = _verdict(_analyze(stack, "core", key, json={"text": text}))
    assert result["decision"] == "mask"
    masked = result["masked"]["text"]
    assert RRN not in masked and "850315-1******" in masked
    assert masked.startswith(prose * (size // len(prose)))


@pytest.mark.parametrize("via", VIA)
def test_hostile_bodies_and_methods_get_a_4xx_and_the_breaker_stays_closed(
    stack: Stack, via: str
) -> None:
    """Deep nesting, NUL and control characters, Unicode digits, a huge field, HEAD and odd
    methods: each a 4xx in OpenAI's shape (or an answer), never a 5xx, and the edge keeps
    core's breaker closed."""
    key = stack.create_key().key
    deep = b'{"text": "a", "x": ' + b"[" * 300 + b"]" * 300 + b"}"
    bodies = [
        deep,
        b'{"text": "nul \\u0000 and \\u0001 control"}',
        '{"text": "주민번호 ９００１０１-１２３４５６８"}'.encode(),
        b'{"messages": [{"role": "system", "content": "x"}], "output": {"choices": 1}}',
        b'{"text": "' + b"a" * 70_000 + b'"}',
        b'{"choices": [{"message": {"tool_calls": [{"function": {"name": 5}}]}}]}',
    ]
    server = stack.edge if via == "edge" else stack.core
    statuses = []
    for body in bodies:
        answer = _analyze(stack, via, key, content=body)
        statuses.append(answer.status_code)
        assert answer.status_code < 500, (body[:60], answer.text)
        if answer.status_code >= 400:
            assert answer.json()["error"]["type"] == "invalid_request_error", answer.text
    # An unknown method ("FOO") is refused by the HTTP protocol before any route: the
    # raw-socket cases of test_fuzz check production's shaped 400 for it.
    for method in ("HEAD", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        answer = httpx.request(method, server.url + PATH, headers=_auth(key))
        assert 400 <= answer.status_code < 500, (method, answer.status_code)
        if method != "HEAD":
            assert "error" in answer.json()
    assert 400 in statuses  # the nesting at least was refused at the door
    ready = httpx.get(stack.edge.url + "/api/v1/ready").json()
    assert ready["cores"]["core_0"] == "closed"
