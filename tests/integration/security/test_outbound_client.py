"""The guarded client against a counting loopback listener: refused requests never connect,
redirects are checked hop by hop, and names are checked at connect time."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from connectors._outbound import outbound_client
from core.errors import OutboundRefused
from core.net_guard import OutboundPolicy, parse_allow_hosts
from tests.support.listener import Listener, counting_listener
from tests.support.server import free_port

# plain http and any port, so only the address rules can refuse (as a test run needs)
ANY_PORT = OutboundPolicy(allow_http=True, standard_ports=False)


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    async with counting_listener() as found:
        yield found


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0.0.0.0",
        "[::]",
        "[::127.0.0.1]",
        "LOCALHOST",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::1]",
    ],
)
async def test_loopback_in_any_spelling_is_never_contacted(listener: Listener, host: str) -> None:
    async with outbound_client(ANY_PORT) as client:
        with pytest.raises(OutboundRefused) as refused:
            await client.get(f"http://{host}:{listener.port}/")
    assert "127" not in refused.value.user_message and "loopback" not in str(refused.value)
    assert listener.connections == 0


@pytest.mark.parametrize("host", ["0177.0.0.1", "localhost.", "127.0.0.1.", "0x7f.0.0.1"])
async def test_odd_spellings_fail_one_way_or_another(listener: Listener, host: str) -> None:
    """httpx refuses some as URLs, some do not resolve here: none may connect."""
    async with outbound_client(ANY_PORT) as client:
        with pytest.raises((OutboundRefused, httpx.HTTPError, httpx.InvalidURL)):
            await client.get(f"http://{host}:{listener.port}/")
    assert listener.connections == 0


async def test_the_default_policy_refuses_plain_http_and_odd_ports(listener: Listener) -> None:
    async with outbound_client(OutboundPolicy()) as client:
        for url in (listener.url, f"https://example.com:{listener.port}/"):
            with pytest.raises(OutboundRefused):
                await client.get(url)
    assert listener.connections == 0


async def test_a_redirect_to_loopback_is_refused_at_that_hop(listener: Listener) -> None:
    port = free_port()
    app = web.Application()

    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app.router.add_get("/go", bounce)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    policy = OutboundPolicy(
        allow_http=True, standard_ports=False, allow_hosts=parse_allow_hosts(f"127.0.0.1:{port}")
    )
    try:
        async with outbound_client(policy) as client:
            for target in (
                listener.url,
                f"http://localhost:{listener.port}/",
                f"http://[::ffff:127.0.0.1]:{listener.port}/x?y#z",
            ):
                with pytest.raises(OutboundRefused):
                    await client.get(
                        f"http://127.0.0.1:{port}/go", params={"to": target}, follow_redirects=True
                    )
            allowed = await client.get(
                f"http://127.0.0.1:{port}/go",
                params={"to": f"http://127.0.0.1:{port}/nowhere"},
                follow_redirects=True,
            )
            assert allowed.status_code == 404  # the exempt fake itself is reachable
    finally:
        await runner.cleanup()
    assert listener.connections == 0


class Answers(AbstractResolver):
    """Name resolution with fixed answers (as a DNS server under an attacker's control)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in self.answers[host]
        ]

    async def close(self) -> None:
        return None


async def test_names_are_checked_when_connecting(listener: Listener) -> None:
    dns = Answers(
        {"rebind.example": ["127.0.0.1"], "mixed.example": ["93.184.216.34", "127.0.0.1"]}
    )
    async with outbound_client(ANY_PORT, resolver=lambda: dns) as client:
        for name in ("rebind.example", "mixed.example"):
            with pytest.raises(OutboundRefused):
                await client.get(f"http://{name}:{listener.port}/")
    assert dns.asked == ["rebind.example", "mixed.example"]
    assert listener.connections == 0


async def test_the_connection_goes_to_the_checked_address_with_the_name_kept(
    listener: Listener,
) -> None:
    """Control: an exempt name reaches the listener at the address resolution gave,
    which is how the guard leaves no window between check and connect."""
    dns = Answers({"fake.test": ["127.0.0.1"]})
    policy = OutboundPolicy(
        allow_http=True,
        standard_ports=False,
        allow_hosts=parse_allow_hosts(f"fake.test:{listener.port}"),
    )
    async with outbound_client(policy, resolver=lambda: dns) as client:
        answer = await client.get(f"http://fake.test:{listener.port}/")
    assert answer.status_code == 200 and listener.connections == 1


async def test_environment_proxies_are_ignored(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", listener.url)
    monkeypatch.setenv("ALL_PROXY", listener.url)
    async with outbound_client(OutboundPolicy()) as client:
        with pytest.raises((httpx.HTTPError, OutboundRefused)):
            await client.get("https://198.51.100.1/", timeout=2.0)
    assert listener.connections == 0
