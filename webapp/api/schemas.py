"""Request and response bodies of the REST API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from core.ai.brand_settings import MAX_FORBIDDEN, MAX_HASHTAGS, MAX_PROMPT_CHARS
from core.models import (
    AccountStatus,
    AdaptedCaption,
    Brand,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TranscodedMedia,
)
from core.safe_links import shown_link

EXPIRING_WITHIN = timedelta(days=7)
# Rules the core checks with its own plain messages, stated in the OpenAPI document only
# (ECMA-262 regexes): a name holds a character that is not blank (as str.strip sees it);
# a slug is core.brands.SLUG_RE before lowercasing, or empty for one made from the name.
NAME_RULE: JsonDict = {"pattern": "[^\\s\\x1c-\\x1f\\x85]"}
SLUG_RULE: JsonDict = {"pattern": "^([a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?)?$"}
Hashtag = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "pattern": "\\w", "description": "Holds a letter, digit or _."}
    ),
]
Unset = SkipJsonSchema[None]  # may be left out, never sent as null
# an IANA name that zoneinfo knows (the `time-zone` format; 64 characters at most)
TimeZone = Annotated[
    str,
    Field(max_length=64),
    WithJsonSchema(
        {
            "type": "string",
            "format": "time-zone",
            "examples": ["Europe/Kyiv", "UTC"],
            "description": "An IANA time zone name, e.g. Europe/Kyiv.",
        }
    ),
]
StrictBool = Annotated[bool, Field(strict=True)]  # true or false, not 0 or "yes"
# core.unknown_targets: blank, or an http(s):// link once surrounding blanks are stripped
POST_LINK: JsonDict = {"pattern": "^[\\s\\x1c-\\x1f\\x85]*(https?://[\\s\\S]*)?$"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ].*([Zz]|[+-]\d{2}(:?\d{2})?)")


def _iso_time(value: Any, *, bound: bool) -> Any:
    """ISO 8601 text, never a number; a range `bound` is a date or a time with its offset."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and bound and _DAY.fullmatch(value):
        return f"{value}T00:00:00Z"
    if isinstance(value, str) and (
        _WITH_OFFSET.fullmatch(value) or (not bound and _DAY.match(value))
    ):
        return value
    raise ValueError(
        "Give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00Z"
        + (", or a date, e.g. 2026-12-01." if bound else ".")
    )


# a point in time as ISO 8601 text (core refuses one without its offset, in its own words)
Instant = Annotated[datetime, BeforeValidator(partial(_iso_time, bound=False))]
# a range bound: a time with its offset, or a plain date (its midnight, UTC)
DayOrInstant = Annotated[
    datetime,
    BeforeValidator(partial(_iso_time, bound=True)),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
    ),
]


def _platform_items(schema: dict[str, Any]) -> None:
    """Name the platforms (every connector) as the items' enum."""
    from connectors.registry import connector_classes

    schema.setdefault("items", {})["enum"] = list(connector_classes())


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """Fields that may be left out but not sent as null show no `default: null`."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


def time_zones() -> list[str]:
    """The IANA time zone names this server knows."""
    return sorted(available_timezones())


class BrandIn(BaseModel):
    """A new brand."""

    name: str = Field(min_length=1, max_length=200, json_schema_extra=NAME_RULE)
    slug: str | None = Field(default=None, max_length=64, json_schema_extra=SLUG_RULE)


class BrandPatch(BaseModel):
    """Changes to a brand's settings (only the fields sent are changed; none may be null)."""

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)

    name: (
        Annotated[str, Field(min_length=1, max_length=200, json_schema_extra=NAME_RULE)] | Unset
    ) = None
    ai_system_prompt: Annotated[str, Field(max_length=MAX_PROMPT_CHARS)] | Unset = None
    default_hashtags: Annotated[list[Hashtag], Field(max_length=MAX_HASHTAGS)] | Unset = None
    forbidden_phrases: Annotated[list[str], Field(max_length=MAX_FORBIDDEN)] | Unset = None
    timezone: TimeZone | Unset = None
    approval_required: StrictBool | Unset = None
    settings: dict[str, Any] | Unset = None


class BrandOut(BaseModel):
    """A brand and its settings."""

    id: int
    name: str
    slug: str
    ai_system_prompt: str
    default_hashtags: list[str]
    forbidden_phrases: list[str]
    timezone: str
    approval_required: bool
    settings: dict[str, Any]
    public_url: str
    created_at: datetime

    @classmethod
    def of(cls, brand: Brand, public_url: str) -> BrandOut:
        """From the model."""
        return cls(
            id=brand.id,
            name=brand.name,
            slug=brand.slug,
            ai_system_prompt=brand.ai_system_prompt,
            default_hashtags=brand.default_hashtags,
            forbidden_phrases=brand.forbidden_phrases,
            timezone=brand.timezone,
            approval_required=brand.approval_required,
            settings=brand.settings,
            public_url=public_url,
            created_at=brand.created_at,
        )


