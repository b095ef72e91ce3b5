"""Instagram ingest downloads the links the Graph API hands back through the outbound guard:
a link to a private address is never fetched, and a permalink is kept only as an
instagram.com link."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors._instagram_posts import source_post
from connectors._oauth import redirect_uri
from core.brands import create_brand
from core.errors import ConnectorError, OutboundRefused
from core.models import AssetSource, MediaAsset
from tasks.ingest import fetch_post, ingest_account_now
from tests.conftest import make_settings
from tests.e2e.connectors.contract import prepared_database, quick_user
from tests.fakes.meta_graph import running_meta_graph
from tests.support.listener import counting_listener
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import serving


async def test_cdn_links_to_private_addresses_are_not_fetched(tmp_path: Path) -> None:
    async with running_meta_graph() as fake, counting_listener() as listener:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with serving(settings) as served:
            user = await quick_user("owner@example.com")
            brand = await create_brand(user, "Acme", origin="test")
            services = served.services
            redirect = redirect_uri(settings, "instagram")
            account = await services.connectors.get("instagram").connect(
                brand, {"code": fake.issue_code("ig", redirect), "redirect_uri": redirect}
            )
            for n, link in enumerate(
                (
                    f"{listener.url}/x.jpg",
                    f"http://localhost:{listener.port}/x.jpg",
                    f"http://[::ffff:127.0.0.1]:{listener.port}/x.jpg",
                    "https://169.254.169.254/latest/meta-data/",
                )
            ):
                item = source_post(  # a media object as the Graph API hands it back
                    {
                        "id": f"99{n}",
                        "media_type": "IMAGE",
                        "media_url": link,
                        "permalink": "https://www.instagram.com/p/x/",
                    }
                )
                with pytest.raises(OutboundRefused):
                    await fetch_post(services, account, item)
            assert await MediaAsset.filter(source=AssetSource.INSTAGRAM).count() == 0

            photo = make_jpeg(tmp_path / "a.jpg", size="320x400").read_bytes()
            post_id = fake.seed_ig_post("Morning pour", [("IMAGE", photo)])
            item = source_post(
                {
                    "id": post_id,
                    "media_type": "IMAGE",
                    "media_url": fake.cdn_url(post_id, 0),
                    "permalink": "javascript:alert(document.cookie)",
                }
            )
            asset = await fetch_post(services, account, item)
            assert asset is not None and asset.source_url == ""
    assert listener.connections == 0


async def test_a_post_id_that_is_not_an_instagram_id_is_never_used(tmp_path: Path) -> None:
    """A listing whose id would walk out of the media folder (`../…`) is not taken: the
    post is skipped, nothing is written outside MEDIA_DIR, and the connector will not
    ask the Graph API for such an id either."""
    async with running_meta_graph() as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with serving(settings) as served:
            user = await quick_user("owner@example.com")
            brand = await create_brand(user, "Acme")
            services = served.services
            redirect = redirect_uri(settings, "instagram")
            connector = services.connectors.get("instagram")
            account = await connector.connect(
                brand, {"code": fake.issue_code("ig", redirect), "redirect_uri": redirect}
            )
            photo = make_jpeg(tmp_path / "a.jpg", size="320x400").read_bytes()
            honest = fake.seed_ig_post("Morning pour", [("IMAGE", photo)])
            clip = make_mp4(tmp_path / "v.mp4", seconds=1.0, size="240x426").read_bytes()
            hostile = fake.seed_ig_post(
                "Evening pour", [("VIDEO", clip)], thumbnail=photo, product_type="REELS"
            )
            post = fake.media.pop(hostile)
            post.id = "../../../../escape"
            fake.media[post.id] = post

            imported = await ingest_account_now(services, account)
            assert [a.source_id for a in imported] == [honest]
            with pytest.raises(ConnectorError, match="not an Instagram post id"):
                await connector.read_post(account, post.id)  # type: ignore[attr-defined]
    assert _named(tmp_path, "escape*") == []  # its cover would have landed here


def _named(folder: Path, pattern: str) -> list[Path]:
    return list(folder.rglob(pattern))
