"""Oversized, malformed and hostile input gets a 4xx with a reason and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from core.models import MediaAsset
from tests.conftest import make_settings
from tests.support.asgi import api_client, running_app
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import user_with_key


async def test_hostile_uploads_and_fields(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_image_bytes=200_000, max_video_bytes=300_000)
    photo = make_jpeg(tmp_path / "p.jpg")
    big_video = make_mp4(tmp_path / "big.mp4", seconds=4, size="640x480")
    assert big_video.stat().st_size > 300_000
    async with running_app(settings) as app:
        _, key = await user_with_key("owner@example.com")
        async with api_client(app, key) as api:
            brand = (
                await api.post("/api/v1/brands", json={"name": "Robert'); DROP TABLE brands;--"})
            ).json()
            assert brand["name"] == "Robert'); DROP TABLE brands;--"
            uploads = f"/api/v1/brands/{brand['id']}/assets"

            resp = await api.post(
                uploads,
                files={"file": ("../../../etc/passwd\x00.jpg", photo.read_bytes(), "image/jpeg")},
            )
            assert resp.status_code == 201, resp.text
            asset = await MediaAsset.get(id=resp.json()["id"])
            assert "/" not in asset.file_name and ".." not in asset.file_name
            stored, media_root = Path(asset.file_path), settings.media_dir
            assert stored.is_absolute() and media_root in stored.parents

            resp = await api.post(
                uploads, files={"file": ("big.mp4", big_video.read_bytes(), "video/mp4")}
            )
            assert resp.status_code == 413 and "limit" in resp.json()["detail"]

            resp = await api.post(
                uploads,
                files={"file": ("p.jpg", photo.read_bytes())},
                data={"caption": "x" * 10_001},
            )
            assert resp.status_code == 422 and "caption" in resp.json()["detail"].lower()

            body = (
                b'--B\r\nContent-Disposition: form-data; name="caption"\r\n\r\n\xff\xfe\xfd'
                b'\r\n--B\r\nContent-Disposition: form-data; name="file"; '
                b'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
                + photo.read_bytes()
                + b"\r\n--B--\r\n"
            )
            resp = await api.post(
                uploads, content=body, headers={"Content-Type": "multipart/form-data; boundary=B"}
            )
            assert resp.status_code == 422 and "UTF-8" in resp.json()["detail"]

            resp = await api.post(
                uploads,
                content=b"--B\r\ngarbage",
                headers={"Content-Type": "multipart/form-data; boundary=B"},
            )
            assert resp.status_code == 422

            resp = await api.post(uploads, json={"file": "not multipart"})
            assert resp.status_code == 422 and "multipart" in resp.json()["detail"]

            resp = await api.post(
                f"/api/v1/assets/{asset.id}/publish", json={"platforms": ["web"] * 50}
            )
            assert resp.status_code == 422

            resp = await api.patch(
                f"/api/v1/brands/{brand['id']}", json={"timezone": "Mars/Olympus_Mons"}
            )
            assert resp.status_code == 422 and "time zone" in resp.json()["detail"]

            resp = await api.get("/api/v1/brands/1' OR '1'='1")
            assert resp.status_code == 422

        assert await MediaAsset.all().count() == 1
        assert list((settings.media_dir / "tmp").glob("*")) == []
