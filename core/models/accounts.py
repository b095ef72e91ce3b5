"""People, brands (the tenants), their members, API keys and connected accounts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.enums import AccountStatus, ChatKind, Role


class User(Model):
    """A person with an account."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=320, unique=True)
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=120, default="")
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class ApiKey(Model):
    """A bearer key for the REST API, only its hash is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE
    )
    user_id: int
    name = fields.CharField(max_length=120, default="")
    prefix = fields.CharField(max_length=16, db_index=True)
    key_hash = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class Brand(Model):
    """The tenant: one client brand with its voice, hashtags and settings."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=64, unique=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="owned_brands", on_delete=fields.RESTRICT
    )
    owner_id: int
    ai_system_prompt = fields.TextField(default="")
    default_hashtags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    forbidden_phrases: fields.JSONField[list[str]] = fields.JSONField(default=list)
    timezone = fields.CharField(max_length=64, default="UTC")
    approval_required = fields.BooleanField(default=False)
    settings: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "brands"


class BrandMember(Model):
    """A user's membership of a brand: tenancy is decided by these rows."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="members", on_delete=fields.CASCADE
    )
    brand_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=16, default=Role.EDITOR)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "brand_members"
        unique_together = (("brand", "user"),)


class SocialAccount(Model):
    """A connected network account of a brand, tokens are Fernet-encrypted."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="accounts", on_delete=fields.CASCADE
    )
    brand_id: int
    platform = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=255, default="")
    access_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    refresh_token_enc: str | None = fields.TextField(null=True)  # TextField is typed str only
    token_expires_at = fields.DatetimeField(null=True)
    refresh_expires_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(AccountStatus, max_length=24, default=AccountStatus.OK)
    status_reason = fields.TextField(default="")
    meta: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "social_accounts"
        unique_together = (("brand", "platform", "external_id"),)


class ChatLink(Model):
    """A Telegram chat or Slack channel linked to a brand."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="chat_links", on_delete=fields.CASCADE
    )
    brand_id: int
    kind = fields.CharEnumField(ChatKind, max_length=16)
    chat_id = fields.CharField(max_length=64)
    workspace_id = fields.CharField(max_length=64, default="")
    external_user_id = fields.CharField(max_length=64, default="")
    linked_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="chat_links", null=True, on_delete=fields.SET_NULL
    )
    linked_by_id: int | None
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_links"
        unique_together = (("brand", "kind", "workspace_id", "chat_id"),)


class LinkCode(Model):
    """A one-time, expiring code that links a chat to a brand, only its hash is kept."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="link_codes", on_delete=fields.CASCADE
    )
    brand_id: int
    code_hash = fields.CharField(max_length=128, unique=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="link_codes", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "link_codes"
