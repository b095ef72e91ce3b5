"""Chat identities (each chat account's own core user) and revocable web sessions."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import User


class ChatProvider(StrEnum):
    """Where a chat identity comes from."""

    TELEGRAM = "telegram"
    SLACK = "slack"
    PROMO = "promo"


class ChatIdentity(Model):
    """A chat account (a Telegram user, a Slack user of one workspace, the promo bot).

    Its core user is made for it and found only through this row, never by email, so web
    sign-up cannot reach it. A person with a password joins a brand from chat only through
    a link code they made while signed in.
    """

    id = fields.IntField(primary_key=True)
    provider = fields.CharEnumField(ChatProvider, max_length=16)
    team_id = fields.CharField(max_length=64, default="")
    external_id = fields.CharField(max_length=64)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="chat_identities", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_identities"
        unique_together = (("provider", "team_id", "external_id"),)


class WebSession(Model):
    """One signed-in browser, revocable on the server, only the hash of its key is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="web_sessions", on_delete=fields.CASCADE
    )
    user_id: int
    key_hash = fields.CharField(max_length=64, unique=True)
    address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_sessions"
