"""Request parsing: what the gateway accepts, and the 400s it gives otherwise."""

from __future__ import annotations

import pytest

from shared.errors import InvalidRequestError, MalformedJsonError
from shared.wire import new_request_id, parse_api_request, valid_request_id


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        pytest.param(
            "chat", b'{"model":"m","messages":[{"role":"user","content":"hi"}]}', id="chat-text"
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}',
            id="chat-parts",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[]},'
            b'{"role":"tool","content":"42","tool_call_id":"t"}]}',
            id="chat-tool-turns",
        ),
        pytest.param("completion", b'{"model":"m","prompt":"hi"}', id="completion-text"),
        pytest.param("completion", b'{"model":"m","prompt":[1,2,3]}', id="completion-tokens"),
        pytest.param("embedding", b'{"model":"m","input":["a","b"]}', id="embedding-list"),
    ],
)
def test_valid_requests_parse(kind: str, body: bytes) -> None:
    """Valid bodies parse, and the original bytes are kept for forwarding."""
    request = parse_api_request(kind, body)  # type: ignore[arg-type]
    assert request.raw is body
    assert request.model == "m"


@pytest.mark.parametrize(
    ("kind", "body", "param"),
    [
        pytest.param("chat", b'{"messages":[]}', "model", id="no-model"),
        pytest.param("chat", b'{"model":"m"}', "messages", id="no-messages"),
        pytest.param(
            "chat", b'{"model":"m","messages":[1]}', "messages[0]", id="message-not-object"
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"hacker","content":"x"}]}',
            "messages[0].role",
            id="bad-role",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":5}]}',
            "messages[0].content",
            id="content-number",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}',
            "messages[0].content[0]",
            id="part-without-type",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}',
            "stream",
            id="stream-not-bool",
        ),
        pytest.param("completion", b'{"model":"m","prompt":{"a":1}}', "prompt", id="prompt-object"),
        pytest.param("embedding", b'{"model":"m","input":""}', "input", id="empty-input"),
        pytest.param(
            "embedding", b'{"model":"m","input":"x","stream":true}', "stream", id="stream-embedding"
        ),
    ],
)
def test_schema_violations_name_the_param(kind: str, body: bytes, param: str) -> None:
    """Each schema violation is a 400 naming the offending parameter."""
    with pytest.raises(InvalidRequestError) as caught:
        parse_api_request(kind, body)  # type: ignore[arg-type]
    assert caught.value.status == 400
    assert caught.value.param == param


def test_malformed_json_is_its_own_code() -> None:
    """Broken JSON is a 400 with code invalid_json, and the message holds no body text."""
    with pytest.raises(MalformedJsonError) as caught:
        parse_api_request("chat", b'{"model": "secret-prompt-text')
    assert caught.value.code == "invalid_json"
    assert "secret-prompt-text" not in caught.value.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param("req_0123abcd", True, id="ours"),
        pytest.param("nginx-abc.123:4", True, id="proxy-style"),
        pytest.param("", False, id="empty"),
        pytest.param("has space", False, id="space"),
        pytest.param("a\nInjected: header", False, id="newline"),
        pytest.param("x" * 129, False, id="too-long"),
    ],
)
def test_request_id_validation(value: str, ok: bool) -> None:
    """Only short, plain ids from callers are adopted."""
    assert valid_request_id(value) is ok


def test_new_request_ids_are_unique_and_valid() -> None:
    """Generated ids are valid and do not repeat."""
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(valid_request_id(i) for i in ids)
