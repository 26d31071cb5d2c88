"""Request parsing: what the gateway accepts, and the 400s it gives otherwise."""

from __future__ import annotations

import pytest

from shared.errors import InvalidRequestError, MalformedJsonError
from shared.wire import (
    MAX_JSON_DEPTH,
    dump_body,
    load_object,
    new_request_id,
    parse_api_request,
    parse_inspect_request,
    valid_request_id,
)


def _nested(levels: int) -> bytes:
    """A chat body whose "extra" field makes the whole body ``levels`` deep."""
    extra = b"[" * (levels - 1) + b"]" * (levels - 1)
    return b'{"model":"m","messages":[{"role":"user","content":"hi"}],"extra":' + extra + b"}"


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
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":[],"content":"x"}]}',
            "messages[0].role",
            id="role-array",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":{},"content":"x"}]}',
            "messages[0].role",
            id="role-object",
        ),
        pytest.param(
            "chat",
            b'{"model":"' + b"m" * 257 + b'","messages":[{"role":"user","content":"x"}]}',
            "model",
            id="model-too-long",
        ),
        pytest.param(
            "chat",
            b'{"model":"m\\u0000","messages":[{"role":"user","content":"x"}]}',
            "model",
            id="model-nul",
        ),
        pytest.param(
            "completion", b'{"model":"m\\nX-Injected: 1","prompt":"x"}', "model", id="model-newline"
        ),
        pytest.param(
            "embedding", b'{"model":"m\\u0085","input":"x"}', "model", id="model-c1-control"
        ),
        pytest.param(
            "embedding", b'{"model":"m\\u200b","input":"x"}', "model", id="model-zero-width"
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}',
            "messages[0].content[0].text",
            id="text-part-number",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":[{"type":"input_text",'
            b'"text":["x"]}]}]}',
            "messages[0].content[0].text",
            id="input-text-part-array",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"assistant","content":[{"type":"refusal"}]}]}',
            "messages[0].content[0].refusal",
            id="refusal-part-missing",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","name":{"a":1},"content":"x"}]}',
            "messages[0].name",
            id="name-object",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"assistant","content":null,'
            b'"tool_calls":[{"function":{"name":"f","arguments":{"q":"x"}}}]}]}',
            "messages[0].tool_calls[0].function.arguments",
            id="tool-arguments-object",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[7]}]}',
            "messages[0].tool_calls[0]",
            id="tool-call-not-object",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":{}}]}',
            "messages[0].tool_calls",
            id="tool-calls-not-array",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}}',
            "tools",
            id="tools-not-array",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":"x"}],'
            b'"tools":[{"type":"function","function":{"name":"f","description":["x"]}}]}',
            "tools[0].function.description",
            id="tool-description-array",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":"x"}],'
            b'"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]}',
            "tools[0].function.parameters",
            id="tool-parameters-string",
        ),
        pytest.param(
            "chat",
            b'{"model":"m","messages":[{"role":"user","content":"x"}],'
            b'"response_format":{"type":"json_schema","json_schema":{"description":1}}}',
            "response_format.json_schema.description",
            id="response-format-description-number",
        ),
    ],
)
def test_schema_violations_name_the_param(kind: str, body: bytes, param: str) -> None:
    """Each schema violation is a 400 naming the offending parameter."""
    with pytest.raises(InvalidRequestError) as caught:
        parse_api_request(kind, body)  # type: ignore[arg-type]
    assert caught.value.status == 400
    assert caught.value.param == param


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function",'
            b'"function":{"name":"f","description":"d","parameters":{"type":"object"}}}],'
            b'"response_format":{"type":"json_schema","json_schema":{"description":"r"}}}',
            id="tools-and-response-format",
        ),
        pytest.param(
            b'{"model":"m","messages":[{"role":"user","name":"a","content":['
            b'{"type":"input_text","text":"x"},{"type":"image_url","image_url":{"url":"u"}}]},'
            b'{"role":"assistant","content":[{"type":"refusal","refusal":"no"}],'
            b'"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]}',
            id="names-parts-tool-calls",
        ),
        pytest.param(
            b'{"model":"'
            + "모델-v2.5:latest".encode()
            + b'","messages":[{"role":"user","content":"x"}]}',
            id="model-non-ascii",
        ),
        pytest.param(_nested(MAX_JSON_DEPTH), id="depth-at-the-limit"),
    ],
)
def test_more_valid_requests_parse(body: bytes) -> None:
    """Every field the gateway scans may be sent in its documented form."""
    assert parse_api_request("chat", body).raw is body


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 254, 300, 1000])
def test_deep_bodies_are_refused(levels: int) -> None:
    """A body nested deeper than MAX_JSON_DEPTH is a 400 naming the limit, on every route
    that loads a JSON object (orjson reads 1,024 levels but writes only 254)."""
    body = _nested(levels)
    for parse in (
        lambda: parse_api_request("chat", body),
        lambda: parse_inspect_request(body),
        lambda: load_object(body),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            parse()
        assert caught.value.status == 400
        assert str(MAX_JSON_DEPTH) in caught.value.message


@pytest.mark.parametrize("padding", [0, 5000], ids=["small-body", "large-body"])
def test_depth_limit_is_exact(padding: int) -> None:
    """MAX_JSON_DEPTH levels are accepted and one more refused, whether the body is small
    (brackets counted first) or large (walked at once)."""
    pad = b',"pad":"' + b"x" * padding + b'"}'
    at_limit = _nested(MAX_JSON_DEPTH)[:-1] + pad
    assert parse_api_request("chat", at_limit).raw is at_limit
    with pytest.raises(InvalidRequestError):
        parse_api_request("chat", _nested(MAX_JSON_DEPTH + 1)[:-1] + pad)


def test_dump_body_failure_is_a_client_error() -> None:
    """A body orjson cannot write back (here too deep) is a 400, never a TypeError (500)."""
    deep: list[object] = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(InvalidRequestError):
        dump_body({"messages": deep})
    assert dump_body({"a": [1, "b"]}) == b'{"a":[1,"b"]}'


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
