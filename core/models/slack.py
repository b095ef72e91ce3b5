"""Slack app state kept in the database: installations, OAuth states, identities, cards."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import Brand, User
from core.models.content import MediaAsset
from core.models.publishing import PublishJob


class SlackInstallation(Model):
    """One workspace installation of the Slack app (tokens Fernet-encrypted)."""

    id = fields.IntField(primary_key=True)
    client_id = fields.CharField(max_length=64, default="")
    app_id = fields.CharField(max_length=64, default="")
    enterprise_id = fields.CharField(max_length=64, default="")
    enterprise_name = fields.CharField(max_length=200, default="")
    team_id = fields.CharField(max_length=64, default="", db_index=True)
    team_name = fields.CharField(max_length=200, default="")
    bot_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    bot_id = fields.CharField(max_length=64, default="")
    bot_user_id = fields.CharField(max_length=64, default="")
    bot_scopes = fields.TextField(default="")
    bot_refresh_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    bot_token_expires_at = fields.BigIntField(null=True)
    user_id = fields.CharField(max_length=64, default="")
    user_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    user_scopes = fields.TextField(default="")
    user_refresh_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    user_token_expires_at = fields.BigIntField(null=True)
    is_enterprise_install = fields.BooleanField(default=False)
    token_type = fields.CharField(max_length=16, default="")
    extra: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    installed_at = fields.FloatField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "slack_installations"
        unique_together = (("client_id", "enterprise_id", "team_id", "user_id"),)


class SlackOAuthState(Model):
    """A one-time OAuth state value of an "Add to Slack" flow."""

    id = fields.IntField(primary_key=True)
    state = fields.CharField(max_length=128, unique=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "slack_oauth_states"


class SlackIdentity(Model):
    """A Slack user (per workspace) acting in a brand as one core user."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="slack_identities", on_delete=fields.CASCADE
    )
    brand_id: int
    team_id = fields.CharField(max_length=64)
    slack_user_id = fields.CharField(max_length=64)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="slack_identities", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "slack_identities"
        unique_together = (("brand", "team_id", "slack_user_id"),)


class SlackCard(Model):
    """One Block Kit message about an asset in a channel, its job and its status reply."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="slack_cards", on_delete=fields.CASCADE
    )
    brand_id: int
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="slack_cards", on_delete=fields.CASCADE
    )
    asset_id: int
    team_id = fields.CharField(max_length=64)
    channel_id = fields.CharField(max_length=64, db_index=True)
    message_ts = fields.CharField(max_length=32, null=True)
    kind = fields.CharField(max_length=16, default="inbox")
    platforms: fields.JSONField[list[str]] = fields.JSONField(default=list)
    selected: fields.JSONField[list[str]] = fields.JSONField(default=list)
    job: fields.ForeignKeyNullableRelation[PublishJob] = fields.ForeignKeyField(
        "models.PublishJob", related_name="slack_cards", null=True, on_delete=fields.SET_NULL
    )
    job_id: int | None
    job_key = fields.CharField(max_length=128, default="")
    status_ts = fields.CharField(max_length=32, null=True)
    status_done = fields.BooleanField(default=False)
    decision = fields.CharField(max_length=16, default="")
    decided_by = fields.CharField(max_length=64, default="")
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="slack_cards", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "slack_cards"


class SlackFile(Model):
    """A Slack file already taken in (so an event delivered twice makes one asset)."""

    id = fields.IntField(primary_key=True)
    team_id = fields.CharField(max_length=64)
    file_id = fields.CharField(max_length=64)
    asset: fields.ForeignKeyNullableRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="slack_files", null=True, on_delete=fields.SET_NULL
    )
    asset_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "slack_files"
        unique_together = (("team_id", "file_id"),)
