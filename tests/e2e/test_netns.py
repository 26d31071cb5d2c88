"""Network separation, shown: the edge in a DMZ network namespace, core in an internal one,
real processes (``ip netns exec NS python -m edge|core``) joined by veth pairs.

    host (PostgreSQL, Redis, the model server)
      │ 10.K.1.0/24: Redis, model server          │ 10.K.2.0/24: PostgreSQL, Redis, model server
    DMZ namespace: edge ── 10.K.3.0/24 (the door) ── internal namespace: core

The DMZ has a route to its two links only; PostgreSQL is offered on the internal link alone
(a forwarder bound to the host's address there, the server itself listens on loopback) and
namespaces do not forward, so nothing in the DMZ reaches it. No packet filter is used: core's
admin routes are refused to the DMZ by core's ``ADMIN_ALLOW_FROM`` (the internal link only),
whatever key the caller holds, and the edge does not forward them; see deploy/README.md's
"Network separation". Needs root and iproute2: without them a failure
in CI, a skip naming the condition elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from tests.conftest import free_port, run_sync
from tests.processes import wait_healthy

AEGIS = str(Path(sys.executable).with_name("aegis"))
IP = shutil.which("ip") or "/usr/sbin/ip"
EDGE_PORT = 8080
CORE_PORT = 8081
# Connects from inside a namespace; prints {"host:port": "ok" | errno name} as JSON.
PROBE = """
import errno, json, socket, sys
out = {}
for target in sys.argv[1:]:
    host, port = target.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        out[target] = "ok"
    except OSError as exc:
        out[target] = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
print(json.dumps(out))
"""


def _ip(*args: str) -> None:
    subprocess.run([IP, *args], check=True, capture_output=True, timeout=10)


def _require_netns() -> None:
    """Root and working `ip netns`; a failure in CI, a named skip elsewhere."""
    why = None
    if not os.access(IP, os.X_OK):
        why = "iproute2's ip is not installed"
    elif os.geteuid() != 0:
        why = f"network namespaces need root (id -u is {os.geteuid()})"
    else:
        probe = "aegis-probe-" + secrets.token_hex(3)
        made = subprocess.run(
            [IP, "netns", "add", probe],
            capture_output=True,
            text=True,
            check=False,
        )
        subprocess.run([IP, "netns", "del", probe], capture_output=True, check=False)
        if made.returncode != 0:
            why = f"'ip netns add' fails here: {made.stderr.strip()}"
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


class _Forwarder:
    """TCP from ``listen`` to ``target`` in a thread: PostgreSQL offered on one address."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.listen, self.target = listen, target
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, *listen), self._loop
        ).result(10)

    def close(self) -> None:
        self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@dataclass
