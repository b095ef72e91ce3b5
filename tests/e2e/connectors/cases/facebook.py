"""Facebook Pages in the connector contract (the picker step included)."""

from __future__ import annotations

from core.models import SocialAccount
from tests.e2e.connectors.cases._meta import COMMON_ERRORS, meta_fake, oauth_connect
from tests.e2e.connectors.contract import ContractCase, ContractEnv, ErrorScenario
from tests.fakes.meta_graph import PAGES


async def connect(env: ContractEnv) -> SocialAccount:
    """Facebook Login, then the first Page picked."""
    return await oauth_connect(env, "fb", pick=[PAGES[0]["id"]])


CASE = ContractCase(
    platform="facebook",
    fake=meta_fake("facebook"),
    connect=connect,
    media=("image", "video"),
    errors=COMMON_ERRORS
    + (
        ErrorScenario("server_error", code="2207001", retryable=True),
        ErrorScenario(
            "fetch_timeout", code="2207003", retryable=True, words=("PUBLIC_BASE_URL", "tunnel")
        ),
    ),
)
