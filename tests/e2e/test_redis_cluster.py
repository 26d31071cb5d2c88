"""Edge and core on a real three-node Redis Cluster (``REDIS_URL=redis+cluster://…``): rate
limits stay exact across edges and bypass events reach PostgreSQL.

The cluster is three ``redis-server --cluster-enabled yes`` processes joined with
``redis-cli --cluster create``; every key the gateway uses carries the prefix's hash tag, so
each script and MULTI/EXEC lands on one node.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from redis.cluster import RedisCluster
from redis.crc import key_slot

from devupstream.app import DEFAULT_MODEL
from edge.app import create_app as create_edge
from shared.bypass import bypass_stream_name
from shared.keyset import keyset_names
from shared.redisclient import slot_prefix
from tests.conftest import ServerThread, Stack, free_port

NODES = 3
CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hi"}]}


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _cluster_ports() -> list[int]:
    """Free ports whose cluster bus ports (port + 10000) are free too."""
    ports: list[int] = []
    while len(ports) < NODES:
        port = free_port()
        if port + 10000 < 65536 and port not in ports:
            ports.append(port)
    return ports


def _wait(check: object, what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {within} s")
        time.sleep(0.1)


def _answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _cluster_ok(ports: list[int]) -> bool:
    for port in ports:
        info = redis.Redis(port=port, decode_responses=True).cluster("INFO")
        state = info.get("cluster_state") if isinstance(info, dict) else str(info)
        if "ok" not in str(state).split("cluster_state:")[-1][:2]:
            return False
    return True


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    """Three cluster-enabled ``redis-server`` processes holding all 16384 slots; their ports."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if server is None or cli is None:
        raise RuntimeError("redis-server/redis-cli not found: install the redis-server package")
    directory = tmp_path_factory.mktemp("redis-cluster")
    ports = _cluster_ports()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            node = Path(directory, str(port))
            node.mkdir()
            log = (node / "redis.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        server,
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        str(node / "nodes.conf"),
                        "--cluster-node-timeout",
                        "2000",
                        "--dir",
                        str(node),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            )
            log.close()
        for port in ports:
            _wait(lambda port=port: _answers(port), f"redis-server on {port}")
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in ports),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        _wait(lambda: _cluster_ok(ports), "cluster_state:ok on every node")
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def redis_url(redis_cluster: list[int]) -> str:
    """The stack's ``REDIS_URL``: the cluster, found from its first node."""
    return f"redis+cluster://127.0.0.1:{redis_cluster[0]}"


@pytest.fixture
def cluster(redis_cluster: list[int]) -> Iterator[RedisCluster]:
    client = RedisCluster(host="127.0.0.1", port=redis_cluster[0])
    try:
        yield client
    finally:
        client.close()


def test_cluster_spreads_slots_over_three_nodes(cluster: RedisCluster) -> None:
    """The cluster under test is a real one: three primaries, each owning part of the slots."""
    assert len(cluster.get_primaries()) == NODES  # type: ignore[no-untyped-call]
    node_of = cluster.get_node_from_key
    owners = {node_of(f"probe-{i}").name for i in range(200)}  # type: ignore[no-untyped-call]
    assert len(owners) == NODES


def test_limit_is_exact_across_two_edges_on_a_cluster(stack: Stack, cluster: RedisCluster) -> None:
    """With a limit of 50, 200 concurrent requests over two edges let exactly 50 through."""
    created = stack.create_key(user="limited")
    key = created.key
    stack.restart_edge(
        rate_limit_max_requests=50, rate_limit_ip_max_requests=10_000, redis_timeout_ms=10_000
    )
    second = ServerThread(create_edge(stack.edge_settings)).start()
    stack.started.append(second)
    urls = [stack.edge.url, second.url]

    async def fire() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            return await asyncio.gather(
                *(
                    client.post(urls[i % 2] + "/v1/chat/completions", json=CHAT, headers=_auth(key))
                    for i in range(200)
                )
            )

    statuses = [r.status_code for r in asyncio.run(fire())]
    # create_key confirmed the key with one accepted GET /v1/models: it counts too.
    assert statuses.count(200) == 49
    assert statuses.count(429) == 151
    assert stack.upstream.stats.requests == 49
    # The key set and the limiter's logs live under the hash-tagged prefix, on one slot.
    tagged = slot_prefix(stack.redis_prefix, stack.redis_url)
    assert tagged == "{" + stack.redis_prefix.rstrip(":") + "}:"
    names = [*keyset_names(tagged), f"{tagged}rl:key:{created.key_id}", f"{tagged}rl:ip:127.0.0.1"]
    assert cluster.exists(*names) == len(names)
    assert {key_slot(name.encode()) for name in names} == {key_slot(tagged.encode())}


def test_bypass_events_reach_postgres_through_a_cluster(
    stack: Stack, cluster: RedisCluster
) -> None:
    """Requests failed open while core is down are stored once core is back."""
    key = stack.create_key().key
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    ids = set()
    for _ in range(3):
        answer = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key))
        assert answer.status_code == 200
        assert answer.headers["x-aegis-bypassed"] == "true"
        ids.add(answer.headers["x-aegis-request-id"])
    stack.start_core()
    rows = stack.wait_bypass_rows(3)
    assert {row["request_id"] for row in rows} == ids
    assert all(row["reason"] in ("core_unreachable", "no_healthy_core") for row in rows)
    # They went through the stream under the tagged prefix (read by core's group, then deleted).
    stream = bypass_stream_name(slot_prefix(stack.redis_prefix, stack.redis_url))
    groups = cluster.xinfo_groups(stream)
    assert [group["entries-read"] for group in groups] == [3]
    assert cluster.xlen(stream) == 0
