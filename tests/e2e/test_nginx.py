"""The shipped nginx fronts (compose's nginx.conf, the Kubernetes sidecar) in front of a real
edge: what a client sends in forwarded and X-Aegis-* headers never reaches the edge as given.

Each test runs the shipped files with only what cannot run here swapped out (ports, paths,
the TLS server, Docker's resolver); every swap must match exactly once, so a change to the
shipped files that a test no longer covers fails it instead of passing unnoticed.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from devstack.services import Service, find_nginx, start_nginx
from devupstream.app import DEFAULT_MODEL
from edge.app import create_app as create_edge
from shared.logging import add_request_context
from tests.conftest import ServerThread, Stack, free_port

NGINX_DIR = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}
INJECTION = "6.6.6.6' OR '1'='1 <script>"
# Every header a client might use to pose as someone else, or as the gateway itself.
FORGED = {
    "x-aegis-client-ip": INJECTION,
    "x-forwarded-for": "6.6.6.6",
    "x-real-ip": "6.6.6.6",
    "forwarded": "for=6.6.6.6",
    "x-aegis-request-id": "forged-request-id",
    "x-aegis-key-id": "key_forged",
    "x-aegis-bypassed": "true",
    "x-aegis-edge-findings": '[{"scanner": "regex", "type": "forged", "score": 0.0}]',
    "x-aegis-masked": "KR_RRN",
}
DROPPED = (
    "x-aegis-client-ip",
    "forwarded",
    "x-aegis-key-id",
    "x-aegis-bypassed",
    "x-aegis-edge-findings",
    "x-aegis-masked",
)
NGINX_REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


class HeaderRecorder:
    """Hands every request to the real edge app, keeping the path and headers it arrived with."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = 0
        self.seen: list[tuple[str, dict[str, list[str]]]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers: dict[str, list[str]] = {}
            for name, value in scope["headers"]:
                headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
            self.seen.append((scope["path"], headers))
        await self.app(scope, receive, send)

    def chat_headers(self) -> dict[str, list[str]]:
        [headers] = [h for path, h in self.seen if path == "/v1/chat/completions"]
        return headers


def _key_for(stack: Stack, edge: HeaderRecorder) -> str:
    """A new key, once the recorded edge (which polls the key set on its own) accepts it."""
    key = stack.create_key().key
    deadline = time.monotonic() + 10
    url = f"http://127.0.0.1:{edge.port}/v1/models"
    while httpx.get(url, headers={"authorization": f"Bearer {key}"}).status_code != 200:
        assert time.monotonic() < deadline, "the recorded edge never accepted the key"
        time.sleep(0.05)
    return key


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the shipped config changed: {old!r} is not there once"
    return text.replace(old, new)


def _user_line() -> str:
    # As root, nginx's workers would otherwise run as "nobody", which Debian gives no group.
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    return f"user {user} {group};\n"


def _temp_paths(folder: Path) -> str:
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    return "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in kinds)


def compose_config(folder: Path, port: int, edge_port: int) -> str:
    """deploy/nginx/nginx.conf, listening on ``port`` in front of the edge on ``edge_port``."""
    text = (NGINX_DIR / "nginx.conf").read_text()
    text = _swap(text, "user nginx;\n", _user_line())
    text = _swap(text, "pid /var/run/nginx.pid;", f"pid {folder / 'nginx.pid'};")
    text = _swap(text, "worker_processes auto;", "worker_processes 1;")
    text = _swap(text, "http {\n", "http {\n" + _temp_paths(folder))
    # nginx here may predate `resolve` (1.27.3): the edge's address is fixed anyway.
    text = _swap(text, "server edge:8080 resolve ", f"server 127.0.0.1:{edge_port} ")
    # The TLS server needs a certificate and `http2 on` (1.25.1); the plain one has the same
    # routes and the same inherited headers.
    tls = re.search(r"\n    server \{\n        listen 443 ssl.*?\n    \}\n", text, re.DOTALL)
    assert tls is not None
    text = text.replace(tls.group(0), "\n")
    return _swap(text, "listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")


def sidecar_config(folder: Path, port: int, edge_port: int, ingress: str | None = None) -> str:
    """deploy/nginx/sidecar.conf on ``port``; ``ingress``: the address it takes clients from."""
    text = _user_line() + (NGINX_DIR / "sidecar.conf").read_text()
    text = _swap(text, "worker_processes 2;", "worker_processes 1;")
    text = _swap(text, "pid /tmp/nginx.pid;", f"pid {folder / 'nginx.pid'};")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        shipped = f"/tmp/nginx/{kind};"  # noqa: S108 - the shipped path, replaced here
        text = _swap(text, shipped, f"{folder / kind};")
    text = _swap(text, "server 127.0.0.1:8080;", f"server 127.0.0.1:{edge_port};")
    if ingress is not None:
        text = _swap(text, "set_real_ip_from 10.244.0.0/16;", f"set_real_ip_from {ingress};")
    return _swap(text, "listen 8000 default_server;", f"listen 127.0.0.1:{port} default_server;")


@pytest.fixture(scope="session")
def nginx_found() -> Path:
    """The nginx binary, found as devstack finds PostgreSQL's (PATH, then /usr/sbin, …)."""
    found = find_nginx()
    if found is None:
        if os.environ.get("CI") == "true":
            # CI runs `make test` as root, which installs nginx: missing there is a failure.
            pytest.fail("nginx not found although `make test` installs it as root in CI")
        pytest.skip("nginx not installed (apt-get install nginx; `make test` does it as root)")
    return found


@pytest.fixture
def recorded_edge(stack: Stack) -> Iterator[HeaderRecorder]:
    """A second real edge of the stack (same core, Redis, keys) that records what reaches it."""
    recorder = HeaderRecorder(create_edge(stack.edge_settings))
    server = ServerThread(recorder).start()
    recorder.port = server.port
    try:
        yield recorder
    finally:
        server.stop()


class Front:
    """An nginx started from a shipped config, in a folder of its own; ``stop()`` it."""

    def __init__(self, folder: Path, config: str, port: int) -> None:
        folder.mkdir()
        for name in ("aegis-http.conf", "aegis-locations.conf"):
            shutil.copy(NGINX_DIR / name, folder / name)
        (folder / "nginx.conf").write_text(config)
        self.url = f"http://127.0.0.1:{port}"
        self.log = folder / "nginx.log"
        self.service: Service = start_nginx(folder / "nginx.conf", port)

    def access_lines(self) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.log.read_text().splitlines() if line[:1] == "{"]
        return [line for line in lines if line.get("event") == "http_request"]


