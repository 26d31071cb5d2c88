"""``ADMIN_ALLOW_FROM``: core's admin API and console answer only the networks named there,
whatever key a caller brings, and the connecting address decides (not ``X-Forwarded-For``).
Real core servers on loopback; tests/e2e/test_netns.py shows the same from a DMZ namespace."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import replace

import httpx

from core.app import create_app as create_core
from tests.conftest import ServerThread, Stack

ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/keys"),
    ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/approvals"),
    ("GET", "/api/v1/admin/approvals"),
    ("GET", "/console/"),
    ("POST", "/console/login"),
    ("GET", "/console/api/v1/admin/keys"),
]


def _core(stack: Stack, allow: str) -> ServerThread:
    networks = tuple(ipaddress.ip_network(item) for item in allow.split(","))
    core = ServerThread(create_core(replace(stack.core_settings, admin_allow_from=networks)))
    stack.started.append(core.start())
    return core


def _wait_for_key(core: ServerThread, key: str) -> None:
    deadline = time.monotonic() + 10
    auth = {"authorization": f"Bearer {key}"}
    while httpx.get(core.url + "/v1/models", headers=auth).status_code != 200:
        assert time.monotonic() < deadline, "core did not load the key"
        time.sleep(0.05)


def test_admin_routes_refuse_a_network_not_allowed_even_with_an_admin_key(stack: Stack) -> None:
    admin = stack.create_key("admin", user="root")
    core = _core(stack, "10.0.0.0/8,192.168.0.0/16")
    _wait_for_key(core, admin.key)
    auth = {"authorization": f"Bearer {admin.key}"}
    for method, path in ADMIN_ROUTES:
        answer = httpx.request(method, core.url + path, headers=auth)
        assert answer.status_code == 403, (path, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "admin_source_refused", (path, error)
        assert error["type"] == "permission_error"
        assert "ADMIN_ALLOW_FROM" in error["message"]
    # Claiming an allowed address does not help: loopback is a trusted proxy here, yet the
    # connection's own address is what counts for admin routes.
    loopback = ipaddress.ip_address("127.0.0.1")
    assert any(loopback in network for network in stack.core_settings.trusted_proxies)
    spoofed = httpx.get(
        core.url + "/api/v1/admin/keys",
        headers={**auth, "x-forwarded-for": "10.1.2.3", "x-aegis-client-ip": "10.1.2.3"},
    )
    assert spoofed.status_code == 403
    # The model API, health and metrics are not admin routes.
    models = httpx.get(core.url + "/v1/models", headers=auth)
    assert models.status_code == 200
    chat = httpx.post(
        core.url + "/v1/chat/completions",
        json={"model": "aegis-dev-echo", "messages": [{"role": "user", "content": "hello"}]},
        headers=auth,
    )
    assert chat.status_code == 200, chat.text
    assert httpx.get(core.url + "/health").status_code == 200


def test_admin_routes_answer_an_allowed_network(stack: Stack) -> None:
    admin = stack.create_key("admin", user="root")
    core = _core(stack, "127.0.0.0/8")
    _wait_for_key(core, admin.key)
    auth = {"authorization": f"Bearer {admin.key}"}
    assert httpx.get(core.url + "/api/v1/admin/keys", headers=auth).status_code == 200
    assert httpx.get(core.url + "/console/").status_code == 200
    # Allowed network, no key: authentication still applies.
    assert httpx.get(core.url + "/api/v1/admin/keys").status_code == 401


def test_hostile_calls_from_a_refused_network_get_a_clear_4xx(stack: Stack) -> None:
    """Odd methods, NUL and control characters, Unicode digits, deep or huge bodies: each
    call from a network ADMIN_ALLOW_FROM leaves out is a 4xx in OpenAI's shape (403 before
    the body is read; 405 for a method no route has), never a 500, and core stays ready."""
    admin = stack.create_key("admin", user="root")
    core = _core(stack, "10.0.0.0/8")
    _wait_for_key(core, admin.key)
    auth = {"authorization": f"Bearer {admin.key}"}
    deep = ("[" * 10_000 + "]" * 10_000).encode()
    calls: list[tuple[str, str, bytes | None]] = [
        ("HEAD", "/api/v1/admin/keys", None),
        ("OPTIONS", "/api/v1/admin/keys", None),
        ("PROPFIND", "/api/v1/admin/keys", None),
        ("DELETE", "/console/session", None),
        ("GET", "/api/v1/admin/keys%00", None),
        ("GET", "/api/v1/admin/bypass-events/%01%1b[2J", None),
        ("GET", "/api/v1/admin/bypass-events/\u0661\u0662", None),
        ("GET", "/console/static/..%2F..%2Fsettings.py", None),
        ("POST", "/api/v1/admin/keys", deep),
        ("POST", "/api/approvals/1/reject", b'{"reason": "' + b"x" * 3_000_000 + b'"}'),
        ("POST", "/console/login", b"key=" + b"\x00" * 10_000),
    ]
    for method, path, body in calls:
        answer = httpx.request(method, core.url + path, headers=auth, content=body, timeout=10)
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
        if method != "HEAD":
            error = answer.json()["error"]
            assert error["type"] and error["code"], (method, path, error)
    assert httpx.get(core.url + "/api/v1/ready").status_code == 200
