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
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Final

import aiohttp
import structlog
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive

from shared import wire
from shared.errors import AegisError, UpstreamError, UpstreamTimeoutError, error_body

__all__ = ["Relay", "RelayErrors", "open_session"]

_log = structlog.get_logger("aegis.relay")
_PASSED_RESPONSE_HEADERS: Final = ("content-type", "cache-control", "retry-after")


def open_session(
    *, max_connections: int, connect_timeout_ms: int, read_timeout_ms: int
) -> aiohttp.ClientSession:
    """The one client session a process uses for a kind of next hop (kept-alive connections).

    ``read_timeout_ms`` bounds the silence between two reads, not the whole call: a long
    generation that keeps streaming is never cut off.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=60),
        timeout=aiohttp.ClientTimeout(
            total=None, connect=connect_timeout_ms / 1000, sock_read=read_timeout_ms / 1000
        ),
        auto_decompress=False,
        skip_auto_headers=("User-Agent",),
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

    def __init__(self, session: aiohttp.ClientSession, errors: RelayErrors) -> None:
        self._session = session
        self._errors = errors

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
        call = asyncio.ensure_future(self._send(method, url, headers, body, stream))
        watcher = asyncio.ensure_future(_until_disconnect(receive))
        try:
            await asyncio.wait((call, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if not call.done():
            call.cancel()
            _log.info("client_disconnected", hop=self._errors.hop, phase="waiting")
            # Starlette sends nothing to a client that left; the status is for the access log.
            return Response(status_code=499)
        return call.result()

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        stream: bool,
    ) -> Response:
        errors = self._errors
        try:
            upstream = await self._session.request(method, url, data=body, headers=headers)
        except aiohttp.ClientConnectorError as exc:
            raise errors.unreachable() from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise errors.timeout() from exc
        except aiohttp.ClientError as exc:
            raise errors.broken() from exc
        passed = {
            name: upstream.headers[name]
            for name in _PASSED_RESPONSE_HEADERS
            if name in upstream.headers
        }
        is_sse = upstream.headers.get("content-type", "").startswith("text/event-stream")
        if stream and is_sse and upstream.status == 200:
            return StreamingResponse(
                self._chunks(upstream), status_code=upstream.status, headers=passed
            )
        try:
            data = await upstream.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise errors.timeout() from exc
        except aiohttp.ClientError as exc:
            raise errors.broken() from exc
        finally:
            upstream.release()
        return Response(data, status_code=upstream.status, headers=passed)

    async def _chunks(self, upstream: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        completed = False
        try:
            async for chunk in upstream.content.iter_any():
                yield chunk
            completed = True
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The status line is gone already; an SSE error event makes SDKs raise.
            _log.warning("stream_broken", hop=self._errors.hop, error=type(exc).__name__)
            failure = self._errors.broken()
            body = error_body(failure.message, failure.type, failure.code)
            yield b"data: " + wire.dumps(body) + b"\n\n"
        finally:
            if completed:
                upstream.release()
            else:
                # Closing (not releasing) drops the connection: the next hop sees the
                # client gone and stops generating.
                upstream.close()
                _log.info("stream_closed_early", hop=self._errors.hop)


async def _until_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
