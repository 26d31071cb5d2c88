"""Forwarding a checked request from the edge to core, or past core to vLLM when failing open.

Requests are balanced round-robin over the cores whose breaker is closed
(:class:`edge.health.CorePool`). What core answers is passed back unchanged (status, body,
stream). The edge's own errors:

- A core that could not be *connected to* never saw the request, so the next core is tried,
  each at most once. When none is left: 503 ``core_unavailable``, or, with
  ``FAIL_OPEN_ENABLED``, the request goes straight to ``FAIL_OPEN_TARGET_URL`` (the bypass).
  A call only core can answer (inspection: there is no model call to fall back to) is
  forwarded with ``may_bypass=False`` and always gets the 503; so is a request whose only
  blocking prefilter match is in a tool result, which core's policy must decide.
- A core that accepted the request and then broke off or timed out answers 502 / 504: the
  model may already be generating, so the request is never sent a second time.

Bypassed answers carry ``X-Aegis-Bypassed: true``, errors of the bypass path included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import orjson
from starlette.responses import Response
from starlette.types import Receive

from edge.health import CoreEndpoint, CorePool
from shared import wire
from shared.errors import (
    AegisError,
    CoreUnavailableError,
    UpstreamError,
    UpstreamTimeoutError,
    UpstreamUnreachableError,
)
from shared.findings import Finding
from shared.keyset import KeyIdentity
from shared.relay import Relay, RelayErrors

__all__ = ["CORE_ERRORS", "FAIL_OPEN_ERRORS", "FailOpenTarget", "Forwarded", "Forwarder"]

CORE_ERRORS = RelayErrors(
    unreachable=CoreUnavailableError,
    timeout=UpstreamTimeoutError,
    broken=UpstreamError,
    hop="core",
)
FAIL_OPEN_ERRORS = RelayErrors(
    unreachable=UpstreamUnreachableError,
    timeout=UpstreamTimeoutError,
    broken=UpstreamError,
    hop="fail_open",
)

# Why a request was bypassed, as recorded in its bypass event.
NO_HEALTHY_CORE: Final = "no_healthy_core"
CORE_UNREACHABLE: Final = "core_unreachable"

_BYPASSED: Final = {wire.HEADER_BYPASSED: "true"}

# Error codes of core's that say nothing about its health: it is shedding load on purpose.
_NOT_CORE_FAILURES: Final = frozenset({"core_busy"})


@dataclass(frozen=True, slots=True)
class FailOpenTarget:
    """Where bypassed requests go (vLLM), and the headers it needs (its API key)."""

    relay: Relay
    url: str
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Forwarded:
    """An answer, and why it came from past core (None when core answered)."""

    response: Response
    bypass_reason: str | None = None


class BypassError(Exception):
    """A bypassed request failed on the way to vLLM: the error to send, and why it bypassed."""

    def __init__(self, error: AegisError, reason: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.reason = reason


class Forwarder:
    """Sends requests to a healthy core, or to the fail-open target when there is none."""

    def __init__(
        self, relay: Relay, cores: CorePool, fail_open: FailOpenTarget | None = None
    ) -> None:
        self._relay = relay
        self._cores = cores
        self._fail_open = fail_open

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
        may_bypass: bool = True,
    ) -> Forwarded:
        """Core's answer, or the bypass's; raises :class:`BypassError` if the bypass failed.

        With ``may_bypass=False`` no core means :class:`CoreUnavailableError` even when
        failing open.
        """
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
        reason = NO_HEALTHY_CORE
        tried: list[CoreEndpoint] = []
        while (endpoint := self._cores.choose(tried)) is not None:
            tried.append(endpoint)
            try:
                response = await self._relay.send(
                    method,
                    endpoint.url + path,
                    headers=headers,
                    body=body,
                    stream=stream,
                    receive=receive,
                )
            except CoreUnavailableError:
                # Never connected: core did not see the request, another may take it.
                self._cores.failed(endpoint, "connect")
                reason = CORE_UNREACHABLE
                continue
            except AegisError as exc:
                # Accepted, then broke off or timed out: a dead or hung core.
                self._cores.failed(endpoint, exc.code)
                raise
            if _failed_in_core(response):
                # Perhaps this request's own doing: counts only if other keys see it too.
                self._cores.request_failed(
                    endpoint, identity.key_id, f"status_{response.status_code}"
                )
            elif response.status_code != 499:  # 499: our client left, core is not to blame
                self._cores.succeeded(endpoint)
            return Forwarded(response)
        if self._fail_open is None or not may_bypass:
            raise CoreUnavailableError()
        response = await self._bypass(
            self._fail_open, method, path, request_id, body, stream, receive, reason
        )
        return Forwarded(response, reason)

    @staticmethod
    async def _bypass(
        target: FailOpenTarget,
        method: str,
        path: str,
        request_id: str,
        body: bytes | None,
        stream: bool,
        receive: Receive | None,
        reason: str,
    ) -> Response:
        headers = dict(target.headers)
        headers[wire.HEADER_REQUEST_ID] = request_id
        headers["x-request-id"] = request_id  # vLLM's own request id: one id in every log
        if body is not None:
            headers["content-type"] = "application/json"
        try:
            response = await target.relay.send(
                method,
                target.url + path,
                headers=headers,
                body=body,
                stream=stream,
                receive=receive,
            )
        except AegisError as exc:
            exc.headers.update(_BYPASSED)
            raise BypassError(exc, reason) from exc
        response.headers.update(_BYPASSED)
        return response


def _failed_in_core(response: Response) -> bool:
    """A 5xx that core produced itself (not one relayed from, or about, the model server, and
    not ``core_busy``: core shedding a heavy scan is working as meant)."""
    if response.status_code < 500:
        return False
    try:
        error = orjson.loads(bytes(response.body))["error"]
        code = error["code"]
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return False
    return (
        isinstance(error, dict)
        and "aegis" in error
        and isinstance(code, str)
        and not code.startswith("upstream_")
        and code not in _NOT_CORE_FAILURES
    )
