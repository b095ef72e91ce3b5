"""Server-side request forgery through the servers a person (or a server) names: the attacks
run against the live app with real requests; a counting loopback listener proves that
nothing reached it, and the person sees our words, never the remote server's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from core.models import OAuthClientApp, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.oauth_dance import authorize, brand_of, csrf_of, signed_in
from tests.fakes.bluesky_pds import APP_PASSWORD, HANDLE, FakeBluesky
from tests.fakes.mastodon_api import FakeMastodon
from tests.support.listener import Listener, counting_listener
from tests.support.outbound import loopback_outbound
from tests.support.server import free_port, live_app

_ALERT = re.compile(r'<p role="alert">(.*?)</p>', re.S)


def variations(port: int) -> list[str]:
    """The same loopback listener, spelled every way an attacker would try."""
    return [
        f"http://127.0.0.1:{port}",
        f"https://127.0.0.1:{port}",
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        f"http://localhost:{port}/",
        f"[::1]:{port}",
        f"https://[::ffff:127.0.0.1]:{port}",
        f"https://[::ffff:7f00:1]:{port}",
        f"https://2130706433:{port}",
        f"https://0x7f000001:{port}",
        f"127.1:{port}",
        f"https://evil.example@127.0.0.1:{port}",
        f"http://127.0.0.1:{port}/xrpc?#",
        "https://169.254.169.254",
        "https://[fd00:ec2::254]",
        "https://100.100.100.200",
        "https://localhost",
        "https://[::1]",
        "https://0.0.0.0",
        "https://10.0.0.1",
    ]


def alert_of(html: str) -> str:
    """The message the error page shows."""
    found = _ALERT.search(html)
    assert found, html[:500]
    return found.group(1).strip()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    async with counting_listener() as found:
        yield found


async def test_bluesky_server_field_never_reaches_private_addresses(
    tmp_path: Path, listener: Listener
) -> None:
    settings = make_settings(tmp_path)  # the default: no test-only relaxation
    async with live_app(settings) as base:
        browser = await signed_in(base, "owner@example.com")
        brand = await brand_of("owner@example.com", "Acme")
        url = f"/brands/{brand.id}/connect/bluesky"
        for server in variations(listener.port):
            page = await browser.get(url)
            answer = await browser.post(
                url,
                data={
                    "csrf_token": csrf_of(page.text),
                    "identifier": HANDLE,
                    "password": APP_PASSWORD,
                    "service": server,
                },
            )
            assert answer.status_code == 422, (server, answer.text[:300])
            assert "public https://" in alert_of(answer.text), server
        await browser.aclose()
        assert await SocialAccount.filter(platform="bluesky").count() == 0
    assert listener.connections == 0


class PdsPointingElsewhere(FakeBluesky):
    """A Bluesky server whose DID document names another PDS (the attacker's choice)."""

    def __init__(self) -> None:
        super().__init__()
        self.endpoint = ""

    def session(self) -> dict[str, Any]:
        """The session, with the DID document's PDS replaced."""
        answer = super().session()
        answer["didDoc"]["service"][0]["serviceEndpoint"] = self.endpoint or self.base_url
        return answer


async def test_a_pds_handed_back_is_checked_and_cut_to_its_origin(
    tmp_path: Path, listener: Listener
) -> None:
    async with PdsPointingElsewhere().running() as pds:
        settings = make_settings(
            tmp_path, bluesky_service=pds.base_url, **loopback_outbound(pds.base_url)
        )
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            url = f"/brands/{brand.id}/connect/bluesky"
            for endpoint in (
                f"{listener.url}/?x=1#frag",
                f"http://localhost:{listener.port}",
                f"http://[::ffff:127.0.0.1]:{listener.port}/",
                "ftp://pds.example",
                "https://169.254.169.254/",
                "https://localhost/xrpc?",
                "javascript:alert(1)",
            ):
                pds.endpoint = endpoint
                page = await browser.get(url)
                answer = await browser.post(
                    url,
                    data={
                        "csrf_token": csrf_of(page.text),
                        "identifier": HANDLE,
                        "password": APP_PASSWORD,
                    },
                )
                assert answer.status_code == 422, (endpoint, answer.text[:300])
                assert "could not sign in on that Bluesky server" in alert_of(answer.text)
                assert await SocialAccount.filter(platform="bluesky").count() == 0

            pds.endpoint = f"{pds.base_url}/evil?x=1#y"  # its own origin, with a steering tail
            page = await browser.get(url)
            done = await browser.post(
                url,
                data={
                    "csrf_token": csrf_of(page.text),
                    "identifier": HANDLE,
                    "password": APP_PASSWORD,
                },
            )
            assert done.status_code == 303, done.text[:300]
            await browser.aclose()
            account = await SocialAccount.get(platform="bluesky")
            assert account.meta["pds"] == pds.base_url
    assert listener.connections == 0


async def test_mastodon_server_field_never_reaches_private_addresses(
    tmp_path: Path, listener: Listener
) -> None:
    settings = make_settings(tmp_path, outbound_allow_http=True)  # only the address rules
    async with live_app(settings) as base:
        browser = await signed_in(base, "owner@example.com")
        brand = await brand_of("owner@example.com", "Acme")
        url = f"/brands/{brand.id}/connect/mastodon"
        # a GET names a server: only the form comes back, nothing is contacted
        form = await browser.get(f"{url}?server={listener.url}")
        assert form.status_code == 200 and 'name="server"' in form.text
        # the start without the form's CSRF token is refused before anything is contacted
        forged = await browser.post(url, data={"server": listener.url})
        assert forged.status_code in (400, 403)
        for server in variations(listener.port):
            answer = await browser.post(
                url, data={"csrf_token": csrf_of(form.text), "server": server}
            )
            assert answer.status_code == 422, (server, answer.text[:300])
            assert "public https://" in alert_of(answer.text), server
        await browser.aclose()
        assert await OAuthClientApp.filter(platform="mastodon").count() == 0
    assert listener.connections == 0


async def _garbage(request: web.Request) -> web.Response:
    return web.Response(status=500, text="<h1>internal secret: db=10.0.0.5</h1>")


async def test_mastodon_network_failures_all_read_the_same(
    tmp_path: Path, listener: Listener
) -> None:
    """A closed port, an open one answering nonsense, a server error, a name that does not
    resolve and one resolving to loopback: one message, no remote text (no port oracle)."""
    closed = free_port()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _garbage)
    runner = web.AppRunner(app)
    await runner.setup()
    broken = free_port()
    await web.TCPSite(runner, "127.0.0.1", broken).start()
    exempt = [f"http://127.0.0.1:{p}" for p in (closed, listener.port, broken)]
    settings = make_settings(tmp_path, **loopback_outbound(*exempt))
    try:
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            url = f"/brands/{brand.id}/connect/mastodon"
            form = await browser.get(url)
            messages = set()
            for server in (*exempt, "https://does-not-exist.invalid", "https://localhost"):
                answer = await browser.post(
                    url, data={"csrf_token": csrf_of(form.text), "server": server}
                )
                assert answer.status_code == 422, (server, answer.text[:300])
                assert "secret" not in answer.text and "10.0.0.5" not in answer.text
                messages.add(alert_of(answer.text))
            await browser.aclose()
    finally:
        await runner.cleanup()
    assert len(messages) == 1, messages
    assert "could not connect to that Mastodon server" in messages.pop()


async def test_a_refused_sign_in_shows_our_words_not_the_servers(tmp_path: Path) -> None:
    async with FakeMastodon().running() as server:
        settings = make_settings(tmp_path, **loopback_outbound(server.base_url))
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            callback = await authorize(
                browser, brand.id, "mastodon", form={"server": server.base_url}
            )
            query = parse_qs(urlsplit(callback).query)
            denied = await browser.get(
                urlsplit(callback).path,
                params={
                    "state": query["state"][0],
                    "error": "access_denied",
                    "error_description": "Call +1-555-0100 now to unlock your account",
                },
            )
            await browser.aclose()
    assert denied.status_code in (400, 422) and "did not give access" in denied.text
    assert "555" not in denied.text and "unlock" not in denied.text
