"""Relaying an HTTP exchange to the next hop (edge → core, core → model server) with aiohttp.

A :class:`Relay` sends one request and turns the answer into a Starlette response:

- JSON answers are read whole and passed on with the next hop's status.
- Server-sent events are passed on chunk by chunk as they arrive, never buffered.
- If our client goes away, the next hop's connection is closed at once, so the model server
  stops generating (vLLM aborts a request whose connection closed): no orphaned generations.
  This holds for streams and for long non-streamed calls alike.
- aiohttp's exceptions are translated where they happen into our error classes; which ones
  is the caller's choice (the edge says "core unavailable", core says "upstream unreachable").
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import aiohttp
import structlog
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from shared import wire
from shared.errors import AegisError, UpstreamError, UpstreamTimeoutError, error_body

__all__ = [
    "MODEL_SERVER_KEEPALIVE_S",
    "PASSED_RESPONSE_HEADERS",
    "Relay",
    "RelayErrors",
    "RelayedStream",
    "StreamTransform",
    "open_session",
]

_log = structlog.get_logger("aegis.relay")
_PASSED_RESPONSE_HEADERS: Final = ("content-type", "cache-control", "retry-after")
PASSED_RESPONSE_HEADERS: Final = _PASSED_RESPONSE_HEADERS
_STATUS_CLASSES: Final = {n: f"{n}xx" for n in range(1, 6)}


# How long an idle connection to a model server is kept for the next call: less than the
# 5 s after which uvicorn, and so vLLM (VLLM_HTTP_TIMEOUT_KEEP_ALIVE), closes one. Kept
# longer, a call could go out on a connection the server was closing at that moment and
# fail as 502 upstream_error (tests/e2e/test_fuzz.py met it once in 5,200 requests).
# Edge and core serve with a 75 s keep-alive (shared.serve), so the edge keeps its
# connections to core for 60 s.
MODEL_SERVER_KEEPALIVE_S: Final = 4.0


def open_session(
    *,
    max_connections: int,
    connect_timeout_ms: int,
    read_timeout_ms: int,
    ssl_context: ssl.SSLContext | None = None,
    keepalive_s: float = 60.0,
) -> aiohttp.ClientSession:
    """The one client session a process uses for a kind of next hop (kept-alive connections).

    ``read_timeout_ms`` bounds the silence between two reads, not the whole call: a long
    generation that keeps streaming is never cut off. ``ssl_context``: how ``https://`` hops
    are verified and which client certificate is shown (shared.tls); None: aiohttp's default
    verification against the system's CAs. ``keepalive_s``: how long an idle connection is
    kept; less than the next hop keeps it (:data:`MODEL_SERVER_KEEPALIVE_S` for a model
    server).
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=max_connections,
            keepalive_timeout=keepalive_s,
            ssl=True if ssl_context is None else ssl_context,
        ),
        timeout=aiohttp.ClientTimeout(
            total=None, connect=connect_timeout_ms / 1000, sock_read=read_timeout_ms / 1000
        ),
        auto_decompress=False,
        skip_auto_headers=("User-Agent",),
        # A gateway must never carry one client's cookies into another's request; no jar also
        # spares a cookie filter on every call.
        cookie_jar=aiohttp.DummyCookieJar(),
    )


@dataclass(frozen=True, slots=True)
class RelayErrors:
    """Which error to raise when the next hop cannot be reached, times out, or breaks."""

    unreachable: type[AegisError]
    timeout: type[AegisError] = UpstreamTimeoutError
    broken: type[AegisError] = UpstreamError
    hop: str = "upstream"