class AccountOut(BaseModel):
    """A connected account and its health; tokens are never part of it."""

    id: int
    platform: str
    external_id: str
    display_name: str
    health: str
    health_detail: str
    token_expires_at: datetime | None

    @classmethod
    def of(cls, account: SocialAccount) -> AccountOut:
        """From the model, with health derived from status and expiry."""
        health, detail = account.status.value, account.status_reason
        if account.status == AccountStatus.OK and account.token_expires_at:
            left = account.token_expires_at - datetime.now(UTC)
            if left <= timedelta(0):
                health, detail = "needs_reconnect", "The access token has expired."
            elif left <= EXPIRING_WITHIN:
                health, detail = "expiring", f"Expires in {max(left.days, 0)} days."
        return cls(
            id=account.id,
            platform=account.platform,
            external_id=account.external_id,
            display_name=account.display_name,
            health=health,
            health_detail=detail,
            token_expires_at=account.token_expires_at,
        )


class CaptionOut(BaseModel):
    """The adapted caption of one platform."""

    platform: str
    text: str
    is_fallback: bool
    is_override: bool
    adapter: str
    note: str = ""  # why the built-in rules wrote it (AI budget used up, AI down), when fresh

    @classmethod
    def of(cls, c: AdaptedCaption) -> CaptionOut:
        """From the model."""
        return cls(
            platform=c.platform,
            text=c.text,
            is_fallback=c.is_fallback,
            is_override=c.is_override,
            adapter=c.adapter,
            note=getattr(c, "note", None) or "",
        )


class TranscodeOut(BaseModel):
    """One media-pipeline output."""

    profile: str
    mime_type: str
    width: int | None
    height: int | None
    duration_seconds: float | None
    size_bytes: int
    notes: str

    @classmethod
    def of(cls, t: TranscodedMedia) -> TranscodeOut:
        """From the model."""
        return cls(
            profile=t.profile,
            mime_type=t.mime_type,
            width=t.width,
            height=t.height,
            duration_seconds=t.duration_seconds,
            size_bytes=t.size_bytes,
            notes=t.notes,
        )


class AssetOut(BaseModel):
    """A media asset of a brand's inbox."""

    id: int
    brand_id: int
    source: str
    kind: str
    file_name: str
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    original_caption: str
    created_at: datetime
    captions: list[CaptionOut] = []
    transcodes: list[TranscodeOut] = []

    @classmethod
    def of(
        cls,
        a: MediaAsset,
        captions: list[AdaptedCaption] | None = None,
        transcodes: list[TranscodedMedia] | None = None,
    ) -> AssetOut:
        """From the model."""
        return cls(
            id=a.id,
            brand_id=a.brand_id,
            source=a.source.value,
            kind=a.kind.value,
            file_name=a.file_name,
            mime_type=a.mime_type,
            size_bytes=a.size_bytes,
            width=a.width,
            height=a.height,
            duration_seconds=a.duration_seconds,
            original_caption=a.original_caption,
            created_at=a.created_at,
            captions=[CaptionOut.of(c) for c in captions or []],
            transcodes=[TranscodeOut.of(t) for t in transcodes or []],
        )


class CaptionsIn(BaseModel):
    """Which platforms to adapt the caption for, optionally with a hint."""

    platforms: list[str] = Field(min_length=1, max_length=20, json_schema_extra=_platform_items)
    hint: str | None = Field(default=None, max_length=500)
    regenerate: StrictBool = False


class PublishIn(BaseModel):
    """Publish an asset to platforms, with optional per-platform caption overrides."""

    platforms: list[str] = Field(min_length=1, max_length=20, json_schema_extra=_platform_items)
    captions: dict[str, str] = Field(default_factory=dict)
    publish_at: Instant | None = None


class TargetOut(BaseModel):
    """One destination of a job."""

    id: int
    platform: str
    account_id: int
    status: str
    progress: int
    attempts: int
    caption: str
    external_id: str | None
    external_url: str | None
    error: str
    published_at: datetime | None

    @classmethod
    def of(cls, t: PublishTarget) -> TargetOut:
        """From the model."""
        return cls(
            id=t.id,
            platform=t.platform,
            account_id=t.account_id,
            status=t.status.value,
            progress=t.progress,
            attempts=t.attempts,
            caption=t.caption,
            external_id=t.external_id,
            external_url=shown_link(t.external_url) or None,
            error=t.error,
            published_at=t.published_at,
        )


class JobOut(BaseModel):
    """A publish job and its targets."""

    id: int
    brand_id: int
    asset_id: int
    status: str
    progress: int
    publish_at: datetime | None
    origin: str
    created_at: datetime
    targets: list[TargetOut]

    @classmethod
    def of(cls, job: PublishJob, targets: list[PublishTarget]) -> JobOut:
        """From the model."""
        return cls(
            id=job.id,
            brand_id=job.brand_id,
            asset_id=job.asset_id,
            status=job.status.value,
            progress=job.progress,
            publish_at=job.publish_at,
            origin=job.origin,
            created_at=job.created_at,
            targets=[TargetOut.of(t) for t in targets],
        )
