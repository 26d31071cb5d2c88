"""The official OpenAI SDK pointed at the edge: client → edge → core → upstream and back."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from devupstream.app import DEFAULT_MODEL, FIXTURE_MODEL
from tests.conftest import Stack


def _client(stack: Stack, key: str, **options: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack.base_url, api_key=key, max_retries=0, **options)


def test_chat_completion_round_trip(stack: Stack) -> None:
    """A chat completion returns the upstream's answer and a request id header."""
    key = stack.create_key()
    raw = _client(stack, key.key).chat.completions.with_raw_response.create(
        model=DEFAULT_MODEL, messages=[{"role": "user", "content": "안녕하세요, world"}]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "echo: 안녕하세요, world"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    request_id = raw.headers["x-aegis-request-id"]
    assert request_id.startswith("req_")
    # The same id reached the model server, and the client's Aegis key did not.
    assert stack.upstream.stats.last_headers["x-aegis-request-id"] == request_id
    assert "authorization" not in stack.upstream.stats.last_headers


def test_chat_completion_stream(stack: Stack) -> None:
    """A streamed chat completion arrives as several chunks that add up to the answer."""
    key = stack.create_key()
    stream = _client(stack, key.key).chat.completions.create(
        model=DEFAULT_MODEL,
        messages=[{"role": "user", "content": "stream me a reply please"}],
        stream=True,
        extra_body={"devupstream": {"chunks": 5}},
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    # Streamed, not gathered: the output guard may hold a word back until the next piece
    # shows it whole, so the pieces need not be the upstream's five.
    assert len([p for p in pieces if p]) >= 3
    assert "".join(pieces) == "echo: stream me a reply please"


def test_completions_json_and_stream(stack: Stack) -> None:
    """Legacy completions work as JSON and as a stream."""
    client = _client(stack, stack.create_key().key)
    completion = client.completions.create(model=DEFAULT_MODEL, prompt="say this")
    assert completion.choices[0].text == "echo: say this"
    streamed = client.completions.create(model=DEFAULT_MODEL, prompt="say that", stream=True)
    assert "".join(chunk.choices[0].text for chunk in streamed if chunk.choices) == "echo: say that"


def test_embeddings(stack: Stack) -> None:
    """Embeddings are passed through: one vector per input, deterministic per text."""
    client = _client(stack, stack.create_key().key)
    result = client.embeddings.create(model=DEFAULT_MODEL, input=["one", "two", "one"])
    vectors = [item.embedding for item in result.data]
    assert len(vectors) == 3
    assert vectors[0] == vectors[2] != vectors[1]


def test_models(stack: Stack) -> None:
    """The model list is the upstream's."""
    client = _client(stack, stack.create_key().key)
    assert [model.id for model in client.models.list()] == [DEFAULT_MODEL, FIXTURE_MODEL]


def test_invalid_key_is_refused(stack: Stack) -> None:
    """An unknown key gets 401 in OpenAI's shape, which the SDK raises as AuthenticationError."""
    with pytest.raises(openai.AuthenticationError) as caught:
        _client(stack, "sk-aegis-not-a-real-key").models.list()
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.response.headers["x-aegis-request-id"]


def test_missing_key_is_refused(stack: Stack) -> None:
    """A request without Authorization gets 401 and an OpenAI-shaped error body."""
    response = httpx.post(
        stack.base_url + "/chat/completions",
        json={"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "param"}
    assert error["aegis"]["request_id"] == response.headers["x-aegis-request-id"]


def test_schema_violation_is_400_naming_the_param(stack: Stack) -> None:
    """A message without a role is refused with 400 and the offending param."""
    client = _client(stack, stack.create_key().key)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=DEFAULT_MODEL, messages=[{"content": "no role"}])  # type: ignore[list-item, typeddict-item]
    assert caught.value.status_code == 400
    assert caught.value.param == "messages[0].role"
    assert stack.upstream.stats.requests == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"model": "m", "messages": [', id="truncated-json"),
        pytest.param(b"\xff\xfe not json", id="binary"),
        pytest.param(b"[1, 2]", id="array-not-object"),
        pytest.param(b'{"model": "m", "messages": "hi"}', id="messages-not-array"),
        pytest.param(b'{"model": "m", "messages": [], "stream": "yes"}', id="empty-messages"),
    ],
)
def test_malformed_bodies_are_400(stack: Stack, body: bytes) -> None:
    """Broken or mistyped bodies get 400 in OpenAI's shape, never a 500."""
    key = stack.create_key()
    response = httpx.post(
        stack.base_url + "/chat/completions",
        content=body,
        headers={"authorization": f"Bearer {key.key}", "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_body_over_the_limit_is_413(stack: Stack) -> None:
    """A body over MAX_REQUEST_BYTES is refused with 413 before it is parsed."""
    client = _client(stack, stack.create_key().key)
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": "x" * 70_000}]
        )
    assert caught.value.status_code == 413
    assert caught.value.code == "request_too_large"


def test_chunked_body_over_the_limit_is_413(stack: Stack) -> None:
    """A body without Content-Length is counted as it arrives and cut off at the limit."""
    key = stack.create_key()

    def chunks():
        yield b'{"model": "m", "messages": [{"role": "user", "content": "'
        for _ in range(100):
            yield b"y" * 1024
        yield b'"}]}'

    response = httpx.post(
        stack.base_url + "/chat/completions",
        content=chunks(),
        headers={"authorization": f"Bearer {key.key}"},
    )
    assert response.status_code == 413


def test_unknown_route_is_404(stack: Stack) -> None:
    """An unknown route gets 404 in OpenAI's shape."""
    client = _client(stack, stack.create_key().key)
    with pytest.raises(openai.NotFoundError) as caught:
        client.get("/no/such/route", cast_to=object)
    assert caught.value.code == "not_found"


def test_upstream_unreachable_is_502(stack: Stack) -> None:
    """With the model server down, the client gets 502 upstream_unreachable, not a hang."""
    client = _client(stack, stack.create_key().key)
    stack.upstream.server.stop()
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.status_code == 502
    assert caught.value.code == "upstream_unreachable"


def test_upstream_error_status_is_passed_through(stack: Stack) -> None:
    """An error answer from the model server reaches the client with its status."""
    client = _client(stack, stack.create_key().key)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(
            model=DEFAULT_MODEL,
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"devupstream": {"status": 429}},
        )


def test_core_unreachable_is_503(stack: Stack) -> None:
    """With core down, the edge answers 503 core_unavailable (fail-closed)."""
    client = _client(stack, stack.create_key().key)
    stack.core.stop()
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.status_code == 503
    assert caught.value.code == "core_unavailable"
    assert stack.upstream.stats.requests == 0


def test_stream_broken_by_upstream_raises_in_sdk(stack: Stack) -> None:
    """If the model server dies mid-stream, the SDK sees an error, not a silent truncation."""
    client = _client(stack, stack.create_key().key)
    stream = client.chat.completions.create(
        model=DEFAULT_MODEL,
        messages=[{"role": "user", "content": "a long answer that will be cut"}],
        stream=True,
        extra_body={"devupstream": {"chunks": 6, "drop_after": 2}},
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_stream_first_chunk_arrives_before_upstream_finishes(stack: Stack) -> None:
    """Streaming is not buffered: the first chunk arrives long before the last is generated."""
    client = _client(stack, stack.create_key().key)
    started = time.monotonic()
    stream = client.chat.completions.create(
        model=DEFAULT_MODEL,
        messages=[{"role": "user", "content": "one two three four five six"}],
        stream=True,
        extra_body={"devupstream": {"chunks": 6, "delay_ms": 250}},
    )
    arrivals = [time.monotonic() - started for chunk in stream if chunk.choices]
    # Upstream waits 250 ms between chunks: ~1.25 s from first to last content chunk.
    assert arrivals[0] < 0.5
    assert arrivals[-1] - arrivals[0] > 1.0


def test_auditor_cannot_call_models(stack: Stack) -> None:
    """A role without llm:call gets 403 (the edge refuses it from the key set, before core)."""
    client = _client(stack, stack.create_key(role="auditor").key)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "permission_denied"
