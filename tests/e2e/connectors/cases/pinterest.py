"""Pinterest's contract case: image and video pins against the loopback API v5 fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx

from connectors._oauth import new_code_verifier, redirect_uri
from core.models import SocialAccount
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario, FakeRun
from tests.fakes.pinterest_api import CLIENT_ID, CLIENT_SECRET, FakePinterest


@asynccontextmanager
async def fake() -> AsyncIterator[FakeRun]:
    """The fake Pinterest API and the settings pointing at it."""
    async with FakePinterest().running() as api:
        yield FakeRun(
            overrides={
                "pinterest_api_base": api.base_url,
                "pinterest_authorize_url": f"{api.base_url}/oauth/",
                "pinterest_client_id": CLIENT_ID,
                "pinterest_client_secret": CLIENT_SECRET,
            },
            handle=api,
        )


async def connect(env: ContractEnv) -> SocialAccount:
    """Consent, code exchange with the board picker, then connect with the picked board."""
    redirect = redirect_uri(env.settings, "pinterest")
    url = await env.connector.authorization_url(
        env.brand,
        state="contract-state",
        redirect_uri=redirect,
        code_verifier=new_code_verifier(),
        params={},
    )
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    params = {"code": code, "redirect_uri": redirect}
    choice = await env.connector.connect_options(env.brand, params)
    assert choice is not None and [o.id for o in choice.options] == ["9001", "9002"]
    return await env.connector.connect(
        env.brand, {**params, "carry": choice.carry, "choice": ["9001"]}
    )


CASE = ContractCase(
    platform="pinterest",
    fake=fake,
    connect=connect,
    media=("image", "video"),
    errors=(
        ErrorScenario("rate_limited", code="rate_limited", retryable=True, retry_after=True),
        ErrorScenario("server_error", code="server_error", retryable=True),
        ErrorScenario("token_expired", code="unauthorized", retryable=False, needs_reconnect=True),
        ErrorScenario(
            "board_not_found",
            code="board_not_found",
            retryable=False,
            needs_reconnect=True,
            words=("board",),
        ),
        ErrorScenario(
            "invalid_image", code="invalid_request", retryable=False, words=("invalid image",)
        ),
        ErrorScenario(
            "media_failed", code="media_failed", retryable=False, words=("video",), media="video"
        ),
    ),
)
