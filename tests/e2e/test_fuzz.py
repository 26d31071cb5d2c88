"""The fuzz suite of issue #12: thousands of hostile requests against both tiers.

Hypothesis draws requests from the wire contract (``tests/e2e/fuzz_strategies.py``): nesting
up to 1,100 deep, NUL, control characters and lone surrogates in every string, Unicode digits
and overflowing numbers in queries and path ids, a wrong JSON type in every field, bodies at
the size limit, garbage, odd methods, paths, hosts and Authorization headers. They go through
a real stack (edge → core → development upstream, real Redis and PostgreSQL) with fail-open
on, so a breaker that opened would show as bypassed answers; the edge gets its share, core
(the API, inspection and the admin routes) its own. The draws are derandomised: CI sends the
same requests on every run of the same code. Every response is recorded and judged at the
end, the failures listed grouped by cause:

- no 5xx at all: the echo model never fails, so any 5xx is the gateway's;
- every error in OpenAI's shape, no stack trace, no redirect to another host;
- p99 latency at most 1 s;
- the edge's breaker never opened: no ``core_breaker_open`` line, no bypassed answer, the
  breaker gauge 0 throughout.

What an HTTP client library refuses to send (a bad request line, control bytes in a header,
oversize headers) goes over a raw socket in the second test, to servers running the HTTP
protocol ``shared.serve`` runs in production.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import asyncpg
import httpx
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from structlog.processors import format_exc_info
from structlog.testing import capture_logs

from core.app import create_app as create_core
from core.keys.store import KeyStore, NewKey
from edge.app import create_app as create_edge
from shared.logging import add_request_context
from shared.serve import GatewayHttpProtocol
from tests.conftest import ServerThread, Stack, run_sync
from tests.e2e.fuzz_strategies import FUZZ_USER, Case, Keys, Tier, tier_cases

# 2 × 2,600 draws: at least 5,000 requests even if a few draws are thrown away.
EXAMPLES_PER_TIER: Final = 2_600
MIN_REQUESTS: Final = 5_000
P99_LIMIT_S: Final = 1.0
CLIENT_TIMEOUT_S: Final = 10.0
# How often (in requests) the edge's breaker gauge is read while the fuzz runs.
GAUGE_EVERY: Final = 200
SHOWN_GROUPS: Final = 20

API_ROUTES: Final = {
    "/v1/chat/completions": "chat",
    "/v1/completions": "completion",
    "/v1/embeddings": "embedding",
}
SERVICE_ROUTES: Final = ("/v1/models", "/api/v1/health", "/api/v1/ready", "/metrics")
_BREAKER_GAUGE = re.compile(rb"^aegis_edge_core_breaker_state\{[^}]*\} (\S+)$", re.MULTILINE)
_BYPASSED = re.compile(rb"^aegis_edge_bypassed_requests_total\{[^}]*\} (\S+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one request got: status (0: no response), error code, latency, what was wrong."""

    tier: str
    case: Case
    status: int
    code: str | None
    latency_s: float
    request_id: str | None
    problem: str | None


def _error_problem(body: bytes) -> str | None:
    """Why ``body`` is not ``{"error": {"message": str, "type": str, "code", "param"}}``."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return f"not JSON: {body[:40]!r}"
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict):
        return "no 'error' object"
    if not isinstance(error.get("message"), str) or not isinstance(error.get("type"), str):
        return "'message'/'type' not strings"
    if "code" not in error or "param" not in error:
        return "'code'/'param' missing"
    if not all(v is None or isinstance(v, str) for v in (error["code"], error["param"])):
        return "'code'/'param' neither string nor null"
    return None


def _code(body: bytes, *, with_message: bool) -> str | None:
    """The error's code (and, for a 5xx, the start of its message: that says whose fault)."""
    try:
        error = orjson.loads(body)["error"]
        code = str(error["code"])
        return f"{code} {str(error.get('message'))[:80]!r}" if with_message else code
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


def _judge(method: str, response: httpx.Response, own_host: str) -> str | None:
    """What is wrong with a response to a hostile request, if anything."""
    status = response.status_code
    if "x-aegis-bypassed" in response.headers:
        return "bypassed (the breaker was open)"
    if status >= 500:
        return "5xx"
    if b"Traceback (most recent call last)" in response.content:
        return "stack trace in body"
    if 300 <= status < 400:
        try:
            location = httpx.URL(response.headers.get("location", ""))
        except httpx.InvalidURL:
            return f"redirect to {response.headers['location'][:40]!r}"
        if location.host and location.netloc.decode("latin-1") != own_host:
            return f"redirect to {location.host!r}"
    if status >= 400 and method != "HEAD":
        return _error_problem(response.content)
    return None