class Relay:
    """Sends requests to one kind of next hop over a shared aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        errors: RelayErrors,
        *,
        passed_headers: tuple[str, ...] = _PASSED_RESPONSE_HEADERS,
        observe: Callable[[str, str, float], None] | None = None,
    ) -> None:
        """``passed_headers``: the response headers passed on to our client (the edge adds
        core's ``X-Aegis-*`` answers; a model server's are never believed). ``observe``, if
        given, is told of each call once the next hop answered (its response headers) or
        failed: ``(hop, outcome, seconds)``, the outcome a status class (``"2xx"``) or
        ``unreachable``, ``timeout``, ``broken`` (:meth:`shared.metrics.TrafficMetrics.upstream`).
        """
        self._session = session
        self._errors = errors
        self._passed_headers = passed_headers
        self._observe = observe

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None = None,
        stream: bool = False,
        receive: Receive | None = None,
    ) -> Response:
        """Send and relay the answer; ``receive`` lets a client disconnect cancel the call."""
        if receive is None:
            return await self._send(method, url, headers, body, stream)
        async with _DisconnectGuard(receive) as guard:
            return await self._send(method, url, headers, body, stream)
        # Reached only when the guard swallowed the cancellation of a client that left.
        _log.info("client_disconnected", hop=self._errors.hop, phase="waiting", left=guard.left)
        # Nothing is sent to a client that left; the status is for the access log.
        return Response(status_code=499)

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        stream: bool,
    ) -> Response:
        errors = self._errors
        observe = self._observe
        started = time.perf_counter()
        try:
            upstream = await self._session.request(method, url, data=body, headers=headers)
        except aiohttp.ClientConnectorError as exc:
            if observe is not None:
                observe(errors.hop, "unreachable", time.perf_counter() - started)
            raise errors.unreachable() from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            if observe is not None:
                observe(errors.hop, "timeout", time.perf_counter() - started)
            raise errors.timeout() from exc
        except aiohttp.ClientError as exc:
            if observe is not None:
                observe(errors.hop, "broken", time.perf_counter() - started)
            raise errors.broken() from exc
        if observe is not None:
            observe(
                errors.hop,
                _STATUS_CLASSES.get(upstream.status // 100, "other"),
                time.perf_counter() - started,
            )
        passed = {
            name: upstream.headers[name]
            for name in self._passed_headers
            if name in upstream.headers
        }
        is_sse = upstream.headers.get("content-type", "").startswith("text/event-stream")
        if stream and is_sse and upstream.status == 200:
            return RelayedStream(upstream, passed, self._errors)
        try:
            data = await upstream.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise errors.timeout() from exc
        except aiohttp.ClientError as exc:
            raise errors.broken() from exc
        finally:
            upstream.release()
        return Response(data, status_code=upstream.status, headers=passed)


class _DisconnectGuard:
    """Cancels the current task when the client disconnects, and absorbs that cancellation.

    One watcher task per request: cheaper than racing two tasks with ``asyncio.wait`` or an
    anyio task group, which matters on a path every LLM call takes.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.left = False

    async def __aenter__(self) -> _DisconnectGuard:
        self._task = asyncio.current_task()
        self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return self

    async def _watch(self) -> None:
        await _until_disconnect(self._receive)
        self.left = True
        if self._task is not None:
            self._task.cancel()

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> bool:
        self._watcher.cancel()
        if exc_type is asyncio.CancelledError and self.left and self._task is not None:
            self._task.uncancel()
            return True
        return False


# Public name: a handler that waits (core's approval workflow) stops when its client leaves.
DisconnectGuard = _DisconnectGuard


class StreamTransform(Protocol):
    """Rewrites a relayed stream on its way: ``feed`` each chunk as it arrives (it returns
    what to send now, possibly nothing), ``end`` once the next hop's stream is over.

    Once ``finished`` is true after a ``feed``, the transform has ended the stream itself
    (core's output chain blocking an answer): what that ``feed`` returned is the last of it,
    nothing more is read, and the next hop's connection is closed, so it stops generating.

    While ``offloading`` is true, the awaitable ``feed_offloaded`` and ``end_offloaded``
    are used instead: the work runs off the event loop (core's output chain, once an
    answer's checks proved slow). A ``feed`` that turns it on may stop part way through its
    chunk: ``feed_offloaded(b"")`` then does the rest, before anything else.
    """

    @property
    def finished(self) -> bool: ...

    @property
    def offloading(self) -> bool: ...

    def feed(self, chunk: bytes) -> bytes: ...

    def end(self) -> bytes: ...

    async def feed_offloaded(self, chunk: bytes) -> bytes: ...

    async def end_offloaded(self) -> bytes: ...


KEEPALIVE: Final = b": keep-alive\n\n"


async def _end(transform: StreamTransform) -> bytes:
    """``transform.end()``, off the event loop where the transform is ``offloading``."""
    return await transform.end_offloaded() if transform.offloading else transform.end()


