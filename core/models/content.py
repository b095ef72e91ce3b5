"""Media assets, their adapted captions and transcoded outputs, and web feed posts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import Brand, User
from core.models.enums import AssetKind, AssetSource


class MediaAsset(Model):
    """An original photo or video (or a carousel of children) of one brand."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="assets", on_delete=fields.CASCADE
    )
    brand_id: int
    parent: fields.ForeignKeyNullableRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="children", null=True, on_delete=fields.CASCADE
    )
    parent_id: int | None
    position = fields.IntField(default=0)
    source = fields.CharEnumField(AssetSource, max_length=16, default=AssetSource.UPLOAD)
    source_id = fields.CharField(max_length=255, null=True)
    source_url = fields.TextField(default="")
    kind = fields.CharEnumField(AssetKind, max_length=16)
    original_caption = fields.TextField(default="")
    file_path = fields.CharField(max_length=512, default="")
    file_name = fields.CharField(max_length=255, default="")
    content_hash = fields.CharField(max_length=64, default="", db_index=True)
    mime_type = fields.CharField(max_length=64, default="")
    size_bytes = fields.BigIntField(default=0)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    duration_seconds = fields.FloatField(null=True)
    probe: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assets", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "media_assets"
        unique_together = (("brand", "source", "source_id"),)


class AdaptedCaption(Model):
    """The caption of one asset adapted for one platform."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="captions", on_delete=fields.CASCADE
    )
    brand_id: int
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="captions", on_delete=fields.CASCADE
    )
    asset_id: int
    platform = fields.CharField(max_length=32)
    text = fields.TextField()
    is_fallback = fields.BooleanField(default=False)
    is_override = fields.BooleanField(default=False)
    adapter = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    note: str | None = None  # not a column: the caption service's word to the user, not stored

    class Meta:
        table = "adapted_captions"
        unique_together = (("asset", "platform"),)


class TranscodedMedia(Model):
    """One media-pipeline output of one asset for one format profile."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="transcodes", on_delete=fields.CASCADE
    )
    brand_id: int
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="transcodes", on_delete=fields.CASCADE
    )
    asset_id: int
    profile = fields.CharField(max_length=48)
    file_path = fields.CharField(max_length=512)
    content_key = fields.CharField(max_length=64, db_index=True)
    mime_type = fields.CharField(max_length=64)
    size_bytes = fields.BigIntField(default=0)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    duration_seconds = fields.FloatField(null=True)
    thumbnail_path = fields.CharField(max_length=512, default="")
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "transcoded_media"
        unique_together = (("asset", "profile"),)


class WebPost(Model):
    """A post on the brand's own public page and feeds (the `web` target)."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="web_posts", on_delete=fields.CASCADE
    )
    brand_id: int
    target_id = fields.IntField(unique=True)
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="web_posts", on_delete=fields.CASCADE
    )
    asset_id: int
    transcode: fields.ForeignKeyNullableRelation[TranscodedMedia] = fields.ForeignKeyField(
        "models.TranscodedMedia", related_name="web_posts", null=True, on_delete=fields.SET_NULL
    )
    transcode_id: int | None
    caption = fields.TextField(default="")
    # transcode ids of every album item, in order
    gallery: fields.JSONField[list[int]] = fields.JSONField(default=list)
    published_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_posts"