class Sender:
    """Sends cases over one keep-alive connection and records each outcome."""

    def __init__(self, tier: str, base_url: str, edge_url: str, outcomes: list[Outcome]) -> None:
        self.tier = tier
        self.base = httpx.URL(base_url)
        self.own_host = self.base.netloc.decode()
        self.edge_url = edge_url
        self.outcomes = outcomes
        self.client = httpx.Client(timeout=CLIENT_TIMEOUT_S)
        self.gauges: list[float] = []

    def send(self, case: Case) -> None:
        url = self.base.copy_with(raw_path=case.path.encode())
        request = self.client.build_request(
            case.method, url, headers=list(case.headers), content=case.body
        )
        started = time.perf_counter()
        try:
            response = self.client.send(request)
        except httpx.LocalProtocolError as exc:
            # The strategies made something httpx refuses to send: a bug in the suite.
            raise AssertionError(f"unsendable case {case.shape[:200]}: {exc}") from exc
        except httpx.HTTPError as exc:
            latency = time.perf_counter() - started
            lost = f"no response: {type(exc).__name__}"
            self.outcomes.append(Outcome(self.tier, case, 0, None, latency, None, lost))
            return
        latency = time.perf_counter() - started
        problem = _judge(case.method, response, self.own_host)
        status = response.status_code
        code = _code(response.content, with_message=status >= 500) if status >= 400 else None
        request_id = response.headers.get("x-aegis-request-id")
        self.outcomes.append(
            Outcome(self.tier, case, response.status_code, code, latency, request_id, problem)
        )
        if len(self.outcomes) % GAUGE_EVERY == 0:
            self.gauges.extend(_breaker_gauges(self.edge_url))

    def close(self) -> None:
        self.client.close()


def _breaker_gauges(edge_url: str) -> list[float]:
    text = httpx.get(edge_url + "/metrics").content
    return [float(value) for value in _BREAKER_GAUGE.findall(text)]


def _bypassed_total(edge_url: str) -> float:
    text = httpx.get(edge_url + "/metrics").content
    return sum(float(value) for value in _BYPASSED.findall(text))


def _fuzz(tier: Tier, send: Callable[[Case], None], examples: int) -> None:
    """Draw ``examples`` hostile cases for ``tier`` and send each: the same ones on every run
    of the same code (Hypothesis also draws constants it finds in the code under test)."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
        print_blob=False,
    )
    @given(tier_cases(tier))
    def run(case: Case) -> None:
        send(case)

    run()


def _exceptions(logs: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Request id → the last line of the exception a server logged for it."""
    found: dict[str, str] = {}
    for line in logs:
        text = line.get("exception")
        if isinstance(text, str) and line.get("request_id"):
            found.setdefault(line["request_id"], text.strip().splitlines()[-1][:160])
    return found


def _summary(outcomes: list[Outcome], exceptions: dict[str, str]) -> tuple[list[str], Counter[str]]:
    """The failures grouped by cause (tier, route, status, code, problem, exception), biggest
    first, each with one example's shape; and the count per problem."""
    groups: dict[tuple[str, ...], list[Outcome]] = defaultdict(list)
    problems: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.problem is None:
            continue
        cause = exceptions.get(outcome.request_id or "", "")
        key = (
            outcome.tier,
            outcome.case.route,
            str(outcome.status),
            outcome.code or "-",
            outcome.problem,
            cause,
        )
        groups[key].append(outcome)
        problems[outcome.problem.split(":")[0]] += 1
    lines = []
    for (tier, route, status, code, problem, cause), members in sorted(
        groups.items(), key=lambda item: -len(item[1])
    ):
        example = members[0].case
        lines.append(
            f"{len(members):>5} × {tier} {example.method} {route} → {status} {code} "
            f"[{problem}]{' ' + cause if cause else ''}\n"
            f"        e.g. {example.method} {example.path[:80]} {example.shape[:200]}"
        )
    return lines, problems


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@pytest.fixture
def fuzz_stack(stack: Stack) -> Iterator[tuple[Stack, Keys]]:
    """The stack failing open, with rate limits far above what the fuzz sends, and its keys."""
    stack.restart_edge(
        fail_open_enabled=True,
        rate_limit_max_requests=1_000_000,
        rate_limit_ip_max_requests=1_000_000,
    )
    keys = Keys(
        developer=stack.create_key("developer", user="fuzz").key,
        admin=stack.create_key("admin", user="fuzz-admin").key,
        auditor=stack.create_key("auditor", user="fuzz-auditor").key,
        global_admin=_global_admin(stack),
    )
    # The user valid admin bodies name, with a key: grants to it can be given and revoked.
    stack.create_key("developer", user=FUZZ_USER)
    yield stack, keys


