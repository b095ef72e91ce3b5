"""The installation and OAuth state stores on our database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Installation

from bots.slack.install import DbInstallationStore, DbOAuthStateStore
from core.config import Settings
from core.models import SlackInstallation, SlackOAuthState
from core.security import TokenCipher


async def test_installations_round_trip_encrypted(db: Settings) -> None:
    assert db.token_encryption_key is not None
    store = DbInstallationStore(TokenCipher(db.token_encryption_key.get_secret_value()), "c1")
    await store.async_save(
        Installation(
            app_id="A1",
            team_id="T1",
            team_name="One",
            bot_token="xoxb-secret-1",
            bot_id="B1",
            bot_user_id="UB1",
            bot_scopes="chat:write,commands",
            user_id="U1",
            user_token="xoxp-user-1",
            installed_at=1000.0,
        )
    )
    await store.async_save(
        Installation(team_id="T1", bot_token="xoxb-secret-2", user_id="U2", installed_at=2000.0)
    )
    row = await SlackInstallation.get(team_id="T1", user_id="U1")
    assert "xoxb-secret-1" not in (row.bot_token_enc or "")
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-secret-2"  # the newest installation
    mine = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert mine is not None and mine.user_token == "xoxp-user-1"
    assert mine.bot_scopes == ["chat:write", "commands"]
    assert await store.async_find_bot(enterprise_id=None, team_id="T9") is None
    await store.async_delete_bot(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    await store.async_delete_installation(enterprise_id=None, team_id="T1")
    assert not await SlackInstallation.exists()


async def test_oauth_states_are_single_use_and_expire(db: Settings) -> None:
    store = DbOAuthStateStore(600)
    state = await store.async_issue()
    assert await store.async_consume(state)
    assert not await store.async_consume(state)
    old = await store.async_issue()
    await SlackOAuthState.filter(state=old).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert not await store.async_consume(old)
    assert not await store.async_consume("never-issued")
