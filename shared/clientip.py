"""Which IP a request really came from.

Forwarded headers are believed only when the TCP peer is a configured trusted proxy (nginx,
or the edge as seen by core); otherwise anyone could claim any address. Even from a trusted
peer a value is used only once it parses as one IP address (:func:`parse_ip`): a proxy may
pass on what its own client sent, and the client IP goes into log lines, rate-limit keys in
Redis, bypass events and audit rows. A value that does not parse is replaced by the peer's
own address, and :class:`ClientIpResolver` counts it and logs it once in a while — the
header's name and the peer, never its text, which is the attacker's.

``X-Aegis-Client-Ip`` (the edge telling core) is one address. ``X-Forwarded-For`` is read
right to left, skipping trusted hops, so a client cannot inject a fake left-most entry.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Final

import structlog

from shared.config import IPNetwork

__all__ = [
    "LOG_INTERVAL_S",
    "MAX_IP_LENGTH",
    "ClientIpResolver",
    "is_trusted",
    "parse_ip",
    "resolve_client_ip",
]

# The longest text form of an address ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").
MAX_IP_LENGTH: Final = 45
# At most one log line per process this often about rejected header values.
LOG_INTERVAL_S: Final = 60.0

_log = structlog.get_logger("aegis.clientip")


def is_trusted(peer: str | None, trusted: Sequence[IPNetwork]) -> bool:
    """Whether ``peer`` lies in one of the ``trusted`` networks."""
    if not peer or not trusted:
        return False
    return _in_networks(peer, tuple(trusted))


# Parsing an address costs ~10 µs and every request asks about its peer (a few proxies and
# edges, mostly): answers are kept, a bounded number of them.
@functools.lru_cache(maxsize=4096)
def _in_networks(peer: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def parse_ip(value: str) -> str | None:
    """The canonical text of the one IP address ``value`` holds, or None if it holds none.

    Surrounding spaces are ignored; an IPv4 address mapped into IPv6 is the IPv4 address (the
    same client counts once for rate limits); an IPv6 zone (``%eth0``), which may be any text,
    is refused.

        >>> parse_ip(" 203.0.113.9 "), parse_ip("2001:DB8::0:1"), parse_ip("::ffff:192.0.2.1")
        ('203.0.113.9', '2001:db8::1', '192.0.2.1')
        >>> parse_ip("6.6.6.6' OR '1'='1 <script>"), parse_ip("fe80::1%<x>"), parse_ip("")
        (None, None, None)
    """
    value = value.strip()
    # Checked before the cache, so a flood of long junk cannot fill it with long strings.
    if len(value) > MAX_IP_LENGTH or "%" in value:
        return None
    return _canonical_ip(value)


@functools.lru_cache(maxsize=4096)
def _canonical_ip(value: str) -> str | None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def resolve_client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str:
    """The client's IP: the right-most untrusted hop of ``X-Forwarded-For`` behind trusted peers.

    The peer's own address when the peer is not trusted, or when a hop that had to be read
    is not an IP address.

        >>> import ipaddress
        >>> nets = [ipaddress.ip_network("10.0.0.0/8")]
        >>> resolve_client_ip("10.0.0.2", "6.6.6.6, 203.0.113.9", nets)
        '203.0.113.9'
        >>> resolve_client_ip("198.51.100.7", "203.0.113.9", nets)
        '198.51.100.7'
        >>> resolve_client_ip("10.0.0.2", "203.0.113.9 <script>", nets)
        '10.0.0.2'
    """
    return _from_forwarded_for(peer or "unknown", forwarded_for, trusted) or peer or "unknown"


def _from_forwarded_for(
    peer: str, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str | None:
    """The client named by a trusted peer's ``X-Forwarded-For``; None if a hop is not an IP."""
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    if not hops:
        return peer
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            return None
        if not is_trusted(address, trusted):
            return address
    # Every hop is one of ours: the left-most is where the request came from.
    return parse_ip(hops[0])


class ClientIpResolver:
    """The client IP of each request, from its peer and what a trusted peer says about it.

    A trusted peer's ``X-Aegis-Client-Ip`` wins, else its ``X-Forwarded-For``
    (:func:`resolve_client_ip`); an untrusted peer is its own client. A trusted peer's value
    that is not an IP address counts in :attr:`rejected_total` and yields the peer's address;
    the first rejection, and then at most one per ``LOG_INTERVAL_S``, logs
    ``client_ip_header_rejected`` with the header's name, the peer and the rejections since
    the last line. The clock is the caller's (the request's start time), so tests step it.

        >>> import ipaddress
        >>> resolver = ClientIpResolver([ipaddress.ip_network("127.0.0.0/8")])
        >>> resolver.resolve("127.0.0.1", True, "203.0.113.9", None, now=0.0)
        '203.0.113.9'
        >>> resolver.resolve("198.51.100.7", False, "203.0.113.9", None, now=1.0)
        '198.51.100.7'
    """

    def __init__(
        self,
        trusted: Sequence[IPNetwork],
        forwarded_header: str = "x-forwarded-for",
        client_ip_header: str = "x-aegis-client-ip",
    ) -> None:
        self.trusted = tuple(trusted)
        self.forwarded_header = forwarded_header
        self.client_ip_header = client_ip_header
        self.rejected_total = 0
        self._unlogged = 0
        self._next_log: float | None = None

    def resolve(
        self,
        peer: str | None,
        trusted_peer: bool,
        client_ip: str | None,
        forwarded_for: str | None,
        *,
        now: float,
    ) -> str:
        """The client IP; ``trusted_peer`` is :func:`is_trusted` of ``peer``, already known."""
        own = peer or "unknown"
        if not trusted_peer:
            return own
        if client_ip:
            address = parse_ip(client_ip)
            if address is None:
                self._reject(self.client_ip_header, own, now)
                return own
            return address
        address = _from_forwarded_for(own, forwarded_for, self.trusted)
        if address is None:
            self._reject(self.forwarded_header, own, now)
            return own
        return address

    def _reject(self, header: str, peer: str, now: float) -> None:
        self.rejected_total += 1
        self._unlogged += 1
        if self._next_log is not None and now < self._next_log:
            return
        self._next_log = now + LOG_INTERVAL_S
        _log.warning("client_ip_header_rejected", header=header, peer=peer, count=self._unlogged)
        self._unlogged = 0
