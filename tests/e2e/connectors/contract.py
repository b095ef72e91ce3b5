"""The connector contract: the plug-in shape each platform's test case fills in.

A platform joins the contract test by adding `tests/e2e/connectors/cases/<platform>.py`
with `CASE = ContractCase(...)`. `test_contract.py` then runs every contract test
against it: connect, publish (each media kind: sync and async paths), get_status,
refresh, token expiry mid-publish, rate limit with retry-after and every listed error.

The case starts its loopback fake (`fake()`), which yields a `FakeRun`: settings
overrides pointing the connector at the fake, and a `FakeHandle` to inspect what was
published and to inject faults. The environment (`ContractEnv`) runs the real web app
(so pull-based fakes can fetch `/m/<token>` media URLs) on a fresh SQLite database.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from connectors.base import Connector
from core.config import Settings
from core.intake import file_chunks, ingest_media
from core.models import Brand, MediaAsset, PublishTarget, SocialAccount, User
from core.publishing import create_job
from core.tenancy import BrandScope
from oneclick.services import Services
from tests.conftest import make_settings
from tests.support.db import migrated
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import serving

PASSWORD = "correct horse battery"

MediaKind = Literal["image", "video", "carousel"]


class FakeHandle(Protocol):
    """A running platform fake, as the contract tests see it."""

    def posts(self) -> list[dict[str, Any]]:
        """Published posts, oldest first; each has at least `id` and `text` (the caption)."""

    def inject(self, fault: str, times: int = 1) -> None:
        """Make the next `times` calls the fault applies to fail with the named fault."""

    def calls(self, kind: str) -> int:
        """How often an endpoint kind was called (at least "refresh" must be counted)."""


@dataclass
class FakeRun:
    """A started fake: settings overrides (base URLs, OAuth app) and its handle."""

    overrides: dict[str, Any]
    handle: FakeHandle


@dataclass(frozen=True)
class ErrorScenario:
    """A fault the fake injects and the typed error the connector must raise for it."""

    fault: str
    code: str
    retryable: bool
    needs_reconnect: bool = False
    retry_after: bool = False  # whether `retry_after` must be set (> 0)
    words: tuple[str, ...] = ()  # words the human message must contain (case-insensitive)
    media: MediaKind = "image"

    @property
    def id(self) -> str:
        """A readable pytest id."""
        return self.fault


@dataclass
class ContractEnv:
    """What a contract test gets: the live app, its services, a brand and the fake."""

    settings: Settings
    services: Services
    base_url: str
    user: User
    brand: Brand
    handle: FakeHandle
    media_dir: Path
    case: ContractCase

    @property
    def connector(self) -> Connector:
        """The connector under test, built by the app's registry."""
        return self.services.connectors.get(self.case.platform)

    async def asset(
        self, kind: MediaKind, caption: str = "Fresh beans today #coffee"
    ) -> MediaAsset:
        """A real asset in the brand's inbox: a small JPEG, a short MP4 or a carousel."""
        if kind == "carousel":
            parent = await MediaAsset.create(
                brand=self.brand, kind="carousel", original_caption=caption, created_by=self.user
            )
            for index in range(2):
                await self._ingest(self._jpeg(f"c{index}.jpg"), caption, parent, index)
            return parent
        path = self._jpeg("photo.jpg") if kind == "image" else self._mp4()
        return await self._ingest(path, caption, None, 0)

    async def target(
        self, asset: MediaAsset, account: SocialAccount, caption: str | None = None
    ) -> PublishTarget:
        """A publish job for the asset on the account's platform; its one target."""
        caption = caption if caption is not None else asset.original_caption
        job, _ = await create_job(
            BrandScope(self.user),
            asset=asset,
            platforms=[account.platform],
            known_platforms=self.services.connectors.platforms(),
            captions={account.platform: caption},
            origin="test",
        )
        return await PublishTarget.get(job_id=job.id, account_id=account.id)

    def _jpeg(self, name: str) -> Path:
        path = self.media_dir / name
        return path if path.exists() else make_jpeg(path, size="800x1000")

    def _mp4(self) -> Path:
        path = self.media_dir / "clip.mp4"
        return path if path.exists() else make_mp4(path, seconds=3.2, size="360x640", fps=24)

    async def _ingest(
        self, path: Path, caption: str, parent: MediaAsset | None, position: int
    ) -> MediaAsset:
        return await ingest_media(
            self.settings,
            brand=self.brand,
            chunks=file_chunks(path),
            file_name=path.name,
            caption=caption,
            actor=self.user,
            origin="test",
            parent=parent,
            position=position,
        )


@dataclass(frozen=True)
class ContractCase:
    """One platform's plug-in for the contract tests."""

    platform: str
    fake: Callable[[], AbstractAsyncContextManager[FakeRun]]
    connect: Callable[[ContractEnv], Awaitable[SocialAccount]]
    errors: tuple[ErrorScenario, ...] = ()
    media: tuple[MediaKind, ...] = ("image", "video")
    token_expired_fault: str = "token_expired"
    rate_limit_fault: str = "rate_limited"
    settings: dict[str, Any] = field(default_factory=dict)
    #: how a photo post ends when its create call fails after taking effect: "published"
    #: (the runner found the post) or "unknown" (the platform offers no way to look)
    after_effect_outcome: Literal["published", "unknown"] = "published"

    @property
    def id(self) -> str:
        """A readable pytest id."""
        return self.platform


async def prepared_database(settings: Settings) -> None:
    """A migrated SQLite file for these settings, copied from the session's template."""
    await migrated(settings)


@cache
def _password_hash() -> str:
    from core.security import hash_password

    return hash_password(PASSWORD)


async def quick_user(email: str) -> User:
    """A user whose password is `PASSWORD` (hashed once per process)."""
    return await User.create(email=email, password_hash=_password_hash())


@asynccontextmanager
async def contract_env(
    case: ContractCase, tmp_path: Path, **extra: Any
) -> AsyncIterator[ContractEnv]:
    """The fake, then the live web app pointed at it, a user and a brand (`extra`: more
    settings)."""
    from core.brands import create_brand

    async with case.fake() as run:
        settings = make_settings(
            tmp_path,
            connector_poll_interval_seconds=0.02,
            connector_poll_timeout_seconds=60.0,
            publish_retry_base_seconds=0.05,
            sweep_interval_seconds=3600.0,
            **{**case.settings, **run.overrides, **extra},
        )
        await prepared_database(settings)
        async with serving(settings) as served:
            user = await quick_user(f"owner-{case.platform}@example.com")
            brand = await create_brand(user, f"Acme {case.platform}", origin="test")
            media_dir = tmp_path / "src"
            media_dir.mkdir(exist_ok=True)
            yield ContractEnv(
                settings=settings,
                services=served.services,
                base_url=served.url,
                user=user,
                brand=brand,
                handle=run.handle,
                media_dir=media_dir,
                case=case,
            )


@cache
def all_cases() -> tuple[ContractCase, ...]:
    """Every `CASE` in `tests/e2e/connectors/cases/`, sorted by platform."""
    from tests.e2e.connectors import cases

    found = []
    for info in pkgutil.iter_modules(cases.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{cases.__name__}.{info.name}")
        case = getattr(module, "CASE", None)
        if isinstance(case, ContractCase):
            found.append(case)
    return tuple(sorted(found, key=lambda c: c.platform))
