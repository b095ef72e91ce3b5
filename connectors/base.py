"""The one connector interface every network implements.

A connector speaks one network's API. It never retries on its own: it raises
`core.errors.ConnectorError` with `retryable`/`retry_after`/`needs_reconnect`
and the task layer decides. Tokens come in and go out encrypted through
`ctx.cipher`; a connector never logs them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Literal

import httpx

from core.config import Settings
from core.errors import PublishOutcomeUnknown
from core.media.pipeline import MediaPipeline
from core.models import Brand, MediaAsset, PublishTarget, SocialAccount, TranscodedMedia
from core.platform_rules import PlatformRules
from core.security import TokenCipher

AuthKind = Literal["oauth2", "bot_token", "app_password", "builtin"]


class PublishState(StrEnum):
    """Where a post stands on the platform."""

    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class PublishStatus:
    """The platform's answer to "how is this post doing?"."""

    state: PublishState
    external_url: str | None = None
    error: str = ""
    progress: int | None = None


@dataclass
class ConnectorContext:
    """What a connector may use: settings, the media pipeline, the token cipher, HTTP."""

    settings: Settings
    pipeline: MediaPipeline
    cipher: TokenCipher
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=60.0))


class Connector(ABC):
    """One social network, behind one async interface."""

    platform: ClassVar[str]
    label: ClassVar[str]
    rules: ClassVar[PlatformRules]
    auth_kind: ClassVar[AuthKind] = "oauth2"
    supports_carousel: ClassVar[bool] = False

    def __init__(self, ctx: ConnectorContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def media_profile(self, asset: MediaAsset) -> str:
        """The media-pipeline format profile this network needs for the asset."""

    @abstractmethod
    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Finish a connection (OAuth code exchange, credentials…) and store the account.

        Tokens are encrypted with `ctx.cipher` before they touch the database.
        """

    @abstractmethod
    async def disconnect(self, account: SocialAccount) -> None:
        """Revoke the account's tokens where the platform allows it."""

    async def prepare_media(self, asset: MediaAsset, profile: str) -> TranscodedMedia:
        """The asset in the given profile, produced by (or reused from) the media pipeline."""
        outputs = await self.ctx.pipeline.ensure(asset, [profile])
        return outputs[profile]

    @abstractmethod
    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Publish the target's media with the caption; return (external_id, external_url).

        The media was prepared before; find it with `prepare_media`, which reuses it.
        Raise `ConnectorError` (retryable or not) on failure.
        """

    @abstractmethod
    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """Ask the platform how the post with this id stands."""

    @abstractmethod
    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """Refresh the account's access token before it expires; store the new tokens."""

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """After a crash mid-publish: the post this target already made, or None if none.

        Connectors that cannot tell raise `PublishOutcomeUnknown`; the target then
        ends failed with that reason instead of being published blindly again.
        """
        raise PublishOutcomeUnknown(
            "The previous attempt may have reached the network and it cannot be checked "
            "automatically. Check the account and retry if the post is missing.",
            platform=self.platform,
        )
