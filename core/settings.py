"""Core's settings, read once from the environment at start-up."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.scanning.base import DEFAULT_HEAVY_CHARS, DEFAULT_HEAVY_SCANS, DEFAULT_HEAVY_WAIT_S
from core.scanning.output.leakage import DEFAULT_MIN_RUN, MIN_MIN_RUN
from core.scanning.stream import DEFAULT_WINDOW, MIN_WINDOW
from shared.config import LOOPBACK, EnvReader, IPNetwork, Secret
from shared.keyset import DEFAULT_REDIS_PREFIX
from shared.redisclient import REDIS_SCHEMES
from shared.tls import ServerTls, finish, read_files

__all__ = ["CoreSettings"]

DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024
TLS_NAMES = ("TLS_CERT", "TLS_KEY", "TLS_CLIENT_CA")


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """Everything core reads from its environment.

    ``DATABASE_URL`` (or ``POSTGRES_URL``) names PostgreSQL; ``UPSTREAM_URL`` the model server
    (vLLM's OpenAI API: a base URL, ``…/v1`` or ``…/v1/chat/completions``, kept as the base
    URL, ``shared.config.model_server_base``); ``TRUSTED_PROXIES`` the peers (edges) whose
    ``X-Aegis-Request-Id`` and ``X-Aegis-Client-Ip`` are believed.
    """

    database_url: str = "postgresql://postgres@127.0.0.1:5432/aegis"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    upstream_url: str = "http://127.0.0.1:8001"
    upstream_api_key: Secret = field(default_factory=lambda: Secret(""))
    host: str = "0.0.0.0"
    port: int = 8081
    log_level: str = "info"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    # A request body must have arrived this long after its headers, or 408.
    body_read_timeout_ms: int = 10_000
    trusted_proxies: tuple[IPNetwork, ...] = LOOPBACK
    # The networks whose connections may reach /api/v1/admin/, /api/approvals and /console
    # (core.console.routes.ConsoleGate); empty, any network (a key is still needed).
    admin_allow_from: tuple[IPNetwork, ...] = ()
    cors_origins: tuple[str, ...] = ()
    key_sync_interval_ms: int = 5000
    upstream_connect_timeout_ms: int = 2000
    upstream_read_timeout_ms: int = 600_000
    upstream_max_connections: int = 256
    db_pool_max: int = 10
    instance_id: str = ""
    bypass_consumer_enabled: bool = True
    dry_run: bool = False
    input_scan_enabled: bool = True
    onnx_model_path: str = ""
    classifier_enabled: bool = True
    pii_scan_enabled: bool = True
    # The salt of the PII "hash" action: unset, each value gets a random salt (a hash links
    # nothing); set (16 bytes or more, the same on every core), the same value always
    # hashes the same, so repeats can be counted without the value.
    pii_hash_salt: Secret = field(default_factory=lambda: Secret(""))
    policy_sync_interval_ms: int = 30_000
    # Scans of requests over heavy_scan_chars characters in all: at most
    # heavy_scan_concurrency at a time; one that waits heavy_scan_wait_ms for its turn is
    # answered 503 core_busy (core.scanning.base.CpuRunner).
    heavy_scan_chars: int = DEFAULT_HEAVY_CHARS
    heavy_scan_concurrency: int = DEFAULT_HEAVY_SCANS
    heavy_scan_wait_ms: int = int(DEFAULT_HEAVY_WAIT_S * 1000)
    # System-prompt leakage (core.scanning.output): a canary per key and UTC day at the end
    # of the system message sent upstream, an HMAC under canary_secret (16 bytes or more, the
    # same on every core; unset, each core draws its own at start-up); an answer holding it,
    # or leakage_min_run characters of the system prompt verbatim, is a leak.
    # The output guard (core.lifecycle.guard): PII, secrets, leakage and the tool gate on
    # every chat and completion answer; a streamed value is held back at most
    # output_stream_window characters.
    output_scan_enabled: bool = True
    output_stream_window: int = DEFAULT_WINDOW
    canary_enabled: bool = True
    canary_secret: Secret = field(default_factory=lambda: Secret(""))
    leakage_min_run: int = DEFAULT_MIN_RUN
    # The audit trail (core.audit): one row per request, hashed texts under audit_hash_key
    # (16 bytes or more, the same on every core; unset: a key file in audit_spool_dir),
    # queued in memory (audit_queue_max rows), written by COPY in batches of audit_batch_max
    # every audit_flush_interval_ms, spooled under audit_spool_dir while PostgreSQL is away.
    audit_enabled: bool = True
    audit_hash_key: Secret = field(default_factory=lambda: Secret(""))
    audit_spool_dir: Path = Path(".run/audit")
    audit_queue_max: int = 10_000
    audit_batch_max: int = 2_000
    audit_flush_interval_ms: int = 200
    audit_retention_days: int = 365
    # The tool gate (core.tools): every tool call in an answer judged against the catalogue
    # (levels, permissions, argument checks); unknown tools get tool_unknown_level; a tool's
    # URL argument must name a host on tool_egress_allow (names, or *.domain; none: no URL).
    tool_gate_enabled: bool = True
    tool_unknown_level: str = ""  # low|medium|high|critical; "": the catalogue file's (MEDIUM)
    tool_egress_allow: tuple[str, ...] = ()
    # The approval workflow (core.approvals): a HIGH/CRITICAL call a caller may make waits
    # for an admin's decision (approval_timeout, then expired); a core sees a decision on
    # NOTIFY aegis_approvals and, as a safety net, every approval_polling_interval;
    # approval_max_pending pending requests at most (over it: refused at once). Off: such
    # calls are let through (and recorded), as said at start-up and in /api/v1/ready.
    approval_workflow_enabled: bool = True
    approval_timeout: float = 300.0
    approval_polling_interval: float = 2.0
    approval_max_pending: int = 50
    approval_keepalive_interval: float = 10.0  # a held stream's SSE comment every this many seconds
    # HTTPS (shared.tls): tls_cert and tls_key (PEM) make core serve TLS; tls_client_ca also
    # makes it require a client certificate from that CA (the edges': mutual TLS).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None

    @property
    def server_tls(self) -> ServerTls | None:
        """What uvicorn serves HTTPS with; None: plain HTTP."""
        if self.tls_cert is None or self.tls_key is None:
            return None
        return ServerTls(self.tls_cert, self.tls_key, self.tls_client_ca)

    @property
    def instance(self) -> str:
        """This core's consumer name on the bypass stream: ``CORE_INSTANCE_ID``, or host:port."""
        return self.instance_id or f"{socket.gethostname()}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CoreSettings:
        """Read and check every variable; raise ``ConfigError`` listing all bad ones."""
        env = EnvReader(environ)
        d = cls()
        (tls_cert, tls_key, tls_client_ca), tls_problems = read_files(env, TLS_NAMES)
        if tls_client_ca is not None and tls_cert is None:
            tls_problems.append(
                "Config 'TLS_CLIENT_CA' is set but 'TLS_CERT' is not: client certificates are "
                "checked only on HTTPS."
            )
        settings = cls(
            database_url=env.database_url("DATABASE_URL", "POSTGRES_URL", default=d.database_url),
            redis_url=env.url("REDIS_URL", default=d.redis_url, schemes=REDIS_SCHEMES),
            redis_prefix=env.string("REDIS_KEY_PREFIX", default=d.redis_prefix),
            upstream_url=env.model_server_url("UPSTREAM_URL", default=d.upstream_url),
            upstream_api_key=env.secret("UPSTREAM_API_KEY"),
            host=env.string("HOST", default=d.host),
            port=env.integer("PORT", d.port, minimum=1),
            log_level=env.log_level("LOG_LEVEL", d.log_level),
            max_request_bytes=env.integer("MAX_REQUEST_BYTES", d.max_request_bytes, minimum=1024),
            body_read_timeout_ms=env.integer(
                "BODY_READ_TIMEOUT_MS", d.body_read_timeout_ms, minimum=1
            ),
            trusted_proxies=env.networks("TRUSTED_PROXIES", d.trusted_proxies),
            admin_allow_from=env.networks("ADMIN_ALLOW_FROM", d.admin_allow_from),
            cors_origins=env.words("CORS_ORIGINS", d.cors_origins),
            key_sync_interval_ms=env.integer(
                "KEY_SYNC_INTERVAL_MS", d.key_sync_interval_ms, minimum=100
            ),
            upstream_connect_timeout_ms=env.integer(
                "UPSTREAM_CONNECT_TIMEOUT_MS", d.upstream_connect_timeout_ms, minimum=1
            ),
            upstream_read_timeout_ms=env.integer(
                "UPSTREAM_READ_TIMEOUT_MS", d.upstream_read_timeout_ms, minimum=1
            ),
            upstream_max_connections=env.integer(
                "UPSTREAM_MAX_CONNECTIONS", d.upstream_max_connections, minimum=1
            ),
            db_pool_max=env.integer("DB_POOL_MAX", d.db_pool_max, minimum=1),
            instance_id=env.string("CORE_INSTANCE_ID", default=d.instance_id),
            dry_run=env.flag("DRY_RUN", d.dry_run),
            input_scan_enabled=env.flag("INPUT_SCAN_ENABLED", d.input_scan_enabled),
            onnx_model_path=env.string("ONNX_MODEL_PATH", default=d.onnx_model_path),
            classifier_enabled=env.flag("CLASSIFIER_ENABLED", d.classifier_enabled),
            pii_scan_enabled=env.flag("PII_SCAN_ENABLED", d.pii_scan_enabled),
            pii_hash_salt=env.secret("PII_HASH_SALT", min_length=16),
            policy_sync_interval_ms=env.integer(
                "POLICY_SYNC_INTERVAL_MS", d.policy_sync_interval_ms, minimum=100
            ),
            bypass_consumer_enabled=env.flag("BYPASS_CONSUMER_ENABLED", d.bypass_consumer_enabled),
            heavy_scan_chars=env.integer("HEAVY_SCAN_CHARS", d.heavy_scan_chars, minimum=1024),
            heavy_scan_concurrency=env.integer(
                "HEAVY_SCAN_CONCURRENCY", d.heavy_scan_concurrency, minimum=1
            ),
            heavy_scan_wait_ms=env.integer("HEAVY_SCAN_WAIT_MS", d.heavy_scan_wait_ms, minimum=1),
            output_scan_enabled=env.flag("OUTPUT_SCAN_ENABLED", d.output_scan_enabled),
            output_stream_window=env.integer(
                "OUTPUT_STREAM_WINDOW", d.output_stream_window, minimum=MIN_WINDOW
            ),
            canary_enabled=env.flag("CANARY_ENABLED", d.canary_enabled),
            canary_secret=env.secret("CANARY_SECRET", min_length=16),
            leakage_min_run=env.integer("LEAKAGE_MIN_RUN", d.leakage_min_run, minimum=MIN_MIN_RUN),
            audit_enabled=env.flag("AUDIT_ENABLED", d.audit_enabled),
            audit_hash_key=env.secret("AUDIT_HASH_KEY", min_length=16),
            audit_spool_dir=Path(env.string("AUDIT_SPOOL_DIR", default=str(d.audit_spool_dir))),
            audit_queue_max=env.integer("AUDIT_QUEUE_MAX", d.audit_queue_max, minimum=100),
            audit_batch_max=env.integer("AUDIT_BATCH_MAX", d.audit_batch_max, minimum=1),
            audit_flush_interval_ms=env.integer(
                "AUDIT_FLUSH_INTERVAL_MS", d.audit_flush_interval_ms, minimum=1
            ),
            audit_retention_days=env.integer(
                "AUDIT_RETENTION_DAYS", d.audit_retention_days, minimum=1
            ),
            tool_gate_enabled=env.flag("TOOL_GATE_ENABLED", d.tool_gate_enabled),
            tool_unknown_level=env.choice(
                "TOOL_UNKNOWN_LEVEL", "", ("", "low", "medium", "high", "critical")
            ),
            tool_egress_allow=env.words("TOOL_EGRESS_ALLOW", d.tool_egress_allow),
            approval_workflow_enabled=env.flag(
                "APPROVAL_WORKFLOW_ENABLED", d.approval_workflow_enabled
            ),
            approval_timeout=env.number("APPROVAL_TIMEOUT", d.approval_timeout, minimum=1.0),
            approval_polling_interval=env.number(
                "APPROVAL_POLLING_INTERVAL", d.approval_polling_interval, minimum=0.05
            ),
            approval_max_pending=env.integer(
                "APPROVAL_MAX_PENDING", d.approval_max_pending, minimum=1
            ),
            approval_keepalive_interval=env.number(
                "APPROVAL_KEEPALIVE_INTERVAL", d.approval_keepalive_interval, minimum=0.1
            ),
            tls_cert=tls_cert,
            tls_key=tls_key,
            tls_client_ca=tls_client_ca,
        )
        finish(env, tls_problems)
        return settings
