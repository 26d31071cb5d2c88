"""Connections to a model server are dropped by us before the server drops them.

uvicorn (and so vLLM) closes a connection idle for 5 s. A client that keeps it longer may
send its next call just as the server closes it, and the call fails (a 502 for our client).
Core's session to the model server, and the edge's when failing open, keep an idle
connection :data:`shared.relay.MODEL_SERVER_KEEPALIVE_S`: the next call after a pause that
long opens a new one, while within the server's 5 s a session that keeps connections longer
(the edge's to core, which serves with a 75 s keep-alive) still reuses its own."""

from __future__ import annotations

import asyncio

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.relay import MODEL_SERVER_KEEPALIVE_S, open_session
from tests.conftest import ServerThread


async def _port(request: Request) -> PlainTextResponse:
    """The client's port: a new one for every new connection."""
    assert request.client is not None
    return PlainTextResponse(str(request.client.port))


def test_an_idle_connection_to_a_model_server_is_dropped_before_the_server_drops_it() -> None:
    app = Starlette(routes=[Route("/port", _port)])
    assert MODEL_SERVER_KEEPALIVE_S + 0.5 < uvicorn.Config(app).timeout_keep_alive
    server = ServerThread(app).start()

    async def ports(keepalive_s: float) -> tuple[str, str]:
        session = open_session(
            max_connections=4,
            connect_timeout_ms=1000,
            read_timeout_ms=5000,
            keepalive_s=keepalive_s,
        )
        async with session:
            async with session.get(server.url + "/port") as first:
                before = await first.text()
            await asyncio.sleep(MODEL_SERVER_KEEPALIVE_S + 0.5)  # still within the server's
            async with session.get(server.url + "/port") as second:
                return before, await second.text()

    async def both() -> tuple[tuple[str, str], tuple[str, str]]:
        return await asyncio.gather(ports(MODEL_SERVER_KEEPALIVE_S), ports(60.0))

    try:
        (short_before, short_after), (long_before, long_after) = asyncio.run(both())
    finally:
        server.stop()
    assert short_before != short_after  # a new connection: ours was dropped first
    assert long_before == long_after  # kept, and reused: the pause alone closes nothing
