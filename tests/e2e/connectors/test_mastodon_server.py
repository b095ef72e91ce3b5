"""Mastodon specifics: tokens that never expire, and the Idempotency-Key double-post guard."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from core.errors import ConnectorError
from core.models import SocialAccount
from tests.e2e.connectors.cases.mastodon import CASE
from tests.e2e.connectors.contract import FakeRun, contract_env
from tests.fakes.mastodon_api import FakeMastodon
from tests.support.outbound import loopback_outbound


@asynccontextmanager
async def plain_mastodon() -> AsyncIterator[FakeRun]:
    """Mastodon as it ships: no refresh tokens."""
    async with FakeMastodon().running() as server:
        yield FakeRun(overrides=loopback_outbound(server.base_url), handle=server)


MASTODON = dataclasses.replace(CASE, fake=plain_mastodon)


async def test_never_expiring_token_is_checked_not_refreshed(tmp_path: Path) -> None:
    async with contract_env(MASTODON, tmp_path) as env:
        account = await MASTODON.connect(env)
        assert account.refresh_token_enc is None
        before = account.access_token_enc
        kept = await env.connector.refresh_token(account)
        assert kept.access_token_enc == before
        assert env.handle.calls("verify") == 2  # at connect, and the check

        env.handle.tokens.clear()  # type: ignore[attr-defined] - revoked on the server
        with pytest.raises(ConnectorError) as raised:
            await env.connector.refresh_token(account)
        assert raised.value.needs_reconnect and raised.value.code == "revoked"
        stored = await SocialAccount.get(id=account.id)
        assert stored.access_token_enc == before  # nothing is deleted on a failed check


async def test_a_repeated_publish_returns_the_same_status(tmp_path: Path) -> None:
    async with contract_env(MASTODON, tmp_path) as env:
        account = await MASTODON.connect(env)
        asset = await env.asset("image", caption="Long read https://acme.example/" + "x" * 80)
        target = await env.target(asset, account)
        first = await env.connector.publish(target, target.caption, account)
        second = await env.connector.publish(target, target.caption, account)
        assert first == second
        posts = env.handle.posts()
        assert len(posts) == 1
        assert posts[0]["idempotency_key"] == f"oneclick-target-{target.id}"