class RelayedStream(Response):
    """An ASGI response that passes the next hop's server-sent events on as they arrive.

    If our client leaves, the next hop's connection is closed (not returned to the pool), so
    it sees the disconnect and stops generating. If the next hop breaks off, the client gets
    an SSE error event (the status line is gone already), which makes SDKs raise.

    ``headers`` may be added to until the response starts. ``on_end``, if set, is called
    once the stream is over, however it ended, with the number of SSE ``data:`` events
    relayed (vLLM sends about one per generated token) and whether it ended normally; by
    then ``tail`` holds the last bytes the next hop sent (its last two reads, untransformed:
    where a ``usage`` chunk is). ``transform``, if set before the response starts, rewrites
    the chunks on their way, and may end the stream (see :class:`StreamTransform`).
    """

    on_end: Callable[[int, bool], Awaitable[None]] | None = None
    transform: StreamTransform | None = None
    tail: bytes = b""
    # While a transform holds the stream (core's approval workflow: ``holding`` true, an
    # async ``resolve()``), an SSE comment goes out this often so proxies keep the line.
    keepalive_s: float = 10.0

    async def _wait_held(self, transform: Any, chunk: bytes, send: Send) -> bytes:
        """Send ``chunk``, then wait while the transform holds the stream, sending
        keep-alives and what each resolution releases; what is left to send."""
        while transform.holding and not transform.finished:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            waiting = asyncio.ensure_future(transform.resolve())
            try:
                while True:
                    done, _ = await asyncio.wait({waiting}, timeout=self.keepalive_s)
                    if done:
                        break
                    await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})
            finally:
                if not waiting.done():
                    waiting.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await waiting
            chunk = waiting.result()
        return chunk

    def __init__(  # Starlette's __init__ would render a body; this one streams instead.
        self, upstream: aiohttp.ClientResponse, headers: Mapping[str, str], errors: RelayErrors
    ) -> None:
        self.background = None
        self._upstream = upstream
        self._errors = errors
        self.status_code = upstream.status
        self.raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        upstream = self._upstream
        completed = False
        cut = False
        events = 0
        previous = last_read = b""
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        try:
            async with _DisconnectGuard(receive):
                transform = self.transform
                content = upstream.content
                ended = False
                try:
                    while chunk := await content.readany():
                        events += chunk.count(b"data:")
                        previous, last_read = last_read, chunk
                        # The next hop's end often arrives with its last events: then they
                        # and our end go out in one write.
                        last = content.at_eof()
                        if transform is not None:
                            if transform.offloading:
                                chunk = await transform.feed_offloaded(chunk)
                            else:
                                chunk = transform.feed(chunk)
                                if transform.offloading:
                                    # It stopped part way: the rest of the read, off the loop.
                                    chunk += await transform.feed_offloaded(b"")
                            if getattr(transform, "holding", False):
                                chunk = await self._wait_held(transform, chunk, send)
                            if transform.finished:
                                # The transform ended the answer: stop reading, close.
                                cut = last = True
                            elif last:
                                chunk += await _end(transform)
                        if chunk or last:
                            await send(
                                {"type": "http.response.body", "body": chunk, "more_body": not last}
                            )
                        if last:
                            ended = True
                            break
                    completed = not cut
                    if not ended and transform is not None and (tail := await _end(transform)):
                        await send({"type": "http.response.body", "body": tail, "more_body": True})
                except (aiohttp.ClientError, TimeoutError) as exc:
                    _log.warning("stream_broken", hop=self._errors.hop, error=type(exc).__name__)
                    if transform is not None and (tail := await _end(transform)):
                        await send({"type": "http.response.body", "body": tail, "more_body": True})
                    failure = self._errors.broken()
                    body = error_body(failure.message, failure.type, failure.code)
                    await send(
                        {
                            "type": "http.response.body",
                            "body": b"data: " + wire.dumps(body) + b"\n\n",
                            "more_body": True,
                        }
                    )
                if not ended:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.tail = previous + last_read
            if completed:
                upstream.release()
            else:
                upstream.close()
                _log.info(
                    "stream_closed_early", hop=self._errors.hop, by="gateway" if cut else "client"
                )
            if self.on_end is not None:
                # Also after a disconnect or a broken stream: what was relayed was generated.
                await self.on_end(events, completed)


async def _until_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
