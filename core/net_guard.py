"""The outbound guard: which addresses we may call when a user or a remote server chose them.

Mastodon and Bluesky servers, the PDS a Bluesky server hands back, Instagram CDN links and
Slack file links are all addresses someone outside picked. Rules, in one place:

- https only, on the standard port (OUTBOUND_ALLOW_HTTP, for tests, also allows http);
- the host is resolved and EVERY address it resolves to must be public: loopback, private,
  link-local, CGNAT, multicast, unspecified, reserved, documentation and cloud metadata
  ranges are refused, IPv4 and IPv6 alike, including IPv6 forms that carry an IPv4 address
  (IPv4-mapped, -compatible, -translated, 6to4, NAT64);
- OUTBOUND_ALLOW_HOSTS (test-only) exempts listed `host` or `host:port` entries, so a test
  suite can reach its loopback fakes; nothing else is ever exempt.

`connectors/_outbound.py` applies these rules to every request of the guarded HTTP client
and connects to the very address it checked (no window for DNS rebinding).
"""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Protocol
from urllib.parse import urlsplit

from core.errors import OutboundRefused

Address = IPv4Address | IPv6Address
DEFAULT_PORTS = {"https": 443, "http": 80}

_V4_REFUSED = tuple(
    (ip_network(net), why)
    for net, why in (
        ("169.254.169.254/32", "cloud metadata"),
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),  # IETF protocol assignments (Oracle metadata 192.0.0.192)
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved"),  # the old 6to4 relay anycast
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved"),  # benchmarking
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),  # includes the broadcast address
    )
)
_V6_REFUSED = tuple(
    (ip_network(net), why)
    for net, why in (
        ("fd00:ec2::254/128", "cloud metadata"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "reserved"),  # local-use NAT64
        ("100::/64", "reserved"),  # discard-only
        ("2001::/23", "reserved"),  # IETF protocol assignments: Teredo, ORCHID, benchmarking
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "reserved"),  # SRv6
        ("fc00::/7", "private"),  # unique local
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),  # the old site-local
        ("ff00::/8", "multicast"),
    )
)
_V6_GLOBAL_UNICAST = ip_network("2000::/3")
_V4_IN_V6 = tuple(
    ip_network(net)
    for net in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64 well-known prefix
    )
)
_6TO4 = ip_network("2002::/16")
_NUMERIC = re.compile(r"0x[0-9a-f]*|[0-9]+")  # "127.1", "0177.0.0.1", "2130706433", "0x7f.1"


def embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any."""
    if ip in _6TO4:
        return ip.sixtofour
    for net in _V4_IN_V6:
        if ip in net:
            return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: Address) -> str | None:
    """Why the address may not be called ("loopback", "private"…), or None if it is public."""
    if isinstance(ip, IPv6Address):
        if ip.is_loopback or ip.is_unspecified:
            return "loopback" if ip.is_loopback else "unspecified"
        inner = embedded_ipv4(ip)
        if inner is not None:
            why = refusal(inner)
            return f"{why} (IPv4 inside IPv6)" if why else None
        for net, why in _V6_REFUSED:
            if ip in net:
                return why
        return None if ip in _V6_GLOBAL_UNICAST else "reserved"
    for net, why in _V4_REFUSED:
        if ip in net:
            return why
    return None


def parse_ip(host: str) -> Address | None:
    """The host as an IP address (brackets and an IPv6 zone allowed), or None for a name."""
    try:
        return ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class _PolicySettings(Protocol):
    outbound_allow_http: bool
    outbound_allow_hosts: str


@dataclass(frozen=True)
class OutboundPolicy:
    """The guard's test-only relaxations; the default allows none."""

    allow_http: bool = False
    allow_hosts: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)
    #: only the scheme's standard port (443; 80 where http is allowed): no service on
    #: another port of a public host is reachable either
    standard_ports: bool = True

    @classmethod
    def of(cls, settings: _PolicySettings) -> OutboundPolicy:
        """The policy of these settings (OUTBOUND_ALLOW_HTTP, OUTBOUND_ALLOW_HOSTS)."""
        return cls(
            allow_http=settings.outbound_allow_http,
            allow_hosts=parse_allow_hosts(settings.outbound_allow_hosts),
        )

    def exempt(self, host: str, port: int | None) -> bool:
        """Whether OUTBOUND_ALLOW_HOSTS lists this host (with any port, or this one)."""
        name = host.strip("[]").lower()
        return (name, None) in self.allow_hosts or (name, port) in self.allow_hosts


