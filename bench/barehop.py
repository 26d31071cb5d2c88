"""``python -m bench.barehop``: the libraries' floor for one hop, for ``python -m bench``.

A relay with nothing of Aegis in it: uvicorn (uvloop, httptools, no access log) serving a
bare ASGI function that forwards the request to ``TARGET`` with aiohttp and streams the
answer back as it arrives. ``python -m bench`` chains two of them in place of edge → core
(target ``bare``), so each run shows how much of the gateway's cost is the HTTP stack
itself: what two hops cost before authentication, rate limits, scanning, audit or logging.
"""

from __future__ import annotations

import os
from typing import Any

import aiohttp
import uvicorn

_FORWARDED = (b"content-type", b"authorization")


class BareHop:
    """An ASGI app that relays every request to ``target`` and the answer back, chunk by
    chunk; ``/health`` answers 200 itself."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["path"] == "/health":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"] if k in _FORWARDED}
        assert self.session is not None  # noqa: S101 - set at start-up
        async with self.session.request(
            scope["method"], self.target + scope["path"], data=body, headers=headers
        ) as answer:
            kind = answer.headers.get("content-type", "application/octet-stream")
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status,
                    "headers": [(b"content-type", kind.encode())],
                }
            )
            async for chunk in answer.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.session is not None:
                    await self.session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def main() -> None:
    uvicorn.run(
        BareHop(os.environ["TARGET"]),
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
