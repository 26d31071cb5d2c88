"""The breaker is for a dead or hung core, not for a bad request: no key can open it alone."""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.app import create_app as create_core
from devupstream.app import DEFAULT_MODEL
from tests.conftest import ServerThread, Stack, free_port

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "mail kim@example.com"}]}


def _core_state(stack: Stack) -> str:
    state: str = httpx.get(stack.edge.url + "/api/v1/ready").json()["cores"]["core_0"]
    return state


def _core_without_postgres(stack: Stack) -> ServerThread:
    """A core whose PostgreSQL refuses connections: it never loads a key, so it answers
    every request with a 503 of its own (``key_store_unavailable``) while its liveness check
    says it is up — a real 5xx made by core, provoked per request."""
    parts = urlsplit(stack.database_url)
    refused = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{free_port()}"))
    core = ServerThread(create_core(replace(stack.core_settings, database_url=refused))).start()
    stack.started.append(core)
    return core


def test_one_key_seeing_core_fail_never_opens_the_breaker_but_several_keys_do(
    stack: Stack,
) -> None:
    """Twenty 5xx answers core made for one key leave its breaker closed (with fail-open on,
    nothing goes past core); the same answers to three keys within seconds open it."""
    keys = [stack.create_key(user=f"user{n}").key for n in range(3)]
    broken = _core_without_postgres(stack)
    stack.restart_edge(core_endpoints=(broken.url,), fail_open_enabled=True)
    url = stack.base_url + "/chat/completions"

    def send(key: str) -> httpx.Response:
        return httpx.post(url, json=CHAT, headers={"authorization": f"Bearer {key}"})

    answers = [send(keys[0]) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {503}
    assert {answer.json()["error"]["code"] for answer in answers} == {"key_store_unavailable"}
    assert not any("x-aegis-bypassed" in answer.headers for answer in answers)
    assert _core_state(stack) == "closed"
    metrics = httpx.get(stack.edge.url + "/metrics").text
    assert (
        f'aegis_edge_core_request_errors_total{{core="{broken.url}",counted="false"}} 20.0'
        in metrics
    )

    # Three keys: core is failing everyone. Three counted failures in a row (between two
    # health checks, which core passes) open the breaker; fail-open then takes over.
    deadline = time.monotonic() + 10
    turn = 0
    while "x-aegis-bypassed" not in (answer := send(keys[turn % 3])).headers:
        assert answer.status_code == 503
        assert time.monotonic() < deadline, "three keys' errors did not open the breaker"
        turn += 1
    assert answer.status_code == 200
    assert _core_state(stack) in ("open", "half_open")


def test_a_stopped_core_still_opens_the_breaker(stack: Stack) -> None:
    """Refused connections and failed health checks count at once, as before: core stopped,
    its breaker opens and fail-open takes over."""
    key = stack.create_key().key
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    deadline = time.monotonic() + 5
    while _core_state(stack) != "open":
        assert time.monotonic() < deadline, "breaker not open 5 s after core stopped"
        time.sleep(0.05)
    answer = httpx.post(
        stack.base_url + "/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200
    assert answer.headers["x-aegis-bypassed"] == "true"