def _global_admin(stack: Stack) -> str:
    """An admin key of the workspace ``*`` (as ``aegis keys create --direct`` makes the first
    one), once the edge accepts it. Its prunes can drop only months that ended a day ago or
    more: empty in this test's stack (its audit tables start empty) and made again on demand
    by the audit writer of any later test that writes such a month."""

    async def create() -> NewKey:
        connection = await asyncpg.connect(stack.database_url)
        try:
            return await KeyStore(connection).create(user="fuzz-root", workspace="*", role="admin")
        finally:
            await connection.close()

    key: NewKey = run_sync(create)
    stack.wait_for_key(key.key, accepted=True)
    return key.key


@pytest.mark.slow
def test_hostile_requests_get_openai_errors_fast_and_never_open_the_breaker(
    fuzz_stack: tuple[Stack, Keys], caplog: pytest.LogCaptureFixture
) -> None:
    """5,000+ hostile requests to edge and core: no 5xx, errors in OpenAI's shape, p99 ≤ 1 s,
    the breaker never opens."""
    caplog.set_level(logging.WARNING, logger="httpx")  # not a line per request
    stack, keys = fuzz_stack
    edge = Tier(
        name="edge",
        api={**API_ROUTES, "/api/v1/validate": "inspect"},
        gets=SERVICE_ROUTES,
        admin=False,
        max_request_bytes=stack.edge_settings.max_request_bytes,
        keys=keys,
    )
    core = Tier(
        name="core",
        api={**API_ROUTES, "/api/v1/inspect": "inspect"},
        gets=SERVICE_ROUTES,
        admin=True,
        max_request_bytes=stack.core_settings.max_request_bytes,
        keys=keys,
    )
    outcomes: list[Outcome] = []
    senders = [
        Sender("edge", stack.edge.url, stack.edge.url, outcomes),
        Sender("core", stack.core.url, stack.edge.url, outcomes),
    ]
    started = time.monotonic()
    with capture_logs(processors=[add_request_context, format_exc_info]) as logs:
        try:
            for tier, sender in zip((edge, core), senders, strict=True):
                _fuzz(tier, sender.send, EXAMPLES_PER_TIER)
        finally:
            for sender in senders:
                sender.close()
        gauges = [g for sender in senders for g in sender.gauges]
        gauges.extend(_breaker_gauges(stack.edge.url))
        bypassed = _bypassed_total(stack.edge.url)
    took = time.monotonic() - started

    lines, problems = _summary(outcomes, _exceptions(logs))
    latencies = [outcome.latency_s for outcome in outcomes]
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    statuses = Counter(outcome.status for outcome in outcomes)
    breaker_events = Counter(
        str(line.get("reason")) for line in logs if line["event"] == "core_breaker_open"
    )
    verdicts = []
    if lines:
        verdicts.append(f"{sum(problems.values())} bad answers ({dict(problems)})")
    if p99 > P99_LIMIT_S:
        verdicts.append(f"p99 {p99:.3f} s > {P99_LIMIT_S} s")
    if not gauges:
        verdicts.append("no aegis_edge_core_breaker_state in the edge's /metrics")
    if breaker_events or any(g != 0 for g in gauges) or bypassed:
        verdicts.append(
            f"the breaker opened {breaker_events.total()} times (reasons {dict(breaker_events)}), "
            "gauges seen "
            f"{sorted(set(gauges))}, {bypassed:g} bypassed requests"
        )
    slowest = sorted(outcomes, key=lambda o: -o.latency_s)[:5]
    report = (
        f"{len(outcomes)} requests in {took:.0f} s ({sum(latencies):.0f} s waiting for "
        f"answers), p50 {p50 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, statuses {dict(sorted(statuses.items()))}; slowest: "
        + "; ".join(
            f"{o.latency_s:.2f} s {o.tier} {o.case.method} {o.case.route} {o.case.shape[:60]}"
            for o in slowest
        )
    )
    print(report)  # the figures, for -s or -rP
    assert len(outcomes) >= MIN_REQUESTS, report
    assert not verdicts, (
        report
        + "\n"
        + "\n".join(verdicts)
        + f"\nfailures by cause ({len(lines)} groups, first {SHOWN_GROUPS}):\n"
        + "\n".join(lines[:SHOWN_GROUPS])
    )


# --- malformed HTTP over a raw socket ----------------------------------------------------------

_HEAD = b"Host: aegis\r\nConnection: close\r\n"


