"""Instagram in the connector contract."""

from __future__ import annotations

from core.models import SocialAccount
from tests.e2e.connectors.cases._meta import COMMON_ERRORS, meta_fake, oauth_connect
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario


async def connect(env: ContractEnv) -> SocialAccount:
    """Instagram Login: code → short token → 60-day token."""
    return await oauth_connect(env, "ig")


CASE = ContractCase(
    platform="instagram",
    fake=meta_fake("instagram"),
    connect=connect,
    media=("image", "video", "carousel"),
    errors=COMMON_ERRORS
    + (
        ErrorScenario(
            "publish_limit",
            code="2207042",
            retryable=True,
            retry_after=True,
            words=("daily publishing limit", "retried"),
        ),
        ErrorScenario(
            "quota_exhausted",
            code="2207042",
            retryable=True,
            retry_after=True,
            words=("daily publishing limit",),
        ),
        ErrorScenario("container_expired", code="2207020", retryable=True),
        ErrorScenario("server_error", code="2207001", retryable=True),
        ErrorScenario("spam", code="2207051", retryable=False, words=("spam",)),
        ErrorScenario("image_too_large", code="2207004", retryable=False, words=("larger",)),
        ErrorScenario(
            "fetch_timeout", code="2207003", retryable=True, words=("PUBLIC_BASE_URL", "tunnel")
        ),
        ErrorScenario("container_error", code="2207026", retryable=False, words=("another file",)),
    ),
)
