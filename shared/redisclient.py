"""Redis clients for ``REDIS_URL``: one server, a Sentinel-managed primary, or a Redis Cluster.

``REDIS_URL`` takes one of:

- ``redis://host:port/db`` (``rediss://`` for TLS, ``unix://``): one server, as always.
- ``redis+sentinel://[:password@]host:port/service/db`` (``rediss+sentinel://``): ask the
  Sentinel at ``host:port`` (a Service in front of all Sentinels, on Kubernetes) for the
  primary of ``service``; after a failover the client follows the new primary. The password
  is the primary's; the Sentinels themselves are reached without one.
- ``redis+cluster://[:password@]host:port`` (``rediss+cluster://``): a Redis Cluster, found
  from that one node (the client learns the rest and follows resharding and failovers).

Every script and multi-key command the gateway runs (the rate-limit script, the key set's
MULTI/EXEC and MGET, the bypass stream's append) touches keys under one deployment prefix.
On a cluster, :func:`slot_prefix` makes that prefix a hash tag (``aegis:`` → ``{aegis}:``),
so all of them hash to one slot and every script is valid there. One server and Sentinel keep
the prefix as it is: their key names, and so a rolling upgrade, are unchanged.

One slot means one primary carries all of the gateway's Redis traffic; that is also what
keeps the rate limit exact (a request's key and IP logs change in one atomic script). The
cluster adds failover and room for other tenants, not write throughput for the limiter: see
the capacity note in ``deploy/README.md``.
"""

from __future__ import annotations

from typing import Any, Final, cast
from urllib.parse import unquote, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.sentinel import Sentinel, SentinelManagedSSLConnection

__all__ = [
    "CLUSTER_SCHEMES",
    "REDIS_SCHEMES",
    "SENTINEL_SCHEMES",
    "is_cluster",
    "open_redis",
    "slot_prefix",
]

CLUSTER_SCHEMES: Final = ("redis+cluster", "rediss+cluster")
SENTINEL_SCHEMES: Final = ("redis+sentinel", "rediss+sentinel")
REDIS_SCHEMES: Final = ("redis", "rediss", "unix", *SENTINEL_SCHEMES, *CLUSTER_SCHEMES)
"""Every scheme ``REDIS_URL`` accepts (the settings check it at start-up)."""
_SENTINEL_PORT: Final = 26379


def is_cluster(url: str) -> bool:
    """Whether ``url`` names a Redis Cluster."""
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def slot_prefix(prefix: str, url: str) -> str:
    """The key prefix to use with ``url``: hash-tagged on a cluster, else ``prefix`` itself.

    A prefix that already holds a hash tag (``{…}`` with something inside) is kept; otherwise
    its text before the trailing colons becomes the tag:

    >>> slot_prefix("aegis:", "redis+cluster://redis:6379")
    '{aegis}:'
    >>> slot_prefix("{tenant-a}:aegis:", "redis+cluster://redis:6379")
    '{tenant-a}:aegis:'
    >>> slot_prefix("aegis:", "redis://redis:6379/0")
    'aegis:'
    """
    if not is_cluster(url) or _has_hash_tag(prefix):
        return prefix
    base = prefix.rstrip(":")
    return "{" + (base or "aegis") + "}" + prefix[len(base) :]


def _has_hash_tag(name: str) -> bool:
    # Redis hashes the text between the first '{' and the next '}', if that is not empty.
    start = name.find("{")
    if start < 0:
        return False
    end = name.find("}", start + 1)
    return end > start + 1


def open_redis(url: str, **options: Any) -> aioredis.Redis:
    """A client for ``url`` (see the module docstring); ``options`` go to every connection.

    A :class:`~redis.asyncio.cluster.RedisCluster` is returned as a ``Redis``: it answers
    every command the gateway sends (the same command mixins), and the one place that talks
    to connections directly (``edge.ratelimit.batch``) checks for it.
    """
    parts = urlsplit(url)
    if parts.scheme in CLUSTER_SCHEMES:
        plain = urlunsplit(parts._replace(scheme=parts.scheme.removesuffix("+cluster")))
        return cast("aioredis.Redis", RedisCluster.from_url(plain, **options))
    if parts.scheme in SENTINEL_SCHEMES:
        return _sentinel_primary(parts.scheme, url, options)
    return aioredis.Redis.from_url(url, **options)


def _sentinel_primary(scheme: str, url: str, options: dict[str, Any]) -> aioredis.Redis:
    parts = urlsplit(url)
    service, _, db = parts.path.strip("/").partition("/")
    if not service or not parts.hostname:
        raise ValueError("a Sentinel URL is redis+sentinel://host:port/service[/db]")
    timeouts: dict[str, Any] = {
        name: options[name]
        for name in ("socket_connect_timeout", "socket_timeout")
        if name in options
    }
    sentinel = Sentinel([(parts.hostname, parts.port or _SENTINEL_PORT)], sentinel_kwargs=timeouts)
    connection: dict[str, Any] = dict(options)
    if db:
        connection["db"] = int(db)
    if parts.password is not None:
        connection["password"] = unquote(parts.password)
    if parts.username:
        connection["username"] = unquote(parts.username)
    if scheme.startswith("rediss"):
        connection["connection_class"] = SentinelManagedSSLConnection
    primary: aioredis.Redis = sentinel.master_for(service, redis_class=aioredis.Redis, **connection)
    return primary