class Zones:
    """Addresses of the three places and the processes started in them."""

    tag: str
    net: int
    dmz: str = ""
    internal: str = ""
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def addr(self, link: int, host: int) -> str:
        return f"10.{self.net}.{link}.{host}"

    # Link 1 host↔DMZ, link 2 host↔internal, link 3 DMZ↔internal.
    @property
    def edge_url(self) -> str:
        return f"http://{self.addr(1, 2)}:{EDGE_PORT}"

    @property
    def core_from_host(self) -> str:
        return f"http://{self.addr(2, 2)}:{CORE_PORT}"

    @property
    def core_from_dmz(self) -> str:
        return f"http://{self.addr(3, 2)}:{CORE_PORT}"

    @property
    def door(self) -> str:
        """Core's side of the DMZ↔internal link: cut it to take core away from the edge."""
        return f"a{self.tag}ci"

    def probe(self, namespace: str, *targets: str) -> dict[str, str]:
        done = subprocess.run(
            [IP, "netns", "exec", namespace, sys.executable, "-c", PROBE, *targets],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        result: dict[str, str] = json.loads(done.stdout)
        return result

    def http_from(self, namespace: str, url: str, headers: dict[str, str]) -> int:
        code = (
            "import httpx, sys, json; "
            "print(httpx.get(sys.argv[1], headers=json.loads(sys.argv[2]), timeout=5).status_code)"
        )
        done = subprocess.run(
            [
                IP,
                "netns",
                "exec",
                namespace,
                sys.executable,
                "-c",
                code,
                url,
                json.dumps(headers),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return int(done.stdout)

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {name}\n{path.read_text()[-3000:]}" for name, path in self.logs.items()
        )


def _free_net() -> int:
    used = subprocess.run(
        [IP, "-4", "addr"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for _ in range(50):
        net = 100 + secrets.randbelow(150)
        if f" 10.{net}." not in used:
            return net
    raise AssertionError("no free 10.N.0.0/16 for the namespaces")


def _build(zones: Zones) -> None:
    t = zones.tag
    zones.dmz, zones.internal = f"aegis-dmz-{t}", f"aegis-int-{t}"
    _ip("netns", "add", zones.dmz)
    _ip("netns", "add", zones.internal)
    # (host side or namespace, its interface, address) for each end of each link.
    links = [
        ((None, f"a{t}hd", zones.addr(1, 1)), (zones.dmz, f"a{t}dh", zones.addr(1, 2))),
        ((None, f"a{t}hi", zones.addr(2, 1)), (zones.internal, f"a{t}ih", zones.addr(2, 2))),
        ((zones.dmz, f"a{t}dc", zones.addr(3, 1)), (zones.internal, zones.door, zones.addr(3, 2))),
    ]
    for (ns_a, if_a, ip_a), (ns_b, if_b, ip_b) in links:
        _ip("link", "add", if_a, "type", "veth", "peer", "name", if_b)
        for namespace, interface, address in ((ns_a, if_a, ip_a), (ns_b, if_b, ip_b)):
            prefix: list[str] = []
            if namespace is not None:
                _ip("link", "set", interface, "netns", namespace)
                prefix = ["-n", namespace]
            _ip(*prefix, "addr", "add", f"{address}/24", "dev", interface)
            _ip(*prefix, "link", "set", interface, "up")
    for namespace in (zones.dmz, zones.internal):
        _ip("-n", namespace, "link", "set", "lo", "up")


def _teardown(zones: Zones) -> None:
    for process in zones.processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in zones.processes.values():
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # Deleting a namespace deletes its veth ends, and with them their host-side peers.
    for namespace in (zones.dmz, zones.internal):
        if namespace:
            subprocess.run([IP, "netns", "del", namespace], capture_output=True, check=False)


def _start(
    zones: Zones, name: str, namespace: str | None, module: str, env: dict[str, str], tmp: Path
) -> None:
    zones.logs[name] = tmp / f"{name}.log"
    argv = [sys.executable, "-m", module]
    if namespace is not None:
        argv = [IP, "netns", "exec", namespace, *argv]
    with zones.logs[name].open("wb") as out:
        zones.processes[name] = subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_healthy(zones: Zones, name: str, url: str) -> None:
    wait_healthy(url, zones.processes[name], zones.log_tail, within=90, poll_s=0.1)


def _with_host(url: str, host: str, port: int) -> str:
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return urlunsplit(
        parts._replace(netloc=(userinfo + "@" if userinfo else "") + f"{host}:{port}")
    )


async def _count(url: str, sql: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(sql))
    finally:
        await connection.close()


@pytest.fixture
def zones(database_url: str, tmp_path: Path) -> Iterator[Zones]:
    """DMZ and internal namespaces with edge and core running in them, Redis and a model
    server on the host, PostgreSQL offered on the internal link only."""
    _require_netns()
    redis_server = shutil.which("redis-server")
    assert redis_server is not None, "redis-server is not installed"
    built = Zones(tag=secrets.token_hex(2), net=_free_net())
    forwarder: _Forwarder | None = None
    try:
        _build(built)
        redis_port, upstream_port, pg_port = free_port(), free_port(), free_port()
        redis_password = secrets.token_hex(16)
        built.ports = {"redis": redis_port, "upstream": upstream_port, "pg": pg_port}
        built.logs["redis"] = tmp_path / "redis.log"
        # Both tiers share Redis (DESIGN.md): it listens on the host's address on each link.
        built.processes["redis"] = subprocess.Popen(
            [
                redis_server,
                "--bind",
                built.addr(1, 1),
                built.addr(2, 1),
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
                "--logfile",
                str(built.logs["redis"]),
                # As deploy/README.md asks: the DMZ reaches Redis, so it has a password.
                "--requirepass",
                redis_password,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pg = urlsplit(database_url)
        forwarder = _Forwarder(
            (built.addr(2, 1), pg_port), (pg.hostname or "127.0.0.1", pg.port or 5432)
        )
        _start(
            built,
            "upstream",
            None,
            "devupstream",
            {"HOST": "0.0.0.0", "PORT": str(upstream_port)},
            tmp_path,
        )
        prefix = "n" + secrets.token_hex(4) + ":"
        common = {"REDIS_KEY_PREFIX": prefix, "KEY_SYNC_INTERVAL_MS": "200", "LOG_LEVEL": "info"}
        _start(
            built,
            "core",
            built.internal,
            "core",
            {
                **common,
                "HOST": "0.0.0.0",
                "PORT": str(CORE_PORT),
                "DATABASE_URL": _with_host(database_url, built.addr(2, 1), pg_port),
                "REDIS_URL": f"redis://:{redis_password}@{built.addr(2, 1)}:{redis_port}/0",
                "UPSTREAM_URL": f"http://{built.addr(2, 1)}:{upstream_port}",
                "TRUSTED_PROXIES": f"{built.addr(3, 1)}/32",
                # The admin API and the console for the internal link only (the host side).
                "ADMIN_ALLOW_FROM": f"{built.addr(2, 0)}/24",
                "AUDIT_SPOOL_DIR": str(tmp_path / "audit"),
                "AUDIT_HASH_KEY": "netns-audit-hash-key-0123456789",
            },
            tmp_path,
        )
        _start(
            built,
            "edge",
            built.dmz,
            "edge",
            {
                **common,
                "HOST": built.addr(1, 2),
                "PORT": str(EDGE_PORT),
                "CORE_ENDPOINT": built.core_from_dmz,
                "REDIS_URL": f"redis://:{redis_password}@{built.addr(1, 1)}:{redis_port}/0",
                "FAIL_OPEN_ENABLED": "true",
                "FAIL_OPEN_TARGET_URL": f"http://{built.addr(1, 1)}:{upstream_port}",
                "CORE_HEALTH_CHECK_INTERVAL_MS": "200",
                "CORE_HEALTH_CHECK_TIMEOUT_MS": "300",
                "CORE_CONNECT_TIMEOUT_MS": "500",
                "BYPASS_SPOOL_DIR": str(tmp_path / "spool"),
            },
            tmp_path,
        )
        _wait_healthy(built, "core", built.core_from_host + "/api/v1/ready")
        _wait_healthy(built, "edge", built.edge_url + "/api/v1/health")
        yield built
    finally:
        _teardown(built)
        if forwarder is not None:
            forwarder.close()


def _key(zones: Zones, database_url: str, role: str) -> str:
    made = subprocess.run(
        [
            AEGIS,
            "keys",
            "create",
            "--direct",
            "--user",
            "net",
            "--role",
            role,
            "--json",
            "--workspace",
            "*" if role == "admin" else "netns",
        ],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    key: str = json.loads(made.stdout)["key"]
    return key


def _chat(zones: Zones, key: str, text: str) -> httpx.Response:
    return httpx.post(
        zones.edge_url + "/v1/chat/completions",
        json={"model": "aegis-dev-echo", "messages": [{"role": "user", "content": text}]},
        headers={"authorization": f"Bearer {key}"},
        timeout=10,
    )


def _until(what: str, check: Any, zones: Zones, within: float = 30) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} within {within} s\n{zones.log_tail()}")


def test_the_dmz_reaches_neither_postgresql_nor_core_admin(zones: Zones, database_url: str) -> None:
    """From the edge's namespace PostgreSQL is unreachable on every address it could try (the
    internal namespace reaches it, so the probe works); core's API port is reachable, its
    admin routes refuse the DMZ even with a valid admin key (403), and the edge does not
    forward them."""
    ports = zones.ports
    offered = f"{zones.addr(2, 1)}:{ports['pg']}"
    tries = [
        offered,  # no route: the DMZ has none to the internal link
        f"{zones.addr(1, 1)}:{ports['pg']}",  # the host on the DMZ's link: nothing listens
        f"{zones.addr(1, 1)}:5432",  # the server's own port: it listens on loopback only
        f"{zones.addr(3, 2)}:{ports['pg']}",  # through core's namespace: it forwards nothing
        f"127.0.0.1:{urlsplit(database_url).port or 5432}",  # the DMZ's own loopback
    ]
    from_dmz = zones.probe(zones.dmz, *tries)
    assert from_dmz[offered] == "ENETUNREACH"
    assert all(outcome != "ok" for outcome in from_dmz.values()), from_dmz
    assert zones.probe(zones.internal, offered) == {offered: "ok"}

    core_api = f"{zones.addr(3, 2)}:{CORE_PORT}"
    assert zones.probe(zones.dmz, core_api) == {core_api: "ok"}
    admin = _key(zones, database_url, "admin")
    auth = {"authorization": f"Bearer {admin}"}
    _until(
        "core loads the admin key",
        lambda: (
            httpx.get(zones.core_from_host + "/api/v1/admin/keys", headers=auth).status_code == 200
        ),
        zones,
    )
    # From the DMZ straight to core, the admin routes refuse even a valid admin key: core's
    # ADMIN_ALLOW_FROM names the internal link alone, and the connection's address decides.
    for path in ("/api/v1/admin/keys", "/api/approvals", "/console/"):
        assert zones.http_from(zones.dmz, zones.core_from_dmz + path, auth) == 403, path
    spoofed = {**auth, "x-forwarded-for": zones.addr(2, 1)}
    assert zones.http_from(zones.dmz, zones.core_from_dmz + "/api/v1/admin/keys", spoofed) == 403
    # The model API on the same port still answers the DMZ (the edge's way in).
    assert zones.http_from(zones.dmz, zones.core_from_dmz + "/v1/models", auth) == 200
    # The edge, the DMZ's door, has no admin routes to forward: even a valid admin key
    # gets nothing through it.
    _until(
        "the edge loads the admin key",
        lambda: (
            httpx.get(zones.edge_url + "/v1/models", headers=auth).status_code not in (401, 503)
        ),
        zones,
    )
    assert httpx.get(zones.edge_url + "/api/v1/admin/keys", headers=auth).status_code == 404


def test_fail_open_when_core_link_is_cut(zones: Zones, database_url: str) -> None:
    """With the link between the namespaces down, the edge answers from the model server
    marked X-Aegis-Bypassed: true and core (still on the internal network) stores the bypass
    event; with the link up again, requests go through core."""
    key = _key(zones, database_url, "developer")
    _until("the edge accepts the key", lambda: _chat(zones, key, "hi").status_code == 200, zones)
    before = _chat(zones, key, "through core")
    assert before.status_code == 200
    assert "x-aegis-bypassed" not in before.headers
    bypassed_before = run_sync(lambda: _count(database_url, "SELECT count(*) FROM bypass_events"))

    _ip("-n", zones.internal, "link", "set", zones.door, "down")
    assert zones.probe(zones.dmz, f"{zones.addr(3, 2)}:{CORE_PORT}") != {
        f"{zones.addr(3, 2)}:{CORE_PORT}": "ok"
    }

    def bypassed() -> httpx.Response | None:
        try:
            answer = _chat(zones, key, "core is away")
        except httpx.TransportError:
            return None
        return answer if answer.headers.get("x-aegis-bypassed") == "true" else None

    answer = _until("a bypassed answer", bypassed, zones)
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"]
    assert answer.headers["x-aegis-request-id"]
    _until(
        "core stores the bypass event",
        lambda: (
            run_sync(lambda: _count(database_url, "SELECT count(*) FROM bypass_events"))
            > bypassed_before
        ),
        zones,
    )

    _ip("-n", zones.internal, "link", "set", zones.door, "up")
    back = _until(
        "requests through core again",
        lambda: (
            (a := _chat(zones, key, "core is back")).status_code == 200
            and "x-aegis-bypassed" not in a.headers
        ),
        zones,
    )
    assert back
