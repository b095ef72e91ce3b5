"""Bluesky's contract case: app-password session, blobs, records against the fake PDS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.models import SocialAccount
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario, FakeRun
from tests.fakes.bluesky_pds import APP_PASSWORD, HANDLE, FakeBluesky
from tests.support.outbound import loopback_outbound


@asynccontextmanager
async def fake() -> AsyncIterator[FakeRun]:
    """The fake PDS (also serving the video service) and settings pointing at it."""
    async with FakeBluesky().running() as pds:
        yield FakeRun(
            overrides={
                "bluesky_service": pds.base_url,
                "bluesky_video_service": pds.base_url,
                **loopback_outbound(pds.base_url),
            },
            handle=pds,
        )


async def connect(env: ContractEnv) -> SocialAccount:
    """Sign in with the handle and an app password."""
    return await env.connector.connect(
        env.brand, {"identifier": f"@{HANDLE}", "password": APP_PASSWORD}
    )


CASE = ContractCase(
    platform="bluesky",
    fake=fake,
    connect=connect,
    media=("image", "video", "carousel"),
    errors=(
        ErrorScenario("rate_limited", code="RateLimitExceeded", retryable=True, retry_after=True),
        ErrorScenario("server_error", code="InternalServerError", retryable=True),
        ErrorScenario("token_expired", code="ExpiredToken", retryable=False, needs_reconnect=True),
        ErrorScenario("invalid_record", code="InvalidRequest", retryable=False, words=("refused",)),
        ErrorScenario(
            "video_failed", code="video_failed", retryable=False, words=("video",), media="video"
        ),
    ),
)
