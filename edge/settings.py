"""The edge's settings, read once from the environment at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.config import LOOPBACK, EnvReader, IPNetwork
from shared.keyset import DEFAULT_REDIS_PREFIX

__all__ = ["EdgeSettings"]

DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    """Everything the edge reads from its environment.

    ``CORE_ENDPOINT`` may list several cores, comma-separated; ``TRUSTED_PROXIES`` lists the
    peers (nginx) whose ``X-Forwarded-For`` and ``X-Aegis-Request-Id`` are believed.
    """

    core_endpoints: tuple[str, ...] = ("http://127.0.0.1:8081",)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    host: str = "0.0.0.0"
    port: int = 8080
    log_level: str = "info"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    trusted_proxies: tuple[IPNetwork, ...] = LOOPBACK
    cors_origins: tuple[str, ...] = ()
    key_sync_interval_ms: int = 1000
    core_connect_timeout_ms: int = 2000
    core_read_timeout_ms: int = 600_000
    core_max_connections: int = 256

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EdgeSettings:
        """Read and check every variable; raise ``ConfigError`` listing all bad ones."""
        env = EnvReader(environ)
        d = cls()
        settings = cls(
            core_endpoints=env.urls("CORE_ENDPOINT", d.core_endpoints),
            redis_url=env.url(
                "REDIS_URL", default=d.redis_url, schemes=("redis", "rediss", "unix")
            ),
            redis_prefix=env.string("REDIS_KEY_PREFIX", default=d.redis_prefix),
            host=env.string("HOST", default=d.host),
            port=env.integer("PORT", d.port, minimum=1),
            log_level=env.choice(
                "LOG_LEVEL", d.log_level, ("debug", "info", "warning", "error", "critical")
            ),
            max_request_bytes=env.integer("MAX_REQUEST_BYTES", d.max_request_bytes, minimum=1024),
            trusted_proxies=env.networks("TRUSTED_PROXIES", d.trusted_proxies),
            cors_origins=env.words("CORS_ORIGINS", d.cors_origins),
            key_sync_interval_ms=env.integer(
                "KEY_SYNC_INTERVAL_MS", d.key_sync_interval_ms, minimum=100
            ),
            core_connect_timeout_ms=env.integer(
                "CORE_CONNECT_TIMEOUT_MS", d.core_connect_timeout_ms, minimum=1
            ),
            core_read_timeout_ms=env.integer(
                "CORE_READ_TIMEOUT_MS", d.core_read_timeout_ms, minimum=1
            ),
            core_max_connections=env.integer(
                "CORE_MAX_CONNECTIONS", d.core_max_connections, minimum=1
            ),
        )
        env.finish()
        return settings