def parse_allow_hosts(value: str) -> frozenset[tuple[str, int | None]]:
    """`127.0.0.1:8080, localhost, [::1]:9000` → {(host, port or None)}."""
    entries: set[tuple[str, int | None]] = set()
    for raw in value.split(","):
        raw = raw.strip()
        if not raw:
            continue
        parts = urlsplit("//" + raw)
        if not parts.hostname:
            raise ValueError(f"OUTBOUND_ALLOW_HOSTS: {raw!r} is not a host or host:port")
        entries.add((parts.hostname.lower(), parts.port))
    return frozenset(entries)


@dataclass(frozen=True)
class Target:
    """A checked URL's scheme, host and port."""

    scheme: str
    host: str
    port: int
    exempt: bool


def check_url(url: str, policy: OutboundPolicy) -> Target:
    """Everything about a URL that can be checked without the network; OutboundRefused if not
    allowed (the exception's `detail` says why, for the log)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused("not a valid URL") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or (scheme == "http" and not policy.allow_http):
        raise OutboundRefused(f"scheme {scheme or '(none)'} is not allowed")
    if not host or any(ch in url for ch in "\\\t\r\n ") or "@" in parts.netloc:
        raise OutboundRefused("the address has no plain host")
    port = port or DEFAULT_PORTS[scheme]
    if policy.exempt(host, port):
        return Target(scheme, host, port, exempt=True)
    if policy.standard_ports and port != DEFAULT_PORTS[scheme]:
        raise OutboundRefused(f"port {port} is not the standard {scheme} port")
    ip = parse_ip(host)
    if ip is not None and (why := refusal(ip)):
        raise OutboundRefused(f"{host} is a {why} address")
    if ip is None and all(_NUMERIC.fullmatch(part) for part in host.split(".")):
        raise OutboundRefused(f"{host} is an unusual spelling of an address")
    return Target(scheme, host, port, exempt=False)


def check_addresses(host: str, addresses: list[str]) -> None:
    """OutboundRefused unless every address the host resolved to is public."""
    if not addresses:
        raise OutboundRefused(f"{host} resolves to no address")
    for value in addresses:
        ip = parse_ip(value)
        why = "unreadable" if ip is None else refusal(ip)
        if why:
            raise OutboundRefused(f"{host} resolves to a {why} address")


async def vet(url: str, policy: OutboundPolicy) -> Target:
    """`check_url`, then resolve the host and check every address (nothing is connected).

    For an early, clear answer; the guarded client checks again at connect time.
    """
    target = check_url(url, policy)
    if target.exempt or parse_ip(target.host) is not None:
        return target
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        raise OutboundRefused(f"{target.host} does not resolve") from None
    check_addresses(target.host, [str(info[4][0]) for info in infos])
    return target


def origin(value: str, policy: OutboundPolicy) -> str:
    """A base URL cut to its origin ("https://host[:port]"): no user, path, query or fragment.

    A server address we store and later append API paths to must not carry a `?` or `#`
    that would turn those paths into a query or a fragment.
    """
    target = check_url(value.strip(), policy)
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = DEFAULT_PORTS[target.scheme]
    return f"{target.scheme}://{host.lower()}" + (
        "" if target.port == default else f":{target.port}"
    )
