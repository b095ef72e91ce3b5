"""Migration 0006 on SQLite and PostgreSQL: bot-made users keep their roles, squatters get none."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import connections
from tortoise.migrations.api import migrate

from core.db import close_db, init_db, tortoise_config, upgrade
from core.identities import chat_user
from core.models import BrandMember, ChatIdentity, ChatProvider, User
from tests.conftest import _create_pg_database, _drop_pg_database, make_settings

BEFORE = "models.0005_auto_20261127_0641"
AT = "'2026-11-27 06:41:00+00:00'"
SQUAT = "$argon2id$v=19$m=65536,t=3,p=4$c3F1YXR0ZXI$c3F1YXR0ZXJzcXVhdHRlcnNxdWF0dGVy"
# the data as the bots made it before 0006 (ids fixed so the statements stay plain SQL)
ROWS = [
    "INSERT INTO users (id, email, password_hash, display_name, is_active, created_at) VALUES "
    f"(1, 'owner@example.com', '{SQUAT}', '', TRUE, {AT}),"
    f"(2, 'telegram-501@users.telegram.invalid', '!', 'Ed', TRUE, {AT}),"
    f"(3, 'slack-t0acme-u0ed@users.slack.invalid', '!', 'ed', TRUE, {AT}),"
    f"(4, 'promo-bot@oneclick.social', '{SQUAT}', '', TRUE, {AT}),"
    f"(5, 'telegram-502@users.telegram.invalid', '{SQUAT}', 'squatter', TRUE, {AT})",
    "INSERT INTO brands (id, name, slug, owner_id, ai_system_prompt, default_hashtags, "
    "forbidden_phrases, timezone, approval_required, settings, created_at, updated_at) VALUES "
    f"(1, 'Acme', 'acme', 1, '', '[]', '[]', 'UTC', FALSE, '{{}}', {AT}, {AT})",
    "INSERT INTO brand_members (id, brand_id, user_id, role, created_at) VALUES "
    f"(1, 1, 1, 'owner', {AT}), (2, 1, 2, 'editor', {AT}), (3, 1, 3, 'approver', {AT}),"
    f"(4, 1, 4, 'editor', {AT}), (5, 1, 5, 'editor', {AT})",
    "INSERT INTO telegram_identities (id, brand_id, telegram_user_id, user_id, created_at) "
    f"VALUES (1, 1, '501', 2, {AT}), (2, 1, '502', 5, {AT})",
    "INSERT INTO slack_identities (id, brand_id, team_id, slack_user_id, user_id, created_at) "
    f"VALUES (1, 1, 'T0ACME', 'U0ED', 3, {AT})",
    "INSERT INTO audit_log (id, brand_id, actor_id, action, object_type, object_id, origin, "
    f"details, created_at) VALUES (1, NULL, 4, 'user.created', 'users', '4', 'promo', '{{}}', "
    f"{AT})",
]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_bot_made_users_keep_their_roles(kind: str, tmp_path: Path) -> None:
    url = await _create_pg_database() if kind == "postgres" else None
    settings = make_settings(tmp_path, **({"database_url": url} if url else {}))
    try:
        await migrate(config=tortoise_config(settings), target=BEFORE)
        await close_db()
        await init_db(settings)
        for statement in ROWS:
            await connections.get("default").execute_query(statement)
        if url:  # ids were given: move the sequences past them
            for table in ("users", "brands", "brand_members", "audit_log"):
                await connections.get("default").execute_query(
                    f"SELECT setval('{table}_id_seq', 100)"
                )
        await close_db()
        await upgrade(settings)
        await init_db(settings)

        found = {
            (i.provider, i.team_id, i.external_id): i.user_id for i in await ChatIdentity.all()
        }
        assert found == {
            (ChatProvider.TELEGRAM, "", "501"): 2,
            (ChatProvider.SLACK, "T0ACME", "U0ED"): 3,
            (ChatProvider.PROMO, "", "bot"): 4,
        }
        # the bots find the same users again, and they keep their roles
        assert (await chat_user(ChatProvider.TELEGRAM, "501")).id == 2
        assert (await chat_user(ChatProvider.SLACK, "U0ED", team_id="T0ACME")).id == 3
        assert (await chat_user(ChatProvider.PROMO, "bot")).id == 4
        assert await BrandMember.filter(brand_id=1, user_id__in=[2, 3, 4]).count() == 3
        # the account with a password at a bot's address is not the bot
        fresh = await chat_user(ChatProvider.TELEGRAM, "502")
        assert fresh.id != 5 and fresh.password_hash == "!"
        assert fresh.email.endswith("@users.telegram.invalid")
        assert (await User.get(id=5)).email == "telegram-502@users.telegram.invalid"
    finally:
        await close_db()
        if url:
            await _drop_pg_database(url)
