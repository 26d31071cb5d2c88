"""Client IP resolution believes forwarded headers only from trusted proxies, and only as IPs."""

from __future__ import annotations

import ipaddress

import pytest
from structlog.testing import capture_logs

from shared.clientip import LOG_INTERVAL_S, ClientIpResolver, parse_ip, resolve_client_ip

NETS = (ipaddress.ip_network("10.0.0.0/8"),)
INJECTION = "6.6.6.6' OR '1'='1 <script>"


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        pytest.param("10.0.0.2", "203.0.113.9", "203.0.113.9", id="trusted-peer"),
        pytest.param("198.51.100.7", "203.0.113.9", "198.51.100.7", id="untrusted-peer"),
        pytest.param(
            "10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9", id="spoofed-leftmost-ignored"
        ),
        pytest.param("10.0.0.2", "203.0.113.9, 10.0.0.5", "203.0.113.9", id="skip-trusted-hops"),
        pytest.param("10.0.0.2", "10.0.0.9, 10.0.0.5", "10.0.0.9", id="all-hops-trusted"),
        pytest.param("10.0.0.2", "not-an-ip", "10.0.0.2", id="garbage"),
        pytest.param("10.0.0.2", INJECTION, "10.0.0.2", id="sql-and-script-after-an-ip"),
        pytest.param("10.0.0.2", "fe80::1%<script>", "10.0.0.2", id="ipv6-zone-text"),
        pytest.param("10.0.0.2", INJECTION + ", 203.0.113.9", "203.0.113.9", id="junk-never-read"),
        pytest.param("10.0.0.2", "2001:DB8:0::7", "2001:db8::7", id="ipv6-canonical"),
        pytest.param("10.0.0.2", "::ffff:203.0.113.9", "203.0.113.9", id="ipv4-mapped"),
        pytest.param("10.0.0.2", " , ", "10.0.0.2", id="only-commas"),
        pytest.param("10.0.0.2", None, "10.0.0.2", id="no-header"),
        pytest.param(None, "203.0.113.9", "unknown", id="no-peer"),
    ],
)
def test_resolve_client_ip(peer: str | None, header: str | None, expected: str) -> None:
    """The right-most untrusted hop is the client, as an IP; else the peer is."""
    assert resolve_client_ip(peer, header, NETS) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("203.0.113.9", "203.0.113.9", id="ipv4"),
        pytest.param(" 203.0.113.9\t", "203.0.113.9", id="spaces"),
        pytest.param("2001:0db8::0001", "2001:db8::1", id="ipv6"),
        pytest.param(INJECTION, None, id="injection"),
        pytest.param("203.0.113.9 <script>", None, id="trailing-markup"),
        pytest.param("fe80::1%eth0", None, id="zone-id"),
        pytest.param("1" * 5000, None, id="long"),
        pytest.param("203.0.113.9, 198.51.100.1", None, id="two-addresses"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_ip(value: str, expected: str | None) -> None:
    """Only a single IP address parses, and comes back in its canonical form."""
    assert parse_ip(value) == expected


@pytest.mark.parametrize(
    ("trusted_peer", "client_ip", "forwarded", "expected"),
    [
        pytest.param(True, "203.0.113.9", None, "203.0.113.9", id="trusted-client-ip"),
        pytest.param(True, INJECTION, None, "10.0.0.2", id="trusted-client-ip-injection"),
        pytest.param(True, INJECTION, "203.0.113.9", "10.0.0.2", id="bad-client-ip-no-fallback"),
        pytest.param(True, None, "198.51.100.4", "198.51.100.4", id="trusted-forwarded-for"),
        pytest.param(True, None, INJECTION, "10.0.0.2", id="trusted-forwarded-for-injection"),
        pytest.param(False, "203.0.113.9", "198.51.100.4", "10.0.0.2", id="untrusted-peer"),
        pytest.param(False, INJECTION, INJECTION, "10.0.0.2", id="untrusted-peer-injection"),
    ],
)
def test_resolver_uses_only_ip_addresses(
    trusted_peer: bool, client_ip: str | None, forwarded: str | None, expected: str
) -> None:
    """X-Aegis-Client-Ip, then X-Forwarded-For, from a trusted peer; the peer when not an IP."""
    resolver = ClientIpResolver(NETS)
    assert resolver.resolve("10.0.0.2", trusted_peer, client_ip, forwarded, now=0.0) == expected


def test_rejections_are_counted_and_logged_once_a_while_without_the_value() -> None:
    """Every rejected value is counted; a line at most once per interval names no value."""
    resolver = ClientIpResolver(NETS)
    with capture_logs() as logs:
        for step in range(10):
            resolver.resolve("10.0.0.2", True, INJECTION, None, now=step * 1.0)
        resolver.resolve("10.0.0.2", True, None, INJECTION, now=LOG_INTERVAL_S + 1.0)
        resolver.resolve("10.0.0.2", True, None, INJECTION, now=LOG_INTERVAL_S + 2.0)
    assert resolver.rejected_total == 12
    lines = [line for line in logs if line["event"] == "client_ip_header_rejected"]
    assert [(line["header"], line["count"]) for line in lines] == [
        ("x-aegis-client-ip", 1),
        ("x-forwarded-for", 10),
    ]
    assert all(line["peer"] == "10.0.0.2" for line in lines)
    assert "6.6.6.6" not in repr(logs)
