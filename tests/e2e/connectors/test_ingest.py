"""Instagram ingest (Flow A) against the Meta fake: each post once, expired links re-fetched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors._oauth import redirect_uri
from core import notify
from core.ingest import cover_name
from core.ingest_sync import claim_first_sync
from core.models import AssetKind, AssetSource, MediaAsset, SocialAccount
from oneclick.services import Services
from tasks.ingest import fetch_post, ingest_account_now, ingest_all, list_account
from tests.conftest import make_settings
from tests.e2e.connectors.contract import prepared_database, quick_user
from tests.fakes.meta_graph import MetaGraphFake, running_meta_graph
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import serving


@dataclass
class Inbox:
    """A notifier that records inbox items."""

    items: list[int] = field(default_factory=list)

    async def inbox_item(self, asset: MediaAsset) -> None:
        self.items.append(asset.id)

    async def approval_needed(self, job: object) -> None:
        return None

    async def account_needs_reconnect(self, account: SocialAccount) -> None:
        return None


@dataclass
class World:
    fake: MetaGraphFake
    services: Services
    account: SocialAccount
    inbox: Inbox
    src: Path


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_meta_graph() as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with serving(settings) as served:
            from core.brands import create_brand

            user = await quick_user("owner@example.com")
            brand = await create_brand(user, "Acme", origin="test")
            services = served.services
            redirect = redirect_uri(settings, "instagram")
            account = await services.connectors.get("instagram").connect(
                brand, {"code": fake.issue_code("ig", redirect), "redirect_uri": redirect}
            )
            await claim_first_sync(account, 0.0)  # steady state: the first sync is elsewhere
            inbox = Inbox()
            notify.register(inbox)
            src = tmp_path / "src"
            src.mkdir()
            try:
                yield World(fake, services, account, inbox, src)
            finally:
                notify.unregister_all()


def _bytes(path: Path | str) -> bytes:
    """A file's content (empty when missing)."""
    path = Path(path)
    return path.read_bytes() if path.is_file() else b""


async def test_two_runs_create_each_post_once_with_all_files(world: World) -> None:
    fake, src = world.fake, world.src
    photo = _bytes(make_jpeg(src / "a.jpg", size="640x800"))
    other = _bytes(make_jpeg(src / "b.jpg", size="800x800"))
    video = _bytes(make_mp4(src / "v.mp4", seconds=1.5, size="240x426"))
    fake.seed_ig_post("Morning pour #coffee", [("IMAGE", photo)], age=300)
    fake.seed_ig_post(
        "New roast", [("VIDEO", video)], thumbnail=photo, product_type="REELS", age=200
    )
    fake.seed_ig_post("Cafe tour", [("IMAGE", photo), ("IMAGE", other), ("VIDEO", video)], age=100)

    created = await ingest_account_now(world.services, world.account)
    assert [a.original_caption for a in created] == [
        "Morning pour #coffee",
        "New roast",
        "Cafe tour",
    ]
    assert [a.kind for a in created] == [AssetKind.IMAGE, AssetKind.VIDEO, AssetKind.CAROUSEL]
    for asset in created:
        assert asset.source == AssetSource.INSTAGRAM
        assert asset.source_url.startswith("https://www.instagram.com/")
    children = await MediaAsset.filter(parent_id=created[2].id).order_by("position")
    assert [c.kind for c in children] == [AssetKind.IMAGE, AssetKind.IMAGE, AssetKind.VIDEO]
    for asset in [created[0], created[1], *children]:
        assert _bytes(asset.file_path) and asset.size_bytes > 0
    assert _bytes(children[2].file_path) == video
    cover = world.services.settings.media_dir / cover_name(created[1].source_id or "")
    assert _bytes(cover) == photo  # kept in the (local) media store
    assert world.inbox.items == [a.id for a in created]

    # the second run goes through the scheduled tasks and the queue: nothing new
    before = await MediaAsset.all().count()
    assert await ingest_all(world.services) == 1
    await world.services.queue.broker.wait_all()  # type: ignore[attr-defined]
    assert await MediaAsset.all().count() == before
    assert len(world.inbox.items) == 3

    # a post published later arrives on the next run, once
    fake.seed_ig_post("Latte art", [("IMAGE", other)], age=10)
    more = await ingest_account_now(world.services, world.account)
    assert [a.original_caption for a in more] == ["Latte art"]
    assert await ingest_account_now(world.services, world.account) == []


async def test_expired_cdn_links_are_fetched_again(world: World) -> None:
    fake, src = world.fake, world.src
    photo = _bytes(make_jpeg(src / "a.jpg"))
    post_id = fake.seed_ig_post("Sunday brunch", [("IMAGE", photo), ("IMAGE", photo)])
    items = await list_account(world.services, world.account)
    assert [i["id"] for i in items] == [post_id]
    fake.expire_cdn_links()  # the listed links die before the download runs
    gets_before = fake.calls("media_get")

    asset = await fetch_post(world.services, world.account, items[0])

    assert asset is not None and asset.kind == AssetKind.CAROUSEL
    assert fake.calls("media_get") == gets_before + 1  # asked the Graph API for fresh links
    children = await MediaAsset.filter(parent_id=asset.id)
    assert len(children) == 2 and all(_bytes(c.file_path) for c in children)
    assert await fetch_post(world.services, world.account, items[0]) is None
