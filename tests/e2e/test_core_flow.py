"""The core promise, as a new user runs it: `oneclick run`, CLI set-up, API, web feed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.support.media import make_fake_mp4, make_mp4
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def product(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`oneclick run` in a fresh data dir, as `make run` starts it."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_DIR": str(tmp_path / "data" / "media"),
        "DATABASE_URL": f"sqlite://{tmp_path}/data/oneclick.sqlite3",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    for name in ("REDIS_URL", "ANTHROPIC_API_KEY", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN"):
        env.pop(name, None)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oneclick", "run"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a new process imports everything: slow when busy
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        else:
            raise AssertionError("server did not start: " + (tmp_path / "server.log").read_text())
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def cli(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "oneclick", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_new_user_publishes_a_video_to_the_web_feed(product, tmp_path: Path) -> None:
    base, env = product
    cli(
        env,
        tmp_path,
        "user",
        "create",
        "owner@example.com",
        "--password-stdin",
        stdin="long enough password\n",
    )
    key = cli(env, tmp_path, "apikey", "create", "owner@example.com").splitlines()[-1]
    cli(
        env,
        tmp_path,
        "user",
        "create",
        "other@example.com",
        "--password-stdin",
        stdin="another long password\n",
    )
    other_key = cli(env, tmp_path, "apikey", "create", "other@example.com").splitlines()[-1]
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    other = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {other_key}"}, timeout=30
    )

    brand = api.post("/api/v1/brands", json={"name": "Acme Coffee"}).json()
    assert brand["slug"] == "acme-coffee"
    video = make_mp4(tmp_path / "clip.mp4", seconds=5)
    with video.open("rb") as fh:
        resp = api.post(
            f"/api/v1/brands/{brand['id']}/assets",
            files={"file": ("clip.mp4", fh, "video/mp4")},
            data={"caption": "Fresh roast is in! Come try it."},
        )
    assert resp.status_code == 201, resp.text
    asset = resp.json()
    assert asset["kind"] == "video" and 4.5 < asset["duration_seconds"] < 5.5

    resp = api.post(f"/api/v1/assets/{asset['id']}/publish", json={"platforms": ["web"]})
    assert resp.status_code == 202, resp.text
    job_id = resp.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("running", "scheduled"):
            break
        time.sleep(0.3)
    assert job["status"] == "published", job
    target = job["targets"][0]
    assert target["status"] == "published" and target["external_url"].startswith(base)

    feed = api.get(f"/b/{brand['slug']}/feed.json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    items = feed.json()["items"]
    assert len(items) == 1 and "Fresh roast" in items[0]["content_text"]
    attachment = items[0]["attachments"][0]
    assert attachment["mime_type"] == "video/mp4"
    media = httpx.get(attachment["url"], headers={"Range": "bytes=0-99"})
    assert media.status_code == 206 and len(media.content) == 100
    assert media.headers["content-type"] == "video/mp4"
    assert media.content[4:8] == b"ftyp"
    full = httpx.get(attachment["url"])
    assert full.status_code == 200 and int(full.headers["content-length"]) > 1000

    rss = ET.fromstring(api.get(f"/b/{brand['slug']}/feed.xml").content)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    enclosure = rss.find("channel/item/enclosure")
    assert enclosure is not None and enclosure.get("type") == "video/mp4"
    assert enclosure.get("url") == attachment["url"]
    page = httpx.get(f"{base}/b/{brand['slug']}")
    assert page.status_code == 200 and "<video" in page.text

    for method, path, kwargs in [
        ("GET", f"/api/v1/brands/{brand['id']}", {}),
        ("GET", f"/api/v1/assets/{asset['id']}", {}),
        ("GET", f"/api/v1/jobs/{job_id}", {}),
        ("POST", f"/api/v1/assets/{asset['id']}/publish", {"json": {"platforms": ["web"]}}),
    ]:
        resp = other.request(method, path, **kwargs)
        assert resp.status_code == 404, (path, resp.text)
        assert "detail" in resp.json()

    fake = make_fake_mp4(tmp_path / "clip-fake.mp4")
    with fake.open("rb") as fh:
        resp = api.post(
            f"/api/v1/brands/{brand['id']}/assets", files={"file": ("clip.mp4", fh, "video/mp4")}
        )
    assert resp.status_code == 422
    assert "video" in resp.json()["detail"].lower() or "media" in resp.json()["detail"].lower()
    assert len(api.get(f"/api/v1/brands/{brand['id']}/assets").json()) == 1
    leftovers = list((Path(env["MEDIA_DIR"]) / "tmp").glob("*"))
    assert leftovers == []
