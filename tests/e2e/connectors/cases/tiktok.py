"""TikTok's contract case: direct post against the loopback Content Posting API fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx

from connectors._oauth import new_code_verifier, redirect_uri
from core.models import SocialAccount
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario, FakeRun
from tests.fakes.tiktok_api import CLIENT_KEY, CLIENT_SECRET, FakeTikTok


@asynccontextmanager
async def fake() -> AsyncIterator[FakeRun]:
    """The fake TikTok API and the settings pointing at it."""
    async with FakeTikTok().running() as api:
        yield FakeRun(
            overrides={
                "tiktok_api_base": api.base_url,
                "tiktok_authorize_url": f"{api.base_url}/v2/auth/authorize/",
                "tiktok_client_id": CLIENT_KEY,
                "tiktok_client_secret": CLIENT_SECRET,
            },
            handle=api,
        )


async def connect(env: ContractEnv) -> SocialAccount:
    """The consent page (approved by the fake), then the connector's code exchange."""
    redirect = redirect_uri(env.settings, "tiktok")
    url = await env.connector.authorization_url(
        env.brand,
        state="contract-state",
        redirect_uri=redirect,
        code_verifier=new_code_verifier(),
        params={},
    )
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["state"] == ["contract-state"]
    return await env.connector.connect(
        env.brand, {"code": back["code"][0], "redirect_uri": redirect}
    )


CASE = ContractCase(
    platform="tiktok",
    fake=fake,
    connect=connect,
    # photos are pulled by URL: an init whose answer is lost leaves no publish id to ask
    # about, and the Content Posting API lists no posts
    after_effect_outcome="unknown",
    media=("image", "video", "carousel"),
    errors=(
        ErrorScenario(
            "invalid_file_upload",
            code="invalid_file_upload",
            retryable=False,
            words=("video",),
            media="video",
        ),
        ErrorScenario("invalid_params", code="invalid_params", retryable=False, words=("invalid",)),
        ErrorScenario(
            "spam_risk_too_many_posts",
            code="spam_risk_too_many_posts",
            retryable=False,
            words=("daily",),
        ),
        ErrorScenario("rate_limited", code="rate_limit_exceeded", retryable=True, retry_after=True),
        ErrorScenario("server_error", code="internal_error", retryable=True),
        ErrorScenario(
            "token_expired", code="access_token_invalid", retryable=False, needs_reconnect=True
        ),
        ErrorScenario(
            "url_ownership_unverified",
            code="url_ownership_unverified",
            retryable=False,
            words=("PUBLIC_BASE_URL",),
            media="image",
        ),
        ErrorScenario("publish_failed", code="publish_failed", retryable=False, words=("format",)),
    ),
)
