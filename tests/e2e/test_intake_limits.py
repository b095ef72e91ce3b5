"""Resource exhaustion at intake, attempted against the real app: bombs, hours-long videos,
endless fields, forged browser uploads with big bodies, a full brand. Each gets a clear 4xx,
nothing is stored, the web process's memory stays small and the app stays healthy."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from core.config import Settings
from core.models import MediaAsset
from tests.conftest import make_settings
from tests.integration.web.helpers import csrf_from, signup
from tests.support.hostile_media import declare_hours, png_bomb
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import client, live_app, user_with_key

MB = 1024 * 1024


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM) since the last reset."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def reset_peak_rss() -> None:
    """Start a new peak-memory measurement (Linux: clear_refs 5 resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def stored_files(settings: Settings) -> list[Path]:
    """Every file under MEDIA_DIR (originals, transcodes and upload temp files)."""
    return [p for p in settings.media_dir.rglob("*") if p.is_file()]


def multipart(parts: list[tuple[str, bytes, str | None]], boundary: str = "B0UND") -> bytes:
    """A multipart/form-data body from (name, value, filename) in the given order."""
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def test_api_refuses_bombs_long_videos_fields_and_a_full_brand(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    bomb = png_bomb(16000, 16000)
    short = make_mp4(tmp_path / "short.mp4", seconds=1, size="64x48", fps=60)
    ten_hours = declare_hours(short, tmp_path / "ten-hours.mp4", hours=10)
    photo = make_jpeg(tmp_path / "p.jpg")
    async with live_app(settings) as base:
        _, key = await user_with_key("owner@example.com")
        async with client(base, key) as api:
            brand = (await api.post("/api/v1/brands", json={"name": "Bombed"})).json()
            uploads = f"/api/v1/brands/{brand['id']}/assets"

            # three decompression bombs at once: 250 KB each, 256 megapixels declared
            reset_peak_rss()
            before = peak_rss_kb()
            answers = await asyncio.gather(
                *(
                    api.post(uploads, files={"file": ("bomb.png", bomb, "image/png")})
                    for _ in range(3)
                )
            )
            grown_mb = (peak_rss_kb() - before) / 1024
            for answer in answers:
                assert answer.status_code == 413, answer.text
                assert "16000×16000 pixels" in answer.json()["detail"]
            assert grown_mb < 64, f"the web process grew by {grown_mb:.0f} MB"

            # a few KB declaring ten hours at 60 fps: refused before a frame is planned
            answer = await api.post(uploads, files={"file": ("long.mp4", ten_hours.read_bytes())})
            assert answer.status_code == 413, answer.text
            assert answer.json()["detail"] == (
                "This video is 10 h 00 min long; the limit is 30 min."
            )
            settings.max_video_fps = 50
            answer = await api.post(uploads, files={"file": ("fast.mp4", short.read_bytes())})
            assert answer.status_code == 413 and "60 frames per second" in answer.json()["detail"]
            settings.max_video_fps = 240

            # text fields: one too long, too many, endless part headers
            answer = await api.post(
                uploads,
                files={"file": ("p.jpg", photo.read_bytes())},
                data={"caption": "x" * (settings.max_form_field_bytes + 1)},
            )
            assert answer.status_code == 413 and "caption" in answer.json()["detail"]
            fields = [(f"f{i}", b"v", None) for i in range(settings.max_form_fields + 1)]
            answer = await api.post(
                uploads,
                content=multipart(fields),
                headers={"Content-Type": "multipart/form-data; boundary=B0UND"},
            )
            assert answer.status_code == 422 and "more than 20 fields" in answer.json()["detail"]
            endless = (
                b'--B0UND\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: '
                + b"p" * 20_000
                + b"\r\n\r\nv\r\n--B0UND--\r\n"
            )
            answer = await api.post(
                uploads,
                content=endless,
                headers={"Content-Type": "multipart/form-data; boundary=B0UND"},
            )
            assert answer.status_code == 422, answer.text

            # the body: refused by its declared length before a byte is read
            sizes = settings.max_video_bytes, settings.max_image_bytes
            settings.max_video_bytes = settings.max_image_bytes = 2 * MB
            answer = await api.post(
                uploads,
                content=_zeros(8 * MB),
                headers={
                    "Content-Type": "multipart/form-data; boundary=B0UND",
                    "Content-Length": str(8 * MB),
                },
            )
            assert answer.status_code == 413 and "MB limit" in answer.json()["detail"]
            settings.max_video_bytes, settings.max_image_bytes = sizes
            # any other body is capped at MAX_REQUEST_BYTES while it streams
            answer = await api.post(
                "/api/v1/brands",
                content=_zeros(4 * MB),
                headers={"Content-Type": "application/json"},
            )
            assert answer.status_code == 413 and "KB" in answer.json()["detail"]

            assert await MediaAsset.all().count() == 0
            assert stored_files(settings) == []

            # the brand's storage quota, before and after the file arrives
            settings.brand_storage_bytes = photo.stat().st_size // 2
            answer = await api.post(uploads, files={"file": ("p.jpg", photo.read_bytes())})
            assert answer.status_code == 413 and "storage is full" in answer.json()["detail"]
            assert stored_files(settings) == []
            settings.brand_storage_bytes = photo.stat().st_size + 4096  # + the envelope
            answer = await api.post(uploads, files={"file": ("p.jpg", photo.read_bytes())})
            assert answer.status_code == 201, answer.text
            answer = await api.post(uploads, files={"file": ("p.jpg", photo.read_bytes())})
            assert answer.status_code == 413 and "storage is full" in answer.json()["detail"]

            assert (await api.get("/healthz")).status_code == 200
            assert await MediaAsset.all().count() == 1
    assert len(stored_files(settings)) == 1


async def _zeros(total: int, chunk: int = MB) -> AsyncIterator[bytes]:
    block = b"\x00" * chunk
    for _ in range(total // chunk):
        yield block


async def _send_until_answered(base: str, path: str, cookies: httpx.Cookies, declared: int) -> str:
    """POST a multipart head and 1 MB of a file declared `declared` bytes long over a raw
    socket, then wait for the answer without sending more: its status line."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            "Content-Type: multipart/form-data; boundary=B0UND\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
    )
    writer.write(
        b'--B0UND\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n'
    )
    writer.write(b"\x00" * MB)
    await writer.drain()
    try:
        async with asyncio.timeout(30):
            status = (await reader.readline()).decode()
    finally:
        writer.close()
    return status


async def test_browser_upload_checks_its_origin_before_reading_the_body(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    bomb = png_bomb(16000, 16000)
    async with live_app(settings) as base, httpx.AsyncClient(base_url=base, timeout=60) as web:
        await signup(web, "ada@example.com")
        page = await web.get("/brands")
        made = await web.post("/brands", data={"csrf_token": csrf_from(page.text), "name": "Ada"})
        upload = made.headers["location"].replace("/inbox", "/upload")
        token = csrf_from((await web.get(made.headers["location"])).text)
        boundary = {"Content-Type": "multipart/form-data; boundary=B0UND"}

        # a forged form declaring 256 MB, its file first and no token: the refusal comes
        # back while only the first megabyte has been sent, and nothing reaches the disk
        status = await _send_until_answered(base, upload, web.cookies, 256 * MB)
        assert status.startswith("HTTP/1.1 403"), status
        assert stored_files(settings) == []

        # the token after the file, a wrong token, a wrong header: all refused unread
        late = multipart([("file", b"\x00" * MB, "a.jpg"), ("csrf_token", token.encode(), None)])
        answer = await web.post(upload, content=late, headers=boundary)
        assert answer.status_code == 403
        wrong = multipart([("csrf_token", b"nope", None), ("file", b"\x00" * MB, "a.jpg")])
        answer = await web.post(upload, content=wrong, headers=boundary)
        assert answer.status_code == 403
        answer = await web.post(
            upload, content=_zeros(8 * MB), headers={**boundary, "X-CSRF-Token": "nope"}
        )
        assert answer.status_code == 403
        assert stored_files(settings) == []

        # a real form with its token: the bomb and a long caption get a page message
        answer = await web.post(
            upload, data={"csrf_token": token}, files={"file": ("bomb.png", bomb, "image/png")}
        )
        assert answer.status_code == 413 and "text/html" in answer.headers["content-type"]
        assert "16000×16000 pixels" in answer.text
        answer = await web.post(
            upload,
            data={"csrf_token": token, "caption": "x" * MB},
            files={"file": ("bomb.png", bomb, "image/png")},
        )
        assert answer.status_code == 413 and "caption" in answer.text
        # another page's form with a huge body: capped, answered with a page
        answer = await web.post("/brands", data={"csrf_token": token, "name": "x" * 2 * MB})
        assert answer.status_code == 413 and "Too large" in answer.text
        assert stored_files(settings) == []
        assert await MediaAsset.all().count() == 0
        assert (await web.get("/healthz")).status_code == 200
