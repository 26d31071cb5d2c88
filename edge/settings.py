"""The edge's settings, read once from the environment at start-up."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import LOOPBACK, EnvReader, IPNetwork, Secret
from shared.keyset import DEFAULT_REDIS_PREFIX
from shared.redisclient import REDIS_SCHEMES
from shared.tls import ClientTls, finish, read_files

__all__ = ["EdgeSettings"]

DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024
# In shared.tls's order: the client certificate, its key, the CA core's certificate is from.
CORE_TLS_NAMES = ("CORE_TLS_CERT", "CORE_TLS_KEY", "CORE_TLS_CA")


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    """Everything the edge reads from its environment.

    ``CORE_ENDPOINT`` may list several cores, comma-separated; ``TRUSTED_PROXIES`` lists the
    peers (nginx) whose ``X-Forwarded-For`` and ``X-Aegis-Request-Id`` are believed.
    ``FAIL_OPEN_TARGET_URL`` defaults to ``UPSTREAM_URL`` (the vLLM core uses; either may be a
    base URL, ``…/v1`` or ``…/v1/chat/completions``, kept as the base URL), and
    ``FAIL_OPEN_API_KEY`` to ``UPSTREAM_API_KEY``. An ``https://`` core is verified against
    ``CORE_TLS_CA`` (or the system's CAs); ``CORE_TLS_CERT`` / ``CORE_TLS_KEY`` are the edge's
    client certificate (shared.tls).
    """

    core_endpoints: tuple[str, ...] = ("http://127.0.0.1:8081",)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    host: str = "0.0.0.0"
    port: int = 8080
    log_level: str = "info"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    # A request body must have arrived this long after its headers, or 408.
    body_read_timeout_ms: int = 10_000
    trusted_proxies: tuple[IPNetwork, ...] = LOOPBACK
    cors_origins: tuple[str, ...] = ()
    key_sync_interval_ms: int = 1000
    core_connect_timeout_ms: int = 2000
    core_read_timeout_ms: int = 600_000
    core_max_connections: int = 256
    redis_timeout_ms: int = 1000
    dry_run: bool = False
    rate_limit_enabled: bool = True
    rate_limit_window_ms: int = 60_000
    rate_limit_max_requests: int = 600
    rate_limit_role_max_requests: tuple[tuple[str, int], ...] = ()
    rate_limit_ip_max_requests: int = 1200
    rate_limit_block_duration_ms: int = 30_000
    rate_limit_tokens_per_minute: int = 0
    rate_limit_failure_mode: str = "local"
    rate_limit_lease_size: int = 32
    prefilter_enabled: bool = True
    prefilter_block_severity: str = "high"
    core_health_check_interval_ms: int = 500
    core_health_check_timeout_ms: int = 500
    core_failure_threshold: int = 3
    core_recovery_threshold: int = 2
    fail_open_enabled: bool = False
    fail_open_target_url: str = "http://127.0.0.1:8001"
    fail_open_api_key: Secret = field(default_factory=lambda: Secret(""))
    instance_id: str = ""
    bypass_spool_dir: Path = Path(".run/spool")
    bypass_stream_max_len: int = 100_000
    core_tls_ca: Path | None = None
    core_tls_cert: Path | None = None
    core_tls_key: Path | None = None

    @property
    def core_tls(self) -> ClientTls:
        """The files the edge's TLS context towards core is built from."""
        return ClientTls(self.core_tls_ca, self.core_tls_cert, self.core_tls_key)

    @property
    def instance(self) -> str:
        """This edge's name in bypass events: ``EDGE_INSTANCE_ID``, or host:port."""
        return self.instance_id or f"{socket.gethostname()}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EdgeSettings:
        """Read and check every variable; raise ``ConfigError`` listing all bad ones."""
        env = EnvReader(environ)
        d = cls()
        core_endpoints = env.urls("CORE_ENDPOINT", d.core_endpoints)
        (tls_cert, tls_key, tls_ca), tls_problems = read_files(env, CORE_TLS_NAMES)
        plain = [url for url in core_endpoints if not url.startswith("https://")]
        if plain and (tls_cert is not None or tls_ca is not None):
            # Files for TLS beside a plain endpoint: prompts would cross in clear text while the
            # operator believes they are protected.
            tls_problems.append(
                f"Config 'CORE_ENDPOINT' has value '{plain[0]}'. Not https:// although "
                "CORE_TLS_CA / CORE_TLS_CERT is set."
            )
        settings = cls(
            core_endpoints=core_endpoints,
            redis_url=env.url("REDIS_URL", default=d.redis_url, schemes=REDIS_SCHEMES),
            redis_prefix=env.string("REDIS_KEY_PREFIX", default=d.redis_prefix),
            host=env.string("HOST", default=d.host),
            port=env.integer("PORT", d.port, minimum=1),
            log_level=env.log_level("LOG_LEVEL", d.log_level),
            max_request_bytes=env.integer("MAX_REQUEST_BYTES", d.max_request_bytes, minimum=1024),
            body_read_timeout_ms=env.integer(
                "BODY_READ_TIMEOUT_MS", d.body_read_timeout_ms, minimum=1
            ),
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
            redis_timeout_ms=env.integer("REDIS_TIMEOUT_MS", d.redis_timeout_ms, minimum=10),
            dry_run=env.flag("DRY_RUN", d.dry_run),
            rate_limit_enabled=env.flag("RATE_LIMIT_ENABLED", d.rate_limit_enabled),
            rate_limit_window_ms=env.integer(
                "RATE_LIMIT_WINDOW_MS", d.rate_limit_window_ms, minimum=100
            ),
            rate_limit_max_requests=env.integer(
                "RATE_LIMIT_MAX_REQUESTS", d.rate_limit_max_requests, minimum=1
            ),
            rate_limit_role_max_requests=env.limits(
                "RATE_LIMIT_ROLE_MAX_REQUESTS", d.rate_limit_role_max_requests
            ),
            rate_limit_ip_max_requests=env.integer(
                "RATE_LIMIT_IP_MAX_REQUESTS", d.rate_limit_ip_max_requests, minimum=1
            ),
            rate_limit_block_duration_ms=env.integer(
                "RATE_LIMIT_BLOCK_DURATION_MS", d.rate_limit_block_duration_ms, minimum=0
            ),
            rate_limit_tokens_per_minute=env.integer(
                "RATE_LIMIT_TOKENS_PER_MINUTE", d.rate_limit_tokens_per_minute, minimum=0
            ),
            rate_limit_lease_size=env.integer(
                "RATE_LIMIT_LEASE_SIZE", d.rate_limit_lease_size, minimum=0
            ),
            rate_limit_failure_mode=env.choice(
                "RATE_LIMIT_FAILURE_MODE", d.rate_limit_failure_mode, ("open", "closed", "local")
            ),
            prefilter_enabled=env.flag("PREFILTER_ENABLED", d.prefilter_enabled),
            prefilter_block_severity=env.choice(
                "PREFILTER_BLOCK_SEVERITY",
                d.prefilter_block_severity,
                ("low", "medium", "high", "critical"),
            ),
            core_health_check_interval_ms=env.integer(
                "CORE_HEALTH_CHECK_INTERVAL_MS", d.core_health_check_interval_ms, minimum=50
            ),
            core_health_check_timeout_ms=env.integer(
                "CORE_HEALTH_CHECK_TIMEOUT_MS", d.core_health_check_timeout_ms, minimum=10
            ),
            core_failure_threshold=env.integer(
                "CORE_FAILURE_THRESHOLD", d.core_failure_threshold, minimum=1
            ),
            core_recovery_threshold=env.integer(
                "CORE_RECOVERY_THRESHOLD", d.core_recovery_threshold, minimum=1
            ),
            fail_open_enabled=env.flag("FAIL_OPEN_ENABLED", d.fail_open_enabled),
            fail_open_target_url=env.model_server_url(
                "FAIL_OPEN_TARGET_URL", "UPSTREAM_URL", default=d.fail_open_target_url
            ),
            fail_open_api_key=env.secret("FAIL_OPEN_API_KEY") or env.secret("UPSTREAM_API_KEY"),
            instance_id=env.string("EDGE_INSTANCE_ID", default=d.instance_id),
            bypass_spool_dir=Path(env.string("BYPASS_SPOOL_DIR", default=str(d.bypass_spool_dir))),
            bypass_stream_max_len=env.integer(
                "BYPASS_STREAM_MAX_LEN", d.bypass_stream_max_len, minimum=100
            ),
            core_tls_ca=tls_ca,
            core_tls_cert=tls_cert,
            core_tls_key=tls_key,
        )
        finish(env, tls_problems)
        return settings
