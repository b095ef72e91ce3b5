"""One contract, every connector: each against its loopback fake of the real API.

Cases come from `tests/e2e/connectors/cases/<platform>.py` (see `contract.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import PublishState
from core.errors import ConnectorError, PublishOutcomeUnknown
from core.models import AccountStatus, PublishTarget, SocialAccount, TargetStatus
from tests.e2e.connectors.contract import (
    ContractCase,
    ContractEnv,
    ErrorScenario,
    all_cases,
    contract_env,
)

CASES = all_cases()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize by case, by (case, media kind) and by (case, error scenario)."""
    names = metafunc.fixturenames
    if "scenario" in names:
        pairs = [(c, s) for c in CASES for s in c.errors]
        metafunc.parametrize(("case", "scenario"), pairs, ids=[f"{c.id}-{s.id}" for c, s in pairs])
    elif "kind" in names:
        pairs = [(c, k) for c in CASES for k in c.media]
        metafunc.parametrize(("case", "kind"), pairs, ids=[f"{c.id}-{k}" for c, k in pairs])
    elif "case" in names:
        metafunc.parametrize("case", CASES, ids=[c.id for c in CASES])


@pytest.fixture
async def env(case: ContractCase, tmp_path: Path) -> AsyncIterator[ContractEnv]:
    """The case's fake and the live app pointed at it."""
    async with contract_env(case, tmp_path) as running:
        yield running


async def _publish(env: ContractEnv, account: SocialAccount, kind: str = "image") -> PublishTarget:
    asset = await env.asset(kind)  # type: ignore[arg-type]
    target = await env.target(asset, account)
    runner = env.services.runner
    await runner.prepare_job(target.job_id)
    outcome = await runner.run(target.id)
    target = await PublishTarget.get(id=target.id)
    assert outcome.status == TargetStatus.PUBLISHED, (target.error, target.error_code)
    return target


def _plain(message: str) -> None:
    """A message a person can read in a chat: short words, no payloads or tracebacks."""
    assert 10 < len(message) < 400, message
    for leak in ("{", "Traceback", "fbtrace", "access_token", "http_"):
        assert leak not in message, message


class TestConnectorContract:
    """The behaviour every connector promises."""

    async def test_connect_stores_encrypted_tokens(self, env: ContractEnv) -> None:
        account = await env.case.connect(env)
        account = await SocialAccount.get(id=account.id)
        assert account.platform == env.case.platform
        assert account.status == AccountStatus.OK
        assert account.brand_id == env.brand.id
        assert account.external_id and account.display_name
        token = env.services.cipher.decrypt(account.access_token_enc)
        assert token and token not in (account.access_token_enc or "")

    async def test_publish_and_status(self, env: ContractEnv, kind: str) -> None:
        account = await env.case.connect(env)
        target = await _publish(env, account, kind)
        assert target.external_id
        assert target.external_url.startswith("http")
        posts = env.handle.posts()
        assert len(posts) == 1
        assert posts[0]["text"] == target.caption
        status = await env.connector.get_status(target.external_id, account)
        assert status.state == PublishState.PUBLISHED
        assert status.external_url == target.external_url

    async def test_find_published_after_a_crash(self, env: ContractEnv) -> None:
        account = await env.case.connect(env)
        target = await _publish(env, account)
        try:
            found = await env.connector.find_published(target, account)
        except PublishOutcomeUnknown as exc:
            _plain(exc.user_message)
            return
        assert found == (target.external_id, target.external_url)
        assert len(env.handle.posts()) == 1

    async def test_refresh_keeps_the_account_alive(self, env: ContractEnv) -> None:
        account = await env.case.connect(env)
        cipher = env.services.cipher
        before = cipher.decrypt(account.access_token_enc)
        had_refresh = account.refresh_token_enc is not None
        refreshed = await env.connector.refresh_token(account)
        stored = await SocialAccount.get(id=refreshed.id)
        after = cipher.decrypt(stored.access_token_enc)
        assert after and after != before
        assert env.handle.calls("refresh") == 1
        if had_refresh:
            assert stored.refresh_token_enc is not None
        if stored.token_expires_at is not None:
            assert stored.token_expires_at > datetime.now(UTC)

    async def test_token_expiry_mid_publish_refreshes_once(self, env: ContractEnv) -> None:
        account = await env.case.connect(env)
        env.handle.inject(env.case.token_expired_fault)
        await _publish(env, account)
        assert env.handle.calls("refresh") == 1
        assert len(env.handle.posts()) == 1

    async def test_rate_limit_is_retryable_with_retry_after(self, env: ContractEnv) -> None:
        account = await env.case.connect(env)
        asset = await env.asset("image")
        target = await env.target(asset, account)
        env.handle.inject(env.case.rate_limit_fault)
        runner = env.services.runner
        await runner.prepare_job(target.job_id)
        outcome = await runner.run(target.id)
        target = await PublishTarget.get(id=target.id)
        assert outcome.status == TargetStatus.RETRY_WAIT, (target.error, target.error_code)
        assert outcome.retry_in is not None and outcome.retry_in > 0
        _plain(target.error)
        assert env.handle.posts() == []

    async def test_error_codes_are_typed(self, env: ContractEnv, scenario: ErrorScenario) -> None:
        account = await env.case.connect(env)
        asset = await env.asset(scenario.media)
        target = await env.target(asset, account)
        connector = env.connector
        await connector.prepare_media(asset, connector.media_profile(asset))
        env.handle.inject(scenario.fault)
        with pytest.raises(ConnectorError) as raised:
            await connector.publish(target, target.caption, account)
        error = raised.value
        assert error.platform == env.case.platform
        assert error.code == scenario.code, error.user_message
        assert error.retryable is scenario.retryable, error.user_message
        assert error.needs_reconnect is scenario.needs_reconnect
        if scenario.retry_after:
            assert error.retry_after is not None and error.retry_after > 0
        _plain(error.user_message)
        for word in scenario.words:
            assert word.lower() in error.user_message.lower(), error.user_message
        assert env.handle.posts() == []
