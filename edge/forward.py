"""Forwarding a checked request from the edge to core over the internal network.

Requests are spread over the configured cores in turn. What core answers is passed back
unchanged (status, body, stream); only a failure to *reach* core becomes the edge's own
error: 503 ``core_unavailable`` (nothing was forwarded), 504 on a timeout, 502 if core broke
off mid-answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from starlette.responses import Response
from starlette.types import Receive

from shared import wire
from shared.errors import CoreUnavailableError, UpstreamError, UpstreamTimeoutError
from shared.findings import Finding
from shared.keyset import KeyIdentity
from shared.relay import Relay, RelayErrors

__all__ = ["CORE_ERRORS", "Forwarder"]

CORE_ERRORS = RelayErrors(
    unreachable=CoreUnavailableError,
    timeout=UpstreamTimeoutError,
    broken=UpstreamError,
    hop="core",
)


class Forwarder:
    """Sends requests to core, round-robin over its endpoints."""

    def __init__(self, relay: Relay, core_endpoints: Sequence[str]) -> None:
        self._relay = relay
        self._endpoints = itertools.cycle(tuple(core_endpoints))

    async def forward(
        self,
        method: str,
        path: str,
        *,
        authorization: str,
        identity: KeyIdentity,
        request_id: str,
        client_ip: str,
        user_agent: str | None,
        body: bytes | None = None,
        stream: bool = False,
        receive: Receive | None = None,
        findings: Sequence[Finding] = (),
    ) -> Response:
        headers = {
            "authorization": authorization,
            wire.HEADER_REQUEST_ID: request_id,
            wire.HEADER_CLIENT_IP: client_ip,
            wire.HEADER_KEY_ID: identity.key_id,
        }
        if body is not None:
            headers["content-type"] = "application/json"
        if user_agent:
            headers["user-agent"] = user_agent
        if findings:
            # Types, scores and positions only: never the matched text.
            headers[wire.HEADER_EDGE_FINDINGS] = wire.dumps(
                [finding.as_dict() for finding in findings]
            ).decode()
        url = next(self._endpoints) + path
        return await self._relay.send(
            method, url, headers=headers, body=body, stream=stream, receive=receive
        )
