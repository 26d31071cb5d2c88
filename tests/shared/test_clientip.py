"""Client IP resolution believes X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest

from shared.clientip import resolve_client_ip

NETS = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        pytest.param("10.0.0.2", "203.0.113.9", "203.0.113.9", id="trusted-peer"),
        pytest.param("198.51.100.7", "203.0.113.9", "198.51.100.7", id="untrusted-peer"),
        pytest.param(
            "10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9", id="spoofed-leftmost-ignored"
        ),
        pytest.param("10.0.0.2", "203.0.113.9, 10.0.0.5", "203.0.113.9", id="skip-trusted-hops"),
        pytest.param("10.0.0.2", "not-an-ip", "10.0.0.2", id="garbage"),
        pytest.param("10.0.0.2", None, "10.0.0.2", id="no-header"),
        pytest.param(None, "203.0.113.9", "unknown", id="no-peer"),
    ],
)
def test_resolve_client_ip(peer: str | None, header: str | None, expected: str) -> None:
    """The right-most untrusted hop is the client; untrusted peers cannot claim an IP."""
    assert resolve_client_ip(peer, header, NETS) == expected
