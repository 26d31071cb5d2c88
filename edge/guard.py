"""The edge's checks on a parsed request: rate limits, then the regex prefilter.

:class:`EdgeGuard` turns an authenticated, parsed request into an :class:`Admission` (the
rate limit headers to send and the prefilter findings to forward to core), or raises:

- :class:`RateLimitedError` (429, ``Retry-After``) when the key or the client IP is over its
  limit, :class:`RateLimitStoreError` (503) when Redis is down and the failure mode is
  ``closed``;
- :class:`BlockedError` (400 ``aegis_blocked``, with rule ids) when a prefilter finding is at
  or above ``PREFILTER_BLOCK_SEVERITY`` — unless ``DRY_RUN``, which records and forwards.

Limits: a key's own override (published by core) wins, then its role's
(``RATE_LIMIT_ROLE_MAX_REQUESTS``), then ``RATE_LIMIT_MAX_REQUESTS``; client IPs have
``RATE_LIMIT_IP_MAX_REQUESTS``. Prompt tokens are estimated here (UTF-8 bytes / 4, which
over- rather than under-counts Korean) and completion tokens charged when the answer ends.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

import orjson
import structlog

from edge.ratelimit import RateDecision, RateLimiter, RateLimits
from edge.settings import EdgeSettings
from shared.errors import BlockedError, RateLimitedError, RateLimitStoreError
from shared.extract import ScanText
from shared.findings import Finding
from shared.keyset import KeyIdentity
from shared.prefilter import Prefilter

__all__ = ["Admission", "EdgeGuard", "completion_tokens", "estimate_tokens", "response_usage"]

_log = structlog.get_logger("aegis.edge.guard")


def estimate_tokens(texts: tuple[ScanText, ...] | list[ScanText]) -> int:
    """A cheap upper-ish estimate of prompt tokens: UTF-8 bytes / 4."""
    return sum(len(t.text.encode("utf-8", "surrogatepass")) for t in texts) // 4


@dataclass(frozen=True, slots=True)
class Admission:
    """What the checks let through: headers for the response, findings for core."""

    headers: dict[str, str]
    findings: tuple[Finding, ...] = ()
    prompt_tokens: int = 0  # the estimate the token budget was charged
    # A blocking match only in tool results, left to core, whose workspace policy may
    # ``drop`` the passage instead; such a request must never fail open past core.
    deferred: bool = False


class EdgeGuard:
    """Rate limits and prefilter, configured once from the edge's settings."""

    def __init__(
        self, settings: EdgeSettings, limiter: RateLimiter | None, prefilter: Prefilter | None
    ) -> None:
        self._settings = settings
        self._limiter = limiter
        self._prefilter = prefilter
        self._role_limits = dict(settings.rate_limit_role_max_requests)
        self._limits: dict[tuple[str, int | None, int | None], tuple[RateLimits, RateLimits]] = {}

    def limits_for(self, identity: KeyIdentity) -> tuple[RateLimits, RateLimits]:
        """The key's and its client IP's limits (made once per distinct override)."""
        wanted = (identity.role, identity.max_requests, identity.tokens_per_minute)
        limits = self._limits.get(wanted)
        if limits is None:
            limits = self._limits[wanted] = self._make_limits(identity)
        return limits

    def _make_limits(self, identity: KeyIdentity) -> tuple[RateLimits, RateLimits]:
        s = self._settings
        requests = identity.max_requests
        if requests is None:
            requests = self._role_limits.get(identity.role, s.rate_limit_max_requests)
        tokens = identity.tokens_per_minute
        if tokens is None:
            tokens = s.rate_limit_tokens_per_minute
        key_limits = RateLimits(
            requests=requests,
            window_ms=s.rate_limit_window_ms,
            block_ms=s.rate_limit_block_duration_ms,
            tokens_per_minute=tokens or None,
        )
        ip_limits = RateLimits(
            requests=s.rate_limit_ip_max_requests,
            window_ms=s.rate_limit_window_ms,
            block_ms=s.rate_limit_block_duration_ms,
            tokens_per_minute=None,
        )
        return key_limits, ip_limits

    async def admit(
        self,
        identity: KeyIdentity,
        client_ip: str,
        texts: list[ScanText],
        log: dict[str, object],
    ) -> Admission:
        """Check limits, then scan; raise to refuse, return what to pass on.

        A blocking match found only in tool results is not refused here: core applies the
        workspace's policy to it (``drop`` removes the passage), so the admission is
        ``deferred`` and must not fail open.
        """
        headers: dict[str, str] = {}
        prompt_tokens = estimate_tokens(texts)
        if self._limiter is not None:
            key_limits, ip_limits = self.limits_for(identity)
            decision = await self._limiter.check(
                key_id=identity.key_id,
                client_ip=client_ip,
                key_limits=key_limits,
                ip_limits=ip_limits,
                prompt_tokens=prompt_tokens,
            )
            # A decision taken without Redis is metered and summarised by the limiter
            # (aegis_edge_ratelimit_degraded_decisions_total), not marked on each request line.
            headers = _rate_headers(decision)
            if not decision.allowed:
                log["ratelimit"] = decision.reason
                retry = {"retry-after": str(decision.retry_after_s or 1)}
                if decision.reason == "unavailable":
                    raise RateLimitStoreError(headers={**headers, **retry})
                raise RateLimitedError(
                    f"Rate limit exceeded ({decision.reason} for this {decision.subject}); "
                    f"retry after {decision.retry_after_s or 1} s.",
                    headers={**headers, **retry},
                )
        if self._prefilter is None or not texts:
            return Admission(headers, prompt_tokens=prompt_tokens)
        verdict = self._prefilter.scan(texts)
        if verdict.findings:
            log["prefilter"] = list(verdict.rule_ids)
        if not verdict.block:
            return Admission(headers, verdict.findings, prompt_tokens)
        tool_results = {text.message_index for text in texts if text.role == "tool"}
        if all(finding.message_index in tool_results for finding in verdict.blocking):
            log["prefilter_deferred"] = True
            return Admission(headers, verdict.findings, prompt_tokens, deferred=True)
        if self._settings.dry_run:
            _log.warning("request_would_block", rules=list(verdict.rule_ids), dry_run=True)
        else:
            raise BlockedError([f.as_dict() for f in verdict.findings], headers=headers)
        return Admission(headers, verdict.findings, prompt_tokens)

    def meters_tokens(self, identity: KeyIdentity) -> bool:
        """Whether this key has a token budget, so completion tokens must be charged."""
        if self._limiter is None:
            return False
        budget = identity.tokens_per_minute
        if budget is None:
            budget = self._settings.rate_limit_tokens_per_minute
        return budget > 0

    def charge(self, identity: KeyIdentity, completion_tokens: int) -> None:
        """Charge completion tokens to the key once the answer is complete (sent within
        moments, with the other charges of the key; nothing waits for it)."""
        if self._limiter is not None and completion_tokens > 0:
            self._limiter.charge_soon(key_id=identity.key_id, tokens=completion_tokens)


