"""Reading request bodies: size limit, and the deadline on a body that does not arrive."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.requests import Request
from starlette.types import Message

from shared.errors import ClientError, RequestTimeoutError, RequestTooLargeError
from shared.http import read_json_body


def _request(chunks: list[bytes], *, content_length: str | None = None, stall: bool = False):
    """A request whose body comes as ``chunks``; with ``stall`` the client then goes quiet."""
    headers = [] if content_length is None else [(b"content-length", content_length.encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    pending = list(chunks)

    async def receive() -> Message:
        if pending:
            return {
                "type": "http.request",
                "body": pending.pop(0),
                "more_body": bool(pending) or stall,
            }
        await asyncio.Event().wait()  # a client that announced more and sends nothing
        raise AssertionError("unreachable")

    return Request(scope, receive)


async def test_body_in_chunks_is_joined() -> None:
    """A body sent in several chunks is read whole."""
    assert await read_json_body(_request([b'{"a":', b" 1}"]), 100, 1.0) == b'{"a": 1}'


@pytest.mark.timing
async def test_stalled_body_is_a_408_after_the_timeout() -> None:
    """A body that stops arriving is a 408 closing the connection, soon after the timeout."""
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as caught:
        await read_json_body(_request([b'{"a":'], stall=True), 100, 0.2)
    took = time.monotonic() - started
    assert 0.2 <= took < 0.6
    assert caught.value.status == 408
    assert caught.value.headers == {"connection": "close"}
    # The task is not left cancelled: it can still await.
    await asyncio.sleep(0)


async def test_other_cancellation_is_not_a_timeout() -> None:
    """A read cancelled from outside (the client left, the server stops) stays cancelled."""
    task = asyncio.create_task(read_json_body(_request([], stall=True), 100, 5.0))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_concurrent_reads_have_their_own_deadlines() -> None:
    """Of two stalled reads, the one with the shorter timeout expires first and alone."""
    short = asyncio.create_task(read_json_body(_request([], stall=True), 100, 0.1))
    long = asyncio.create_task(read_json_body(_request([], stall=True), 100, 5.0))
    with pytest.raises(RequestTimeoutError):
        await short
    assert not long.done()
    long.cancel()
    with pytest.raises(asyncio.CancelledError):
        await long


@pytest.mark.parametrize(
    ("chunks", "content_length", "error"),
    [
        pytest.param([b"x" * 101], None, RequestTooLargeError, id="body-over-limit"),
        pytest.param([b"{}"], "101", RequestTooLargeError, id="declared-over-limit"),
        pytest.param([b"{}"], "²", ClientError, id="declared-unicode-digit"),
        pytest.param([b"{}"], "-1", ClientError, id="declared-negative"),
    ],
)
async def test_size_mistakes(
    chunks: list[bytes], content_length: str | None, error: type[ClientError]
) -> None:
    """Bodies over the limit, or a Content-Length that is not ASCII digits, are 4xx."""
    with pytest.raises(error) as caught:
        await read_json_body(_request(chunks, content_length=content_length), 100, 1.0)
    assert 400 <= caught.value.status < 500
