"""The media store port: the local store's rules, and the whole publish path through a store
whose references are not paths (as an S3 store's will be): nothing may read a file behind it.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.app.actor import Actor
from core.app.assets import ChatFile
from core.brands import create_brand
from core.intake import file_chunks
from core.media.store import LocalMediaStore
from core.models import AssetSource, MediaAsset, TranscodedMedia
from core.ports.media_store import kept_file
from core.users import create_user
from tests.conftest import make_settings
from tests.support.asgi import running_app, web_client
from tests.support.media import make_jpeg, make_mp4
from tests.support.web_publish import published_to_web

PREFIX = "bucket:"


class ElsewhereStore:
    """A store kept apart from this machine's MEDIA_DIR: references name a bucket object,
    and reading one brings a copy into a local cache (what an S3 store does)."""

    def __init__(self, bucket: Path, cache: Path, work: Path) -> None:
        self.bucket, self.cache, self.work = bucket, cache, work
        self.fetched: list[str] = []

    def work_dir(self, purpose: str) -> Path:
        folder = self.work / purpose
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def keep(self, local: Path, name: str) -> str:
        _move_in(local, self.bucket / name)
        return PREFIX + name

    async def local_file(self, ref: str) -> Path:
        assert ref.startswith(PREFIX), f"not a reference of this store: {ref}"
        name = ref.removeprefix(PREFIX)
        self.fetched.append(name)
        copy = self.cache / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.bucket / name, copy)
        return copy

    async def exists(self, ref: str) -> bool:
        return ref.startswith(PREFIX) and (self.bucket / ref.removeprefix(PREFIX)).is_file()


async def test_the_local_store_keeps_each_name_once(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "media")
    first = store.work_dir("tmp") / "a"
    first.write_bytes(b"one")
    ref = await store.keep(first, "originals/ab/abc.jpg")
    assert Path(ref) == tmp_path / "media" / "originals" / "ab" / "abc.jpg"
    assert not first.exists() and _read(Path(ref)) == b"one"

    again = store.work_dir("tmp") / "b"
    again.write_bytes(b"one")  # the same content address: the kept file stays, this goes
    assert await store.keep(again, "originals/ab/abc.jpg") == ref
    assert not again.exists()

    in_place = store.work_dir("transcoded") / "cd" / "cde.mp4"
    in_place.parent.mkdir()
    in_place.write_bytes(b"made here")
    assert await store.keep(in_place, "transcoded/cd/cde.mp4") == str(in_place)
    assert _read(in_place) == b"made here"

    assert await kept_file(store, ref) == Path(ref)
    _remove(Path(ref))  # an operator removed it
    assert await kept_file(store, ref) is None
    assert await kept_file(store, "") is None

    outside = store.work_dir("tmp") / "c"
    outside.write_bytes(b"x")
    for name in ("covers/instagram/../../../../escape.jpg", "/etc/escape.jpg"):
        with pytest.raises(ValueError, match="not a media store name"):
            await store.keep(outside, name)
    assert outside.exists()  # refused before anything moved


async def test_publishing_goes_through_the_media_store(tmp_path: Path) -> None:
    """Upload, transcode, publish to the web feed and serve the files, with every file kept
    in a store whose references are not paths: a reader that bypassed the port would fail."""
    settings = make_settings(tmp_path)
    store = ElsewhereStore(tmp_path / "bucket", tmp_path / "cache", settings.media_dir)
    photo = make_jpeg(tmp_path / "p.jpg")
    video = make_mp4(tmp_path / "v.mp4", seconds=4)
    async with running_app(settings, media=store) as app:
        services = app.state.services
        owner = await create_user("owner@example.com", "long enough pw", origin="test")
        brand = await create_brand(owner, "Acme")
        album = await services.assets.receive_album(
            Actor(owner, "test"),
            brand_id=brand.id,
            files=[_chat_file(photo), _chat_file(video)],
            source=AssetSource.TELEGRAM,
            source_id="album-1",
            caption="Two things",
            announce=False,
        )
        assert (await published_to_web(app, owner, album)).status == "published"
        async with web_client(app) as http:
            item = (await http.get("/b/acme/feed.json")).json()["items"][0]
            served = [(await http.get(a["url"])) for a in item["attachments"]]
        assert [r.status_code for r in served] == [200, 200]

        originals = await MediaAsset.filter(parent_id=album.id).values_list("file_path", flat=True)
        formats = await TranscodedMedia.all().values_list("file_path", "thumbnail_path")
        refs = [*originals, *(f for f, _ in formats), *(t for _, t in formats if t)]
        assert refs and all(str(r).startswith(PREFIX) for r in refs), refs
        bucket = _files_in(store.bucket)
        assert {name.split("/")[0] for name in bucket} == {"originals", "transcoded"}
        # ffmpeg read the originals and the feed served the formats through the store
        assert any(n.startswith("originals/") for n in store.fetched)
        assert any(n.startswith("transcoded/") for n in store.fetched)
        assert sorted(r.content for r in served) == sorted(
            bucket[str(f).removeprefix(PREFIX)] for f, _ in formats
        )
        # nothing was kept beside the store in MEDIA_DIR (only the work folders' leftovers)
        assert not (settings.media_dir / "originals").exists()

        # profiles that coincide for this clip share one file, kept once
        clip = await MediaAsset.get(parent_id=album.id, position=1)
        reels = ["vertical_9x16", "fb_reels_9x16", "shorts_9x16"]
        rows = await services.pipeline.ensure(clip, reels)
        assert len({rows[n].file_path for n in reels}) == 1
        assert await store.exists(rows[reels[0]].file_path)
        assert await store.exists(rows[reels[0]].thumbnail_path)


def _move_in(local: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        local.unlink(missing_ok=True)
    else:
        shutil.move(local, target)


def _files_in(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative name, with its content."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _remove(path: Path) -> None:
    path.unlink()


def _chat_file(path: Path) -> ChatFile:
    """A file a chat sent, read from disk."""

    async def opened() -> AsyncIterator[bytes]:
        return file_chunks(path)

    return ChatFile(path.name, path.name, opened)
