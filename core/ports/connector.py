"""The one connector interface every network implements (a port: connectors/ adapt it).

A connector speaks one network's API. It never retries on its own: it raises
`core.errors.ConnectorError` with `retryable`/`retry_after`/`needs_reconnect`
and the task layer decides. Tokens come in and go out encrypted through
`ctx.cipher`; a connector never logs them.
"""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx

from core.config import Settings
from core.errors import InvalidInput, PublishOutcomeUnknown
from core.media.pipeline import MediaPipeline
from core.models import (
    Brand,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TranscodedMedia,
)
from core.models.relations import loaded
from core.platform_rules import PlatformRules
from core.ports.media_store import MediaStore
from core.safe_links import web_link
from core.security import TokenCipher

AuthKind = Literal["oauth2", "bot_token", "app_password", "builtin"]
log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class ConnectOption:
    """One thing a person may pick while connecting (a Facebook Page, a Pinterest board)."""

    id: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class ConnectChoice:
    """A "choose one (or several)" step in the connect flow.

    `carry` holds what `connect` needs afterwards instead of the (single-use) code, such
    as the user token; the web app keeps it encrypted and passes it back to `connect`
    together with `choice` (the picked option ids, a list).
    """

    title: str
    options: list[ConnectOption]
    carry: dict[str, str] = field(default_factory=dict)
    multiple: bool = False


@dataclass
class ConnectorContext:
    """What a connector may use: settings, the media pipeline and store, the token cipher,
    HTTP."""

    settings: Settings
    pipeline: MediaPipeline
    #: the prepared files to upload, as local files (`await ctx.media.local_file(ref)`)
    media: MediaStore
    cipher: TokenCipher
    #: for the networks' own API addresses (connectors/_transport.py builds it)
    http: httpx.AsyncClient
    #: for addresses a user or a remote server chose (their server, links they hand back):
    #: only public https addresses, checked at connect time (connectors/_outbound.py)
    outbound: httpx.AsyncClient


class Connector(ABC):
    """One social network, behind one async interface."""

    platform: ClassVar[str]
    label: ClassVar[str]
    rules: ClassVar[PlatformRules]
    auth_kind: ClassVar[AuthKind] = "oauth2"
    supports_carousel: ClassVar[bool] = False
    #: for `app_password` networks: the form fields the connect page asks for (name, label)
    credential_fields: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: the token refresher renews a token this long before it expires
    refresh_ahead: ClassVar[timedelta] = timedelta(hours=6)

    def __init__(self, ctx: ConnectorContext) -> None:
        self.ctx = ctx

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every connector's post links pass `checked_link` on their way out of `publish`,
        `get_status` and `find_published`, so no caller stores or shows an unchecked one."""
        super().__init_subclass__(**kwargs)
        for name, wrap in _LINK_CHECKS.items():
            method = cls.__dict__.get(name)
            if method is not None and method not in _LINK_CHECKED:
                setattr(cls, name, wrap(method))

    def link_hosts(self, account: SocialAccount) -> tuple[str, ...] | None:
        """The hosts ("host" or "host:port") this network's post links may point to; None:
        any https host. Networks whose server the user chose name that server."""
        return None

    def checked_link(self, url: str | None, account: SocialAccount) -> str:
        """A post link from the network if it is a plain https link on an expected host (or
        one of this app's own public pages), else "" (and a note in the log)."""
        own = self.ctx.settings.public_url("")
        if url and url.startswith(own) and web_link(url, allow_http=True):
            return url
        kept = web_link(
            url, hosts=self.link_hosts(account), allow_http=self.ctx.settings.outbound_allow_http
        )
        if url and not kept:
            log.warning(
                "%s: a post link from the network was dropped (not https, or not "
                "on the expected host): %.120r",
                self.platform,
                url,
            )
        return kept

    @abstractmethod
    def media_profile(self, asset: MediaAsset) -> str:
        """The media-pipeline format profile this network needs for the asset."""

    @abstractmethod
    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Finish a connection (OAuth code exchange, credentials…) and store the account.

        Tokens are encrypted with `ctx.cipher` before they touch the database.
        """

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """The network's sign-in page to send the person to (OAuth networks).

        `state` must be sent as is; `code_verifier` is for PKCE (S256) where the network
        supports it; `params` are the query parameters of the connect request (for
        example a Mastodon server name). The web app passes `redirect_uri`,
        `code_verifier` and `start` (these `params`) back to `connect` after the callback.
        """
        raise InvalidInput(f"{self.label} is not connected through a sign-in page.")

    async def connect_options(
        self, brand: Brand, oauth_params: Mapping[str, Any]
    ) -> ConnectChoice | None:
        """After the callback: a picker step (Pages, boards), or None to connect at once.

        Called with the same parameters as `connect`. A network that needs a choice
        exchanges the code here and returns the options plus the `carry` that `connect`
        will get back (with `choice`) instead of the code. Default: no picker.
        """
        return None

    @abstractmethod
    async def disconnect(self, account: SocialAccount) -> None:
        """Revoke the account's tokens where the platform allows it."""

    async def prepare_media(self, asset: MediaAsset, profile: str) -> TranscodedMedia:
        """The asset in the given profile, produced by (or reused from) the media pipeline.

        For a carousel every item is made and the first item's output is returned.
        """
        outputs = await self.ctx.pipeline.ensure(asset, [profile])
        return outputs[profile] if profile in outputs else outputs[f"{profile}[0]"]

    async def local_file(self, media: TranscodedMedia) -> Path:
        """A prepared file on this machine (from the media store), to upload."""
        return await self.ctx.media.local_file(media.file_path)

    async def local_cover(self, media: TranscodedMedia) -> Path | None:
        """A prepared video's cover image on this machine; None when it has none."""
        ref = media.thumbnail_path
        return await self.ctx.media.local_file(ref) if ref else None

    async def job_of(self, target: PublishTarget) -> PublishJob:
        """The target's job with its asset and brand (as the runner already fetched them)."""
        job = loaded(target, "job", PublishJob)
        if job is not None and loaded(job, "asset", MediaAsset) and loaded(job, "brand", Brand):
            return job
        return await PublishJob.get(id=target.job_id).prefetch_related("asset", "brand")

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


#: the link-checking wrappers made below (a subclass that re-uses one is not wrapped twice)
_LINK_CHECKED: set[Callable[..., Any]] = set()


def _checked_publish(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def publish(
        self: Connector, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        external_id, url = await method(self, target, caption, account)
        return external_id, self.checked_link(url, account)

    _LINK_CHECKED.add(publish)
    return publish


def _checked_status(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def get_status(
        self: Connector, external_id: str, account: SocialAccount
    ) -> PublishStatus:
        status: PublishStatus = await method(self, external_id, account)
        if not status.external_url:
            return status
        return replace(status, external_url=self.checked_link(status.external_url, account) or None)

    _LINK_CHECKED.add(get_status)
    return get_status


def _checked_found(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def find_published(
        self: Connector, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        found = await method(self, target, account)
        return None if found is None else (found[0], self.checked_link(found[1], account))

    _LINK_CHECKED.add(find_published)
    return find_published


_LINK_CHECKS = {
    "publish": _checked_publish,
    "get_status": _checked_status,
    "find_published": _checked_found,
}
