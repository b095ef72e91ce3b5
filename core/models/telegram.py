"""Telegram bot state kept in the database, so a restart loses no card, edit or status."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import Brand, User
from core.models.content import MediaAsset
from core.models.publishing import PublishJob


class TelegramIdentity(Model):
    """A Telegram user acting in a brand as one core user."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="telegram_identities", on_delete=fields.CASCADE
    )
    brand_id: int
    telegram_user_id = fields.CharField(max_length=64)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="telegram_identities", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "telegram_identities"
        unique_together = (("brand", "telegram_user_id"),)


class TelegramCard(Model):
    """One card message in a chat: an asset, the chosen platforms, its job and status message."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="telegram_cards", on_delete=fields.CASCADE
    )
    brand_id: int
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="telegram_cards", on_delete=fields.CASCADE
    )
    asset_id: int
    chat_id = fields.CharField(max_length=64, db_index=True)
    message_id = fields.BigIntField(null=True)
    kind = fields.CharField(max_length=16, default="upload")
    platforms: fields.JSONField[list[str]] = fields.JSONField(default=list)
    selected: fields.JSONField[list[str]] = fields.JSONField(default=list)
    job: fields.ForeignKeyNullableRelation[PublishJob] = fields.ForeignKeyField(
        "models.PublishJob", related_name="telegram_cards", null=True, on_delete=fields.SET_NULL
    )
    job_id: int | None
    status_message_id = fields.BigIntField(null=True)
    status_done = fields.BooleanField(default=False)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="telegram_cards", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "telegram_cards"


class TelegramChatState(Model):
    """Per chat: the active brand and a pending caption edit (who, which card, which platform)."""

    id = fields.IntField(primary_key=True)
    chat_id = fields.CharField(max_length=64, unique=True)
    active_brand: fields.ForeignKeyNullableRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="telegram_active_chats", null=True, on_delete=fields.SET_NULL
    )
    active_brand_id: int | None
    pending_card: fields.ForeignKeyNullableRelation[TelegramCard] = fields.ForeignKeyField(
        "models.TelegramCard", related_name="pending_in", null=True, on_delete=fields.SET_NULL
    )
    pending_card_id: int | None
    pending_kind = fields.CharField(max_length=16, default="")
    pending_platform = fields.CharField(max_length=32, default="")
    pending_user_id = fields.CharField(max_length=64, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "telegram_chat_states"
