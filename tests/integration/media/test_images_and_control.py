"""Image profiles, carousels, cancellation and timeouts of MediaPipeline.ensure."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import MediaRejected
from core.media.pipeline import MediaPipeline
from core.media.probe import MediaInfo
from core.media.profiles import IMAGE_PROFILES, PROFILES
from core.media.runner import TranscodeFailed
from core.models import MediaAsset, TranscodedMedia
from core.models.enums import AssetKind
from tests import media_factory as mf
from tests.integration.media.checks import check_output
from tests.integration.media.test_pipeline import leftovers, make_asset, make_brand, same_bytes


async def test_compliant_jpeg_copied_everywhere(db: Settings, lib: Path) -> None:
    src = mf.image(lib)
    asset = await make_asset(await make_brand(), src)
    rows = await MediaPipeline(db).ensure(asset, IMAGE_PROFILES)
    for name, row in rows.items():
        check_output(row, PROFILES[name], MediaInfo.from_json(asset.probe))
        assert same_bytes(row.file_path, src) and row.thumbnail_path == ""
    assert len({row.file_path for row in rows.values()}) == 1


async def test_png_and_extreme_shapes(db: Settings, lib: Path) -> None:
    tall = mf.image(lib, width=400, height=1200, fmt="png")
    asset = await make_asset(await make_brand(), tall)
    rows = await MediaPipeline(db).ensure(asset, IMAGE_PROFILES)
    for name, row in rows.items():
        check_output(row, PROFILES[name], MediaInfo.from_json(asset.probe))
    assert rows["instagram_image"].mime_type == "image/jpeg"
    assert (rows["instagram_image"].width, rows["instagram_image"].height) == (960, 1200)
    assert "pad blur" in rows["instagram_image"].notes
    assert rows["web_image"].mime_type == "image/png"  # fine as is
    crop = await make_asset(await make_brand("crop", {"fit": {"instagram_image": "crop"}}), tall)
    row = (await MediaPipeline(db).ensure(crop, ["instagram_image"]))["instagram_image"]
    assert (row.width, row.height) == (400, 500)
    wide = await make_asset(await make_brand("wide"), mf.image(lib, width=2400, height=600))
    row = (await MediaPipeline(db).ensure(wide, ["instagram_image"]))["instagram_image"]
    check_output(row, PROFILES["instagram_image"], MediaInfo.from_json(wide.probe))
    assert row.width == 1440 and row.width / row.height == pytest.approx(1.91, abs=0.01)


async def test_carousel_ensures_each_child(db: Settings, lib: Path) -> None:
    brand = await make_brand()
    parent = await MediaAsset.create(brand=brand, kind=AssetKind.CAROUSEL)
    for position, path in enumerate([mf.image(lib, fmt="png"), mf.image(lib)]):
        await make_asset(brand, path, parent=parent, position=position)
    seen: list[int] = []

    async def progress(percent: int) -> None:
        seen.append(percent)

    rows = await MediaPipeline(db).ensure(parent, ["instagram_image"], progress=progress)
    assert set(rows) == {"instagram_image[0]", "instagram_image[1]"}
    assert rows["instagram_image[0]"].mime_type == "image/jpeg"  # PNG converted
    assert seen == sorted(seen) and seen[-1] == 100


def ffmpeg_children() -> list[int]:
    """PIDs of ffmpeg processes whose parent is this test process."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name, ppid = stat.split("(", 1)[1].split(")")[0], int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and name.startswith("ffmpeg") and "<defunct>" not in stat:
            pids.append(int(entry))
    return pids


async def _long_asset(lib: Path) -> MediaAsset:
    return await make_asset(
        await make_brand(), mf.video(lib, width=640, height=360, seconds=20, name="cancel_20s")
    )


async def test_cancellation_kills_ffmpeg_and_leaves_nothing(db: Settings, lib: Path) -> None:
    asset = await _long_asset(lib)
    started = asyncio.Event()

    async def progress(percent: int) -> None:
        started.set()

    task = asyncio.create_task(
        MediaPipeline(db, preset="medium").ensure(
            asset, ["vertical_9x16", "square_1x1"], progress=progress
        )
    )
    await asyncio.wait_for(started.wait(), 20)
    assert ffmpeg_children()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ffmpeg_children() == []
    assert leftovers(db) == []
    assert await TranscodedMedia.filter(asset=asset).count() == 0


async def test_timeout_kills_ffmpeg(db: Settings, lib: Path) -> None:
    asset = await _long_asset(lib)
    with pytest.raises(TranscodeFailed, match="took too long"):
        await MediaPipeline(db, timeout=0.5, preset="medium").ensure(asset, ["feed_4x5"])
    assert ffmpeg_children() == [] and leftovers(db) == []


async def test_missing_original(db: Settings, lib: Path, tmp_path: Path) -> None:
    path = tmp_path / "gone.jpg"
    path.write_bytes(mf.image(lib).read_bytes())
    asset = await make_asset(await make_brand(), path)
    await asyncio.to_thread(path.unlink)
    with pytest.raises(MediaRejected, match="missing"):
        await MediaPipeline(db).ensure(asset, ["web_image"])
