"""Mastodon's contract case: per-server app, OAuth with PKCE, media and statuses.

The fake runs as a Mastodon-API server that issues refresh tokens (as Pleroma/Akkoma do),
so the contract's refresh tests exercise the refresh path; Mastodon's own never-expiring
tokens are covered in test_mastodon_server.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx

from connectors._oauth import new_code_verifier, redirect_uri
from core.models import SocialAccount
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario, FakeRun
from tests.fakes.mastodon_api import FakeMastodon
from tests.support.outbound import loopback_outbound


@asynccontextmanager
async def fake() -> AsyncIterator[FakeRun]:
    """A fake Mastodon-API server (plain http on loopback: the test-only outbound settings
    let the guard reach it)."""
    async with FakeMastodon(refresh_tokens=True).running() as server:
        yield FakeRun(overrides=loopback_outbound(server.base_url), handle=server)


async def connect(env: ContractEnv) -> SocialAccount:
    """App registration and sign-in page on the fake server, then the code exchange."""
    server = env.handle.base_url  # type: ignore[attr-defined]
    redirect = redirect_uri(env.settings, "mastodon")
    verifier = new_code_verifier()
    url = await env.connector.authorization_url(
        env.brand,
        state="contract-state",
        redirect_uri=redirect,
        code_verifier=verifier,
        params={"server": server},
    )
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    return await env.connector.connect(
        env.brand,
        {
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
            "start": {"server": server},
        },
    )


CASE = ContractCase(
    platform="mastodon",
    fake=fake,
    connect=connect,
    media=("image", "video", "carousel"),
    errors=(
        ErrorScenario("rate_limited", code="rate_limited", retryable=True, retry_after=True),
        ErrorScenario("server_error", code="server_error", retryable=True),
        ErrorScenario("token_expired", code="unauthorized", retryable=False, needs_reconnect=True),
        ErrorScenario(
            "validation_failed", code="unprocessable", retryable=False, words=("character limit",)
        ),
        ErrorScenario(
            "media_failed", code="media_failed", retryable=False, words=("media",), media="video"
        ),
    ),
)
