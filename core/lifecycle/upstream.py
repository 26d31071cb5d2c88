"""The upstream stage: send the (possibly masked) request to the model server.

Its status, the time to its answer (a stream's: to its first bytes) and the token ``usage``
it reports go into the exchange; for a stream, the number of events, whether it ended
normally and the usage chunk are recorded when it is over.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from starlette.responses import Response
from starlette.types import Receive

from core.lifecycle.exchange import Exchange, Usage
from shared import wire
from shared.relay import Relay, RelayedStream

__all__ = ["send_upstream", "upstream_headers"]


def upstream_headers(
    base: Mapping[str, str], request_id: str, *, json_body: bool
) -> dict[str, str]:
    """``base`` (the model server's credentials) with the request id, under our header and
    vLLM's ``X-Request-Id`` (one id across all hops' logs)."""
    headers = dict(base)
    headers[wire.HEADER_REQUEST_ID] = request_id
    headers["x-request-id"] = request_id
    if json_body:
        headers["content-type"] = "application/json"
    return headers


async def send_upstream(
    relay: Relay,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    exchange: Exchange,
    *,
    stream: bool,
    receive: Receive | None = None,
) -> Response:
    """POST ``body`` to ``url`` through ``relay`` (``receive``: a client that leaves cancels
    the call); the answer as the relay gives it, its facts in ``exchange``."""
    started = time.perf_counter()
    response = await relay.send(
        "POST", url, headers=headers, body=body, stream=stream, receive=receive
    )
    exchange.upstream_status = response.status_code
    exchange.timed("upstream", started)
    if isinstance(response, RelayedStream):
        relayed = response

        async def ended(events: int, completed: bool) -> None:
            exchange.stream_events = events
            exchange.stream_completed = completed
            exchange.usage = Usage.parse(relayed.tail)

        response.on_end = ended
    elif response.status_code == 200:
        exchange.usage = Usage.parse(bytes(response.body))
    return response
