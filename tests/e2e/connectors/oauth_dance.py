"""Drive the web app's OAuth connect flow like a browser: sign in, connect, follow redirects."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from core.brands import create_brand
from core.models import Brand

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of a rendered form."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def signed_in(base_url: str, email: str) -> httpx.AsyncClient:
    """A browser-like client (cookies kept) signed in as a new user."""
    from tests.e2e.connectors.contract import quick_user

    await quick_user(email)
    return await sign_in(base_url, email)


async def sign_in(base_url: str, email: str) -> httpx.AsyncClient:
    """Another browser session of an existing user."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0)
    page = await client.get("/login")
    resp = await client.post(
        "/login",
        data={
            "email": email,
            "password": "correct horse battery",
            "csrf_token": csrf_of(page.text),
            "next": "/brands",
        },
    )
    assert resp.status_code == 303, resp.text
    return client


async def brand_of(email: str, name: str) -> Brand:
    """A brand owned by the user."""
    from core.users import user_by_email

    return await create_brand(await user_by_email(email), name, origin="test")


async def authorize(
    browser: httpx.AsyncClient,
    brand_id: int,
    platform: str,
    query: str = "",
    form: dict[str, str] | None = None,
) -> str:
    """Start connecting (through the network's form, with CSRF, when `form` is given) and let
    the network's (fake) sign-in page approve: the callback URL."""
    url = f"/brands/{brand_id}/connect/{platform}"
    if form is None:
        start = await browser.get(url + query)
    else:
        page = await browser.get(url)
        start = await browser.post(url, data={"csrf_token": csrf_of(page.text), **form})
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient(timeout=30.0) as network:
        approved = await network.get(start.headers["location"])
    assert approved.status_code in (302, 303), approved.text
    callback = approved.headers["location"].split("#", 1)[0]
    assert urlsplit(callback).path == f"/oauth/{platform}/callback"
    return callback


def with_state(callback: str, state: str) -> str:
    """The callback URL with another state value."""
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = state
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
