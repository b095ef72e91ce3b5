"""Threads in the connector contract."""

from __future__ import annotations

from core.models import SocialAccount
from tests.e2e.connectors.cases._meta import COMMON_ERRORS, meta_fake, oauth_connect
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario


async def connect(env: ContractEnv) -> SocialAccount:
    """Threads login: code → short token → 60-day token."""
    return await oauth_connect(env, "th")


CASE = ContractCase(
    platform="threads",
    fake=meta_fake("threads"),
    connect=connect,
    media=("image", "video", "carousel"),
    errors=COMMON_ERRORS
    + (
        ErrorScenario(
            "publish_limit",
            code="2207042",
            retryable=True,
            retry_after=True,
            words=("publishing limit",),
        ),
        ErrorScenario("quota_exhausted", code="2207042", retryable=True, retry_after=True),
        ErrorScenario("fetch_timeout", code="2207003", retryable=True, words=("PUBLIC_BASE_URL",)),
        ErrorScenario("container_error", code="2207026", retryable=False, words=("another file",)),
    ),
)