def _malformed(auth: bytes) -> list[tuple[str, bytes]]:
    """Requests no HTTP client library sends: ``(id, bytes)``. The oversize ones carry a valid
    key, so that only a size limit can refuse them."""
    post = b"POST /v1/chat/completions HTTP/1.1\r\n" + _HEAD
    get = b"GET /v1/models HTTP/1.1\r\n" + _HEAD
    many = b"".join(b"X-%d: a\r\n" % i for i in range(20_000))
    return [
        ("garbage-request-line", b"GARBAGE\r\n\r\n"),
        ("nul-in-path", b"GET /v1/models\x00 HTTP/1.1\r\n" + _HEAD + b"\r\n"),
        ("control-in-path", b"GET /api/v1/\x01health HTTP/1.1\r\n" + _HEAD + b"\r\n"),
        ("space-in-path", b"GET /v1/ models HTTP/1.1\r\n" + _HEAD + b"\r\n"),
        ("unknown-method", b"FOO /v1/models HTTP/1.1\r\n" + _HEAD + b"\r\n"),
        ("lower-case-method", b"get /v1/models HTTP/1.1\r\n" + _HEAD + b"\r\n"),
        ("http-version-9", b"GET /v1/models HTTP/9.9\r\n" + _HEAD + b"\r\n"),
        ("no-http-version", b"GET /v1/models\r\n" + _HEAD + b"\r\n"),
        ("nul-in-header", get + b"X-A: a\x00b\r\n\r\n"),
        ("control-in-authorization", get + b"Authorization: Bearer \x01\x02\r\n\r\n"),
        ("header-without-colon", get + b"X-Broken\r\n\r\n"),
        ("space-before-colon", get + b"X-A : b\r\n\r\n"),
        ("non-ascii-header-name", get + b"X-\xff: b\r\n\r\n"),
        ("oversize-header", get + auth + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n"),
        ("too-many-headers", get + auth + many + b"\r\n"),
        (
            "oversize-url",
            b"GET /v1/models?q=" + b"a" * 20_000 + b" HTTP/1.1\r\n" + _HEAD + auth + b"\r\n",
        ),
        ("content-length-not-a-number", post + b"Content-Length: abc\r\n\r\n"),
        ("negative-content-length", post + b"Content-Length: -5\r\n\r\n"),
        ("two-content-lengths", post + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
        (
            "content-length-and-chunked",
            post + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
        ),
        ("bad-chunk-size", post + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
    ]


_EXPECTED_STATUS: Final = {
    "oversize-header": b"HTTP/1.1 431 ",
    "too-many-headers": b"HTTP/1.1 431 ",
    "oversize-url": b"HTTP/1.1 414 ",
}


def _raw_exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` as it is and read what comes back until the server closes (or 5 s)."""
    received: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may refuse an oversize request before reading all of it
        try:
            while chunk := sock.recv(65536):
                received.append(chunk)
        except OSError:
            pass
    return b"".join(received)


def _served(app: Any, stack: Stack) -> ServerThread:
    """A server for ``app`` with the HTTP protocol ``shared.serve`` runs in production."""
    server = ServerThread(app)
    server.server.config.http = GatewayHttpProtocol
    stack.started.append(server.start())
    return server


def test_malformed_http_gets_a_4xx_in_openai_shape(stack: Stack) -> None:
    """Malformed HTTP gets a 4xx in OpenAI's shape from edge and core alike, never a 5xx, a
    dropped connection or a 200."""
    auth = b"Authorization: Bearer " + stack.create_key().key.encode() + b"\r\n"
    servers = {
        "edge": _served(create_edge(stack.edge_settings), stack),
        "core": _served(create_core(stack.core_settings), stack),
    }
    failures = []
    for case_id, request_bytes in _malformed(auth):
        for name, server in servers.items():
            raw = _raw_exchange(server.port, request_bytes)
            head, _, body = raw.partition(b"\r\n\r\n")
            status_line = head.split(b"\r\n", 1)[0]
            shown = f"{case_id} {name}: {status_line.decode('latin-1')[:40]!r} {body[:80]!r}"
            expected = _EXPECTED_STATUS.get(case_id, b"HTTP/1.1 4")
            if not status_line.startswith(expected):
                failures.append(shown)
            elif (problem := _error_problem(body)) is not None:
                failures.append(f"{shown} ({problem})")
    assert not failures, "\n".join(failures)


def test_a_head_within_the_limits_is_served(stack: Stack) -> None:
    """What nginx passes by default (32 KiB of headers) and 99 headers are served, not
    refused: the limits only stop what no client means."""
    auth = b"Authorization: Bearer " + stack.create_key().key.encode() + b"\r\n"
    server = _served(create_edge(stack.edge_settings), stack)
    get = b"GET /v1/models HTTP/1.1\r\n" + _HEAD + auth
    big = get + b"X-Big: " + b"a" * 32_000 + b"\r\n\r\n"
    many = get + b"".join(b"X-%d: a\r\n" % i for i in range(96)) + b"\r\n"
    for request_bytes in (big, many):
        raw = _raw_exchange(server.port, request_bytes)
        assert raw.startswith(b"HTTP/1.1 200 "), raw[:200]
