"""A network whose posts come into the inbox (Instagram today): what ingest asks of it.

The connector lists an account's posts newest first and reads one post again when its
signed file links have expired; it answers in the shapes below, so `core.ingest` knows no
network's field names, and it uses the account's token itself (tokens never leave the
connectors). A `SourcePost` is plain JSON: it travels in queue messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, TypeGuard, runtime_checkable

from core.models import SocialAccount


class SourceFile(TypedDict):
    """One file of a post: a photo or a video, by a link that may expire."""

    kind: str  # "IMAGE" or "VIDEO"
    url: str  # "" when the network gave none (read the post again)
    cover_url: str | None  # a video's cover image


class SourcePost(TypedDict):
    """One post of a connected account, as ingest needs it."""

    id: str
    caption: str
    permalink: str  # as the network gave it: checked before it is shown anywhere
    posted_at: float | None  # epoch seconds; None when the network's time is unreadable
    carousel: bool
    files: list[SourceFile]


@dataclass(frozen=True)
class PostPage:
    """One page of an account's posts, newest first; `after` is the next page's cursor."""

    posts: list[SourcePost]
    after: str | None = None


@runtime_checkable
class PostSource(Protocol):
    """Lists a connected account's posts and reads one again (fresh file links)."""

    platform: str

    async def list_posts(
        self, account: SocialAccount, *, limit: int, after: str | None = None
    ) -> PostPage:
        """A page of the account's posts, newest first."""
        ...

    async def read_post(self, account: SocialAccount, post_id: str) -> SourcePost:
        """One of the account's posts again, with links that are valid now."""
        ...


def is_source_post(value: Any) -> TypeGuard[SourcePost]:
    """Whether a queued value has a post's shape (a message from an older release may not)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and isinstance(value.get("files"), list)
    )
