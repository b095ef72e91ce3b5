"""The outbound guard's rules without the network: addresses, URLs, base URLs, links."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from core.errors import OutboundRefused
from core.net_guard import (
    OutboundPolicy,
    check_addresses,
    check_url,
    origin,
    parse_allow_hosts,
    refusal,
)
from core.safe_links import shown_link, web_link

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("100.100.100.200", "CGNAT"),  # Alibaba metadata
    ("169.254.169.254", "metadata"),
    ("169.254.0.5", "link-local"),
    ("192.0.0.192", "reserved"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "reserved"),
    ("192.88.99.1", "reserved"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fd00:ec2::254", "metadata"),
    ("fec0::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("100::1", "reserved"),
    ("2001::1", "reserved"),  # Teredo
    ("2001:10::1", "reserved"),
    ("64:ff9b:1::1", "reserved"),
    ("5f00::1", "reserved"),
    ("4000::1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.1.2.3", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible
    ("::ffff:0:192.168.0.1", "private"),  # IPv4-translated
    ("64:ff9b::127.0.0.1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64
    ("2002:7f00:1::1", "loopback"),
    ("2002:c0a8:101::1", "private"),  # 6to4
    ("2002:a9fe:a9fe::1", "metadata"),
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "192.169.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_private_and_special_addresses_are_refused(address: str, why: str) -> None:
    reason = refusal(ip_address(address))
    assert reason is not None and why.lower() in reason.lower(), (address, reason)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ip_address(address)) is None


STRICT = OutboundPolicy()
TESTING = OutboundPolicy(allow_http=True, allow_hosts=parse_allow_hosts("127.0.0.1:8080"))


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "https://",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0177.0.0.1/",
        "https://127.1/",
        "https://0x7f.1/",
        "https://10.0.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "https://100.64.1.1/",
        "https://example.com:22/",
        "https://example.com:8443/",
        "https://user:pw@example.com/",
        "https://evil.com@10.0.0.1/",
        "https://exa mple.com/",
        "https://example.com\\@10.0.0.1/",
        "https://[fe80::1%25eth0]/",
    ],
)
def test_urls_refused_without_the_network(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        check_url(url, STRICT)
    assert refused.value.user_message == OutboundRefused.user_message  # never the detail


def test_public_https_urls_pass() -> None:
    assert check_url("https://mastodon.social/api/v1/apps", STRICT).host == "mastodon.social"
    assert check_url("https://8.8.8.8/", STRICT).port == 443
    assert check_url("https://[2606:4700:4700::1111]/", STRICT).exempt is False


def test_the_test_only_allow_list_is_exact() -> None:
    assert check_url("http://127.0.0.1:8080/x", TESTING).exempt
    for url in (
        "http://127.0.0.1:8081/",
        "http://localhost:8080/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]:8080/",
        "http://127.0.0.2:8080/",
    ):
        with pytest.raises(OutboundRefused):
            check_url(url, TESTING)
    with pytest.raises(OutboundRefused):
        check_url("http://127.0.0.1:8080/", OutboundPolicy(allow_hosts=TESTING.allow_hosts))
    assert parse_allow_hosts("localhost, [::1]:9000") == {("localhost", None), ("::1", 9000)}
    with pytest.raises(ValueError):
        parse_allow_hosts("localhost:99999")


def test_resolved_addresses_must_all_be_public() -> None:
    check_addresses("example.com", ["93.184.216.34", "2606:2800:220:1::1"])
    for answers in (["93.184.216.34", "127.0.0.1"], ["::ffff:10.0.0.1"], [], ["nonsense"]):
        with pytest.raises(OutboundRefused):
            check_addresses("example.com", answers)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Bsky.Social/", "https://bsky.social"),
        ("https://pds.example.com/xrpc?x=1#frag", "https://pds.example.com"),
        ("https://pds.example.com:443/", "https://pds.example.com"),
        ("https://pds.example.com/?/evil#", "https://pds.example.com"),
    ],
)
def test_base_urls_keep_only_their_origin(value: str, expected: str) -> None:
    assert origin(value, STRICT) == expected


def test_base_urls_of_the_test_allow_list_keep_their_port() -> None:
    assert origin("http://127.0.0.1:8080/x?y#z", TESTING) == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:x",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "/relative",
        "https:evil",
        "https://user@mastodon.social/x",
        "https://mastodon.social\\x",
        "http://mastodon.social/@a/1",
        "https://evil.example/@a/1",
        "https://mastodon.social.evil/x",
        "https://mastodon.social:444/x",
        "",
        None,
        "https://" + "a" * 3000,
    ],
)
def test_outside_links_need_https_on_the_expected_host(url: str | None) -> None:
    assert web_link(url, hosts=("mastodon.social",)) == ""


def test_good_links_are_kept() -> None:
    good = "https://mastodon.social/@acme/111"
    assert web_link(good, hosts=("mastodon.social",)) == good
    assert web_link("https://bsky.app/profile/a.b/post/3k", hosts=None) != ""
    assert web_link("http://127.0.0.1:8080/@a/1", hosts=("127.0.0.1:8080",), allow_http=True) != ""
    assert shown_link("javascript:alert(1)") == "" and shown_link(good) == good
