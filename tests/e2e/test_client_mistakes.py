"""Client mistakes through real servers: each is a 4xx in OpenAI's error shape, never a 500
(nor a 503 reporting an outage), and none counts against core on the edge's breaker."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from devupstream.app import DEFAULT_MODEL
from edge.app import create_app as create_edge
from shared.serve import GatewayHttpProtocol
from shared.wire import MAX_JSON_DEPTH
from tests.conftest import ServerThread, Stack

# The edge's default CORE_FAILURE_THRESHOLD: this many core failures in a row open its breaker.
FAILURES_TO_OPEN = 3


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _chat(**fields: Any) -> dict[str, Any]:
    return {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hi"}], **fields}


def _nested(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def _openai_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of an OpenAI-shaped error answer with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-aegis-request-id"]
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"message", "type", "code", "param"} <= set(error)
    assert "Traceback" not in error["message"]
    return error


def _breaker_closed(stack: Stack) -> bool:
    """The edge's breaker on core is closed, and the edge saw core answer no 5xx at all (a
    5xx counts against the breaker only once several keys saw one, so closed alone proves
    little)."""
    ready = httpx.get(stack.edge.url + "/api/v1/ready").json()
    metrics = httpx.get(stack.edge.url + "/metrics").text
    core_errors = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("aegis_edge_core_request_errors_total{")
    )
    return core_errors == 0 and all(state == "closed" for state in ready["cores"].values())


def _raw_exchange(url: str, request: bytes, *, timeout: float = 5.0) -> tuple[bytes, float]:
    """Send raw bytes to a server; return all it answered until it closed, and how long it
    took to close."""
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received, time.monotonic() - started


def _parse_raw(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body


# --- the API through the edge -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "param"),
    [
        pytest.param(
            _chat(
                messages=[{"role": "user", "content": "Write to jane.doe@example.com today."}],
                extra=_nested(300),
            ),
            None,
            id="pii-to-mask-and-a-300-deep-field",
        ),
        pytest.param(_chat(extra=_nested(MAX_JSON_DEPTH + 1)), None, id="65-deep-field"),
        pytest.param(
            _chat(messages=[{"role": [], "content": "x"}]), "messages[0].role", id="role-array"
        ),
        pytest.param(
            _chat(messages=[{"role": {}, "content": "x"}]), "messages[0].role", id="role-object"
        ),
        pytest.param(_chat(model="m" * 257), "model", id="model-too-long"),
        pytest.param(_chat(model="m\x00"), "model", id="model-nul"),
        pytest.param(
            _chat(messages=[{"role": "user", "content": [{"type": "text", "text": {"x": 1}}]}]),
            "messages[0].content[0].text",
            id="text-part-object",
        ),
        pytest.param(
            _chat(
                messages=[
                    {"role": "assistant", "content": None,
                     "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}
                ]
            ),
            "messages[0].tool_calls[0].function.arguments",
            id="tool-arguments-object",
        ),
    ],
)  # fmt: skip
def test_chat_mistakes_are_400s(stack: Stack, body: dict[str, Any], param: str | None) -> None:
    """Each malformed chat body is a 400 invalid_request_error naming its param, through the
    edge and from core directly, every time; the edge's breaker on core stays closed."""
    key = stack.create_key().key
    for url in (stack.edge.url, stack.core.url):
        for _ in range(FAILURES_TO_OPEN):
            response = httpx.post(url + "/v1/chat/completions", json=body, headers=_auth(key))
            error = _openai_error(response, 400)
            assert error["type"] == "invalid_request_error"
            assert error["param"] == param
    assert stack.upstream.stats.requests == 0
    assert _breaker_closed(stack)


def test_depth_limit_is_named(stack: Stack) -> None:
    """A body nested too deep is told the limit, and one at the limit is served."""
    key = stack.create_key().key
    refused = httpx.post(
        stack.base_url + "/chat/completions",
        json=_chat(extra=_nested(MAX_JSON_DEPTH)),  # the body itself is one level more
        headers=_auth(key),
    )
    assert f"{MAX_JSON_DEPTH} levels" in _openai_error(refused, 400)["message"]
    served = httpx.post(
        stack.base_url + "/chat/completions",
        json=_chat(extra=_nested(MAX_JSON_DEPTH - 1)),
        headers=_auth(key),
    )
    assert served.status_code == 200


def test_trailing_slash_is_a_404_not_a_redirect(stack: Stack) -> None:
    """A trailing slash is an unknown route: 404 in OpenAI's shape, never a redirect built
    from the client's Host header."""
    key = stack.create_key().key
    for url in (stack.edge.url, stack.core.url):
        for path in ("/api/v1/health/", "/v1/models/", "/api/v1/admin/policies/"):
            response = httpx.get(
                url + path,
                headers={**_auth(key), "host": "evil.example"},
                follow_redirects=False,
            )
            assert _openai_error(response, 404)["code"] == "not_found"
            assert "location" not in response.headers