_COMPLETION_TOKENS: Final = re.compile(rb'"completion_tokens"\s*:\s*([0-9]{1,12})')


def completion_tokens(body: bytes) -> int:
    """The ``usage.completion_tokens`` of an OpenAI JSON answer (0 without one), found
    without parsing the whole answer: it is the only key of that name, near the end.

    >>> completion_tokens(b'{"choices": [], "usage": {"completion_tokens": 42}}')
    42
    """
    at = body.rfind(b'"completion_tokens"')
    if at < 0:
        return 0
    match = _COMPLETION_TOKENS.match(body, at)
    return int(match.group(1)) if match else response_usage(body).get("completion_tokens", 0)


def response_usage(body: bytes) -> dict[str, int]:
    """``usage`` token counts (``prompt_tokens``, ``completion_tokens``) of an OpenAI JSON
    answer; empty when it has none."""
    try:
        usage = orjson.loads(body).get("usage") or {}
        return {
            name: usage[name]
            for name in ("prompt_tokens", "completion_tokens")
            if isinstance(usage.get(name), int)
        }
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return {}


def _rate_headers(decision: RateDecision) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(decision.limit),
        "x-ratelimit-remaining": str(max(0, decision.remaining)),
        "x-ratelimit-reset": str(max(0, math.ceil(decision.reset_s))),
    }
