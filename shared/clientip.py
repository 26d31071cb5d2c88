"""Which IP a request really came from.

``X-Forwarded-For`` is believed only when the TCP peer is a configured trusted proxy (nginx,
or the edge as seen by core); otherwise anyone could claim any address. The header is read
right to left, skipping trusted hops, so a client cannot inject a fake left-most entry.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from shared.config import IPNetwork

__all__ = ["is_trusted", "resolve_client_ip"]


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


def resolve_client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str:
    """The client's IP: the right-most untrusted hop of ``X-Forwarded-For`` behind trusted peers.

        >>> import functools
    import ipaddress
        >>> nets = [ipaddress.ip_network("10.0.0.0/8")]
        >>> resolve_client_ip("10.0.0.2", "6.6.6.6, 203.0.113.9", nets)
        '203.0.113.9'
        >>> resolve_client_ip("198.51.100.7", "203.0.113.9", nets)
        '198.51.100.7'
    """
    peer = peer or "unknown"
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