@pytest.mark.parametrize("service", ["edge", "core"])
def test_body_that_never_arrives_is_a_408(stack: Stack, service: str) -> None:
    """A Content-Length larger than the body sent gets 408 within BODY_READ_TIMEOUT_MS, in
    OpenAI's shape, and the connection is closed."""
    key = stack.create_key().key
    if service == "edge":
        stack.restart_edge(body_read_timeout_ms=300)
        url = stack.edge.url
    else:
        stack.stop_core()
        stack.core_settings = replace(stack.core_settings, body_read_timeout_ms=300)
        stack.start_core()
        url = stack.core.url
        # Stopping core may have opened the edge's breaker: let it close again first, so what
        # is asserted below is what the 408 did.
        deadline = time.monotonic() + 20
        while not _breaker_closed(stack):
            assert time.monotonic() < deadline, "the edge's breaker stays open after core is back"
            time.sleep(0.1)
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
        b"authorization: Bearer " + key.encode() + b"\r\n"
        b"content-type: application/json\r\ncontent-length: 100\r\n\r\n"
        b'{"model": "m"'
    )
    answer, took = _raw_exchange(url, request)
    status, headers, body = _parse_raw(answer)
    assert status == 408
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    assert b'"code":"request_timeout"' in body
    assert 0.3 <= took < 3.0
    assert _breaker_closed(stack)


def test_unparsable_http_is_answered_in_openai_shape(stack: Stack) -> None:
    """A request uvicorn's parser refuses is a 400 in OpenAI's shape with a request id, and
    the connection is closed."""
    # Served as shared.serve runs it: with GatewayHttpProtocol instead of plain httptools.
    edge = ServerThread(create_edge(stack.edge_settings))
    edge.server.config.http = GatewayHttpProtocol
    stack.started.append(edge.start())
    for request in (
        b"GET /v1/models HTTP/1.1\r\nhost: x\r\nbroken header line\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /api/v1/health\xff HTTP/1.1\r\nhost: x\r\n\r\n",
    ):
        answer, _ = _raw_exchange(edge.url, request)
        status, headers, body = _parse_raw(answer)
        assert status == 400
        assert headers["content-type"] == "application/json"
        assert headers["connection"] == "close"
        error = httpx.Response(400, content=body).json()["error"]
        assert error["type"] == "invalid_request_error"
        assert error["code"] == "invalid_http_request"
        assert error["aegis"]["request_id"] == headers["x-aegis-request-id"]
    # The same server still serves well-formed requests.
    assert httpx.get(edge.url + "/api/v1/health").status_code == 200


# --- core's admin API -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "param"),
    [
        pytest.param("GET", "/bypass-events?limit=%C2%B2", None, "limit",
                     id="limit-superscript-two"),
        pytest.param("GET", "/bypass-events?limit=%D9%A3", None, "limit",
                     id="limit-arabic-indic-digit"),
        pytest.param("GET", "/bypass-events?limit=99999999999999999999999", None, "limit",
                     id="limit-huge"),
        pytest.param("GET", "/bypass-events?since=999999d", None, "since", id="since-overflow"),
        pytest.param("GET", "/bypass-events?since=0001-01-01T00:00:00%2B14:00", None, "since",
                     id="since-before-year-1"),
        pytest.param("GET", "/bypass-events?since=%00", None, "since", id="since-nul"),
        pytest.param("GET", "/bypass-events/%00", None, "ref", id="ref-nul"),
        pytest.param("POST", "/bypass-events/1%002/review", {"note": "ok"}, "ref",
                     id="review-ref-nul"),
        pytest.param("POST", "/bypass-events/1/review", {"note": "a\x00b"}, "note",
                     id="review-note-nul"),
        pytest.param("GET", "/policies/workspace/a%00b", None, "subject",
                     id="policy-subject-nul"),
        pytest.param("PUT", "/policies/workspace/a%00b", {"dry_run": True}, "subject",
                     id="policy-put-subject-nul"),
        pytest.param("DELETE", "/policies/key/a%1Fb", None, "subject",
                     id="policy-delete-subject-control"),
    ],
)  # fmt: skip
def test_admin_mistakes_are_400s(
    stack: Stack, method: str, path: str, body: dict[str, Any] | None, param: str
) -> None:
    """Bad admin parameters (Unicode digits, overflowing or out-of-range times, NUL and
    other control characters) are a 400 naming the param, never a 500 or a 503
    database_unavailable."""
    admin = stack.create_key("admin").key
    url = stack.core.url + "/api/v1/admin" + path
    response = httpx.request(method, url, json=body, headers=_auth(admin))
    error = _openai_error(response, 400)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_unicode_digit_ref_is_no_event(stack: Stack) -> None:
    """A ref of Unicode digits ('①', which str.isdigit() accepts and int() refuses) names no
    event: 404 in OpenAI's shape, not a 500."""
    admin = stack.create_key("admin").key
    response = httpx.get(
        stack.core.url + "/api/v1/admin/bypass-events/%E2%91%A0", headers=_auth(admin)
    )
    assert _openai_error(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/admin/bypass-events",
        "/api/v1/admin/bypass-events/1",
        "/api/v1/admin/policies",
        "/api/v1/admin/policies/effective",
        "/api/v1/admin/policies/global",
        "/api/v1/admin/policies/workspace/tests",
        "/api/v1/admin/policies/key/nope",
    ],
)
def test_head_on_admin_routes_answers_as_get(stack: Stack, path: str) -> None:
    """HEAD on an admin route has GET's status and headers, without a body."""
    admin = stack.create_key("admin").key
    get = httpx.get(stack.core.url + path, headers=_auth(admin))
    head = httpx.head(stack.core.url + path, headers=_auth(admin))
    assert get.status_code < 500
    assert head.status_code == get.status_code
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
