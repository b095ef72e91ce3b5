"""The client address behind trusted proxies, and how clients are counted."""

from __future__ import annotations

import pytest

from core.client_address import client_bucket, parse_proxies, resolve_client

PROXIES = parse_proxies("10.0.0.0/8, 2001:db8:1::/48")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], (), "203.0.113.9"),  # no proxy trusted: header ignored
        ("203.0.113.9", ["198.51.100.1"], PROXIES, "203.0.113.9"),  # peer is no trusted proxy
        ("10.0.0.5", ["198.51.100.1"], PROXIES, "198.51.100.1"),
        ("10.0.0.5", ["1.2.3.4, 198.51.100.1"], PROXIES, "198.51.100.1"),  # left part: client's
        ("10.0.0.5", ["198.51.100.1, 10.0.0.7"], PROXIES, "198.51.100.1"),  # two proxies
        ("10.0.0.5", ["1.2.3.4", "198.51.100.1"], PROXIES, "198.51.100.1"),  # two headers
        ("10.0.0.5", ["not-an-ip"], PROXIES, "10.0.0.5"),  # garbage: the last trusted hop
        ("10.0.0.5", ["10.0.0.6"], PROXIES, "10.0.0.6"),  # only proxies: the farthest one
        ("10.0.0.5", [], PROXIES, "10.0.0.5"),
        ("2001:db8:1::5", ["[2001:db8:2::9]:443"], PROXIES, "2001:db8:2::9"),
        ("10.0.0.5", ["198.51.100.1:5555"], PROXIES, "198.51.100.1"),
        ("::ffff:10.0.0.5", ["198.51.100.1"], PROXIES, "198.51.100.1"),  # IPv4-mapped proxy
    ],
)
def test_resolve_client(peer: str, forwarded: list[str], trusted: tuple, client: str) -> None:
    assert resolve_client(peer, forwarded, trusted) == client


def test_ipv6_clients_count_by_their_64() -> None:
    assert client_bucket("2001:db8:5:6:1::1") == client_bucket("2001:db8:5:6:ffff::2")
    assert client_bucket("2001:db8:5:7::1") != client_bucket("2001:db8:5:6::1")
    assert client_bucket("198.51.100.1") == "198.51.100.1"


def test_bad_trusted_proxies_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'proxy.local'"):
        parse_proxies("10.0.0.1, proxy.local")
    assert parse_proxies("") == ()
