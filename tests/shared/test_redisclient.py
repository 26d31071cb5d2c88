"""REDIS_URL forms: one server, Sentinel, Cluster; and the hash-tagged prefix on a cluster."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.sentinel import SentinelConnectionPool

from core.settings import CoreSettings
from edge.settings import EdgeSettings
from shared.redisclient import is_cluster, open_redis, slot_prefix


@pytest.mark.parametrize(
    ("prefix", "url", "expected"),
    [
        pytest.param("aegis:", "redis://r:6379/0", "aegis:", id="one-server-unchanged"),
        pytest.param("aegis:", "redis+sentinel://s:26379/main", "aegis:", id="sentinel-unchanged"),
        pytest.param("aegis:", "redis+cluster://r:6379", "{aegis}:", id="cluster-tagged"),
        pytest.param("prod:aegis:", "rediss+cluster://r:6379", "{prod:aegis}:", id="tls-cluster"),
        pytest.param("{t}:aegis:", "redis+cluster://r:6379", "{t}:aegis:", id="own-tag-kept"),
        pytest.param("{}:aegis:", "redis+cluster://r:6379", "{{}:aegis}:", id="empty-tag-is-none"),
        pytest.param("", "redis+cluster://r:6379", "{aegis}", id="empty-prefix"),
    ],
)
def test_slot_prefix(prefix: str, url: str, expected: str) -> None:
    """On a cluster the prefix becomes one hash tag; elsewhere it is left as it is."""
    assert slot_prefix(prefix, url) == expected


async def test_open_redis_picks_the_client_for_the_scheme() -> None:
    """A cluster URL gives a RedisCluster, a Sentinel URL a client of the named primary."""
    plain = open_redis("redis://127.0.0.1:6379/3")
    cluster = open_redis("redis+cluster://127.0.0.1:7000", socket_timeout=1.0)
    sentinel = open_redis("redis+sentinel://:pw@127.0.0.1:26379/main/2", socket_timeout=1.0)
    try:
        assert type(plain) is aioredis.Redis
        assert isinstance(cluster, RedisCluster)
        assert is_cluster("rediss+cluster://h:1") and not is_cluster("redis://h:1")
        pool = sentinel.connection_pool
        assert isinstance(pool, SentinelConnectionPool)
        assert pool.service_name == "main"
        assert pool.connection_kwargs["db"] == 2
        assert pool.connection_kwargs["password"] == "pw"
    finally:
        await plain.aclose()
        await cluster.aclose()
        await sentinel.aclose()


@pytest.mark.parametrize(
    "url", ["redis+cluster://redis:6379", "redis+sentinel://sentinel:26379/aegis/0"]
)
def test_settings_accept_cluster_and_sentinel_urls(url: str) -> None:
    """Both processes start with a Cluster or Sentinel REDIS_URL."""
    assert EdgeSettings.from_env({"REDIS_URL": url}).redis_url == url
    core = CoreSettings.from_env(
        {"REDIS_URL": url, "CANARY_SECRET": "x" * 32, "AUDIT_HASH_KEY": "y" * 32}
    )
    assert core.redis_url == url
