"""A mixed album (photo + video) is one post on the web feed with every item attached."""

from __future__ import annotations

from pathlib import Path

from core.brands import create_brand
from core.intake import file_chunks, ingest_media
from core.models import AssetKind, MediaAsset
from core.users import create_user
from tests.conftest import make_settings
from tests.support.asgi import running_app, web_client
from tests.support.media import make_jpeg, make_mp4
from tests.support.web_publish import published_to_web


async def test_mixed_album_published_to_web(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    photo = make_jpeg(tmp_path / "p.jpg")
    video = make_mp4(tmp_path / "v.mp4", seconds=2)
    async with running_app(settings) as app:
        owner = await create_user("owner@example.com", "long enough pw", origin="test")
        brand = await create_brand(owner, "Acme")
        album = await MediaAsset.create(
            brand=brand, kind=AssetKind.CAROUSEL, original_caption="Two things", created_by=owner
        )
        for position, path in enumerate([photo, video]):
            await ingest_media(
                settings,
                brand=brand,
                chunks=file_chunks(path),
                file_name=path.name,
                actor=owner,
                origin="test",
                parent=album,
                position=position,
            )
        assert (await published_to_web(app, owner, album)).status == "published"
        async with web_client(app) as http:
            item = (await http.get("/b/acme/feed.json")).json()["items"][0]
            kinds = [a["mime_type"] for a in item["attachments"]]
            assert kinds == ["image/jpeg", "video/mp4"]
            for attachment in item["attachments"]:
                media = await http.get(attachment["url"])
                assert media.status_code == 200, attachment
                assert media.headers["content-type"] == attachment["mime_type"]
            page = (await http.get("/b/acme")).text
            assert "<video" in page and "<img" in page
            assert (
                await http.get(item["attachments"][1]["url"].replace("-1.", "-7."))
            ).status_code == 404
