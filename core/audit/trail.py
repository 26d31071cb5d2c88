"""The audit trail of a core process: its text hasher and its writer, built from settings.

The hash key is ``AUDIT_HASH_KEY`` (16 bytes or more; the same on every core, so that
``aegis audit match`` finds a text whichever core saw it). Unset, core uses the key in
``AUDIT_SPOOL_DIR/hash.key``, made at first start (32 random bytes, mode 0600): matches work
on that machine across restarts, not across cores on other machines, and core says so in
its log (``audit_hash_key_local``, with the file's path; the key is never logged).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import structlog
from prometheus_client import CollectorRegistry

from core.audit.hashing import TextHasher
from core.audit.spool import Spool
from core.audit.writer import AuditWriter
from core.db.pool import Database
from core.settings import CoreSettings
from shared.config import ConfigError, Secret

__all__ = ["KEY_FILE", "AuditTrail", "build_trail", "hash_key"]

_log = structlog.get_logger("aegis.core.audit")

KEY_FILE: Final = "hash.key"


def hash_key(secret: Secret, spool_dir: Path, *, create: bool) -> bytes:
    """``AUDIT_HASH_KEY``, or the local key file's key (made if ``create``); ``ConfigError``
    when there is neither, or the file is not a key."""
    if secret:
        return secret.get().encode()
    path = spool_dir / KEY_FILE
    if not path.exists():
        if not create:
            raise ConfigError(
                [f"Config 'AUDIT_HASH_KEY' is unset and there is no key file at {path}."]
            )
        spool_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another core on this machine made it first
        else:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
    text = path.read_text("ascii", "replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError([f"Config 'AUDIT_HASH_KEY' is unset and {path} holds no key."])
    return key


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """What the request path needs of the audit trail: the hasher, and the writer (a sink)."""

    hasher: TextHasher
    writer: AuditWriter


def build_trail(
    settings: CoreSettings, database: Database, registry: CollectorRegistry
) -> AuditTrail | None:
    """The process's audit trail (``None`` with ``AUDIT_ENABLED=false``); the spool
    directory must be writable (``ConfigError`` otherwise)."""
    if not settings.audit_enabled:
        return None
    spool_dir = settings.audit_spool_dir
    spool = Spool(spool_dir, settings.instance)
    try:
        spool.prepare()
        key = hash_key(settings.audit_hash_key, spool_dir, create=True)
    except OSError as exc:
        raise ConfigError(
            [f"Config 'AUDIT_SPOOL_DIR' has value '{spool_dir}'. Not writable ({exc.strerror})."]
        ) from None
    if not settings.audit_hash_key:
        _log.warning(
            "audit_hash_key_local",
            key_file=str(spool_dir / KEY_FILE),
            hint="set AUDIT_HASH_KEY, the same on every core, for aegis audit match",
        )
    writer = AuditWriter(
        database,
        spool,
        instance=settings.instance,
        queue_max=settings.audit_queue_max,
        batch_max=settings.audit_batch_max,
        flush_interval_s=settings.audit_flush_interval_ms / 1000,
        registry=registry,
    )
    return AuditTrail(TextHasher(key), writer)
