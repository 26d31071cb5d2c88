"""Hashes used wherever Aegis must identify text or a key without keeping it.

API keys are 256-bit random tokens, so one SHA-256 is a safe and fast way to store and look
them up (a slow password hash only matters for guessable secrets).
"""

from __future__ import annotations

import hashlib

__all__ = ["hash_api_key", "sha256_hex"]


def sha256_hex(data: bytes | str) -> str:
    """Hex SHA-256 of ``data`` (text is encoded as UTF-8)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def hash_api_key(key: str) -> str:
    """The stored form of an API key: hex SHA-256 of the key's UTF-8 bytes."""
    return sha256_hex(key)
