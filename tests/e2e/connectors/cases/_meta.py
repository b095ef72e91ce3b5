"""Shared plumbing of the Meta cases (Instagram, Facebook, Threads): one fake for all three."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core.models import SocialAccount
from tests.e2e.connectors.contract import ContractEnv, ErrorScenario, FakeRun
from tests.fakes.meta_graph import MetaGraphFake, running_meta_graph


class MetaHandle:
    """The contract's view of the Meta fake, narrowed to one network."""

    def __init__(self, fake: MetaGraphFake, network: str) -> None:
        self.fake, self.network = fake, network

    def posts(self) -> list[dict[str, Any]]:
        """Posts of this network published through the API."""
        return self.fake.posts(self.network)

    def inject(self, fault: str, times: int = 1) -> None:
        """Inject a named fault (see tests.fakes.meta_graph.FAULTS)."""
        self.fake.inject(fault, times)

    def calls(self, kind: str) -> int:
        """Calls of a kind made so far."""
        return self.fake.calls(kind)


def meta_fake(network: str):  # a factory of async context managers
    """The `fake` of a Meta case."""

    @asynccontextmanager
    async def start() -> AsyncIterator[FakeRun]:
        async with running_meta_graph(in_progress_polls=2) as fake:
            yield FakeRun(overrides=fake.settings_overrides(), handle=MetaHandle(fake, network))

    return start


async def oauth_connect(
    env: ContractEnv, network: str, pick: list[str] | None = None
) -> SocialAccount:
    """Connect as the web app does: a code from the fake's dialog, then `connect`."""
    from connectors._oauth import redirect_uri

    handle = env.handle
    assert isinstance(handle, MetaHandle)
    redirect = redirect_uri(env.settings, env.case.platform)
    params: dict[str, Any] = {
        "code": handle.fake.issue_code(network, redirect),
        "redirect_uri": redirect,
        "code_verifier": "",
        "start": {},
    }
    connector = env.connector
    choice = await connector.connect_options(env.brand, params)
    if choice is not None:
        chosen = pick or [choice.options[0].id]
        params = {**choice.carry, "choice": chosen, "redirect_uri": redirect}
    return await connector.connect(env.brand, params)


#: errors every Meta network shares (code 4 is covered by the contract's rate-limit test)
COMMON_ERRORS = (
    ErrorScenario(
        "token_revoked", code="190", retryable=False, needs_reconnect=True, words=("reconnect",)
    ),
    ErrorScenario(
        "app_rate_limited",
        code="17",
        retryable=True,
        retry_after=True,
        words=("limiting", "retried"),
    ),
)
