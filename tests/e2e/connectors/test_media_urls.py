"""Signed media URLs that Meta fetches, and the plain reason when it cannot reach them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.errors import ConnectorError
from core.media_links import signed_media_url
from core.models import TranscodedMedia
from tests.e2e.connectors.cases.instagram import CASE as INSTAGRAM
from tests.e2e.connectors.contract import contract_env
from tests.support.server import free_port


async def test_signed_urls_serve_ranges_and_expire(tmp_path: Path) -> None:
    async with contract_env(INSTAGRAM, tmp_path) as env:
        asset = await env.asset("image")
        media = await env.connector.prepare_media(asset, "instagram_image")
        data = await _read(media)
        async with httpx.AsyncClient(timeout=10) as http:
            full = await http.get(signed_media_url(env.settings, media))
            assert full.status_code == 200 and full.content == data
            assert full.headers["content-type"] == "image/jpeg"
            part = await http.get(
                signed_media_url(env.settings, media), headers={"Range": "bytes=2-9"}
            )
            assert part.status_code == 206 and part.content == data[2:10]
            expired = await http.get(signed_media_url(env.settings, media, ttl=-1))
            assert expired.status_code == 404
            url = signed_media_url(env.settings, media)
            forged = await http.get(url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"))
            assert forged.status_code == 404


async def _read(media: TranscodedMedia) -> bytes:
    import aiofiles

    async with aiofiles.open(media.file_path, "rb") as handle:
        return await handle.read()


async def test_unreachable_public_base_url_is_explained(tmp_path: Path) -> None:
    async with contract_env(INSTAGRAM, tmp_path) as env:
        account = await INSTAGRAM.connect(env)
        asset = await env.asset("image")
        target = await env.target(asset, account)
        env.settings.public_base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens
        with pytest.raises(ConnectorError) as raised:
            await env.connector.publish(target, target.caption, account)
        error = raised.value
        assert error.code == "2207003" and error.retryable
        assert env.settings.public_base_url in error.user_message
        assert "reachable from the internet" in error.user_message
        assert env.handle.posts() == []