def _front(kind: str, tmp_path: Path, edge_port: int, ingress: str | None = None) -> Front:
    port = free_port()
    folder = tmp_path / f"nginx-{kind}"
    if kind == "compose":
        config = compose_config(folder, port, edge_port)
    else:
        config = sidecar_config(folder, port, edge_port, ingress)
    return Front(folder, config, port)


@pytest.mark.parametrize("kind", ["compose", "k8s-sidecar"])
def test_forged_headers_never_reach_the_edge_as_sent(
    nginx_found: Path, stack: Stack, recorded_edge: HeaderRecorder, tmp_path: Path, kind: str
) -> None:
    """nginx replaces X-Forwarded-For and the request id and drops the client's X-Aegis-*."""
    key = _key_for(stack, recorded_edge)
    front = _front(kind, tmp_path, recorded_edge.port)
    try:
        with capture_logs(processors=[add_request_context]) as logs:
            response = httpx.post(
                front.url + "/v1/chat/completions",
                json=CHAT,
                headers={"authorization": f"Bearer {key}", **FORGED},
            )
    finally:
        front.service.stop()
    assert response.status_code == 200, response.text
    headers = recorded_edge.chat_headers()
    # The TCP peer's address alone, whatever the client wrote.
    assert headers["x-forwarded-for"] == ["127.0.0.1"]
    assert headers["x-real-ip"] == ["127.0.0.1"]
    assert [name for name in DROPPED if name in headers] == []
    [request_id] = headers["x-aegis-request-id"]
    assert NGINX_REQUEST_ID.fullmatch(request_id)
    assert response.headers["x-aegis-request-id"] == request_id
    assert stack.upstream.stats.last_headers["x-aegis-request-id"] == request_id
    request_lines = [
        line
        for line in logs
        if line["event"] == "request" and line.get("path") == "/v1/chat/completions"
    ]
    assert [(line["client_ip"], line["request_id"]) for line in request_lines] == [
        ("127.0.0.1", request_id)
    ] * 2  # the edge's line and core's
    [access] = [line for line in front.access_lines() if line["path"] == "/v1/chat/completions"]
    assert (access["request_id"], access["client_ip"], access["status"]) == (
        request_id,
        "127.0.0.1",
        200,
    )


@pytest.mark.parametrize(
    ("forwarded_for", "client_ip"),
    [
        pytest.param("6.6.6.6, 203.0.113.9", "203.0.113.9", id="right-most-from-the-ingress"),
        pytest.param(INJECTION, "127.0.0.1", id="not-an-address"),
        pytest.param(None, "127.0.0.1", id="no-header"),
    ],
)
def test_sidecar_takes_the_client_address_from_the_ingress_only_as_an_address(
    nginx_found: Path,
    stack: Stack,
    recorded_edge: HeaderRecorder,
    tmp_path: Path,
    forwarded_for: str | None,
    client_ip: str,
) -> None:
    """Behind an ingress (set_real_ip_from), the edge gets the one address the ingress saw."""
    key = _key_for(stack, recorded_edge)
    # This test's client plays the ingress controller.
    front = _front("k8s-sidecar", tmp_path, recorded_edge.port, ingress="127.0.0.1/32")
    headers = {"authorization": f"Bearer {key}"}
    if forwarded_for is not None:
        headers["x-forwarded-for"] = forwarded_for
    try:
        with capture_logs(processors=[add_request_context]) as logs:
            response = httpx.post(front.url + "/v1/chat/completions", json=CHAT, headers=headers)
    finally:
        front.service.stop()
    assert response.status_code == 200, response.text
    assert recorded_edge.chat_headers()["x-forwarded-for"] == [client_ip]
    edge_lines = [
        line
        for line in logs
        if line["event"] == "request" and line.get("path") == "/v1/chat/completions"
    ]
    assert {line["client_ip"] for line in edge_lines} == {client_ip}
