"""The client's address behind trusted reverse proxies, and the key a client is counted under.

The client is the connecting peer, unless that peer is one of TRUSTED_PROXIES: then
X-Forwarded-For is read from the right, skipping trusted proxies, and the first other
address is the client (what a client wrote further left is never believed).
"""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(value: str) -> tuple[Network, ...]:
    """TRUSTED_PROXIES (comma-separated addresses or CIDRs) as networks; ValueError if bad."""
    networks = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: '{part}' is not an IP address or network "
                "(for example 10.0.0.5 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def resolve_client(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client address given the peer, X-Forwarded-For header values and trusted proxies."""
    client = _ip(peer)
    if client is None:
        return peer or "unknown"
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    while any(client in net for net in trusted) and hops:
        previous = _ip(hops.pop())
        if previous is None:  # garbage from a client: stop at the last address we trust
            break
        client = previous
    return str(client)


def client_bucket(address: str) -> str:
    """The key one client is counted under: its address, or its /64 for IPv6."""
    parsed = _ip(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address
