"""MediaPipeline.ensure on real generated media and a real SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.errors import MediaRejected
from core.media import transcode
from core.media.pipeline import MediaPipeline
from core.media.probe import MediaInfo, probe_file
from core.media.profiles import PROFILES, VIDEO_PROFILES
from core.models import Brand, MediaAsset, TranscodedMedia, User
from core.models.enums import AssetKind
from tests import media_factory as mf
from tests.integration.media.checks import check_output, row_brightness

pytestmark = pytest.mark.asyncio


class Calls:
    """Every ffmpeg argv the transcoder ran."""

    def __init__(self) -> None:
        self.argvs: list[list[str]] = []

    @property
    def encodes(self) -> list[list[str]]:
        return [a for a in self.argvs if "libx264" in a or "mjpeg" in a and "-filter_complex" in a]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    recorder = Calls()
    real = transcode.run_ffmpeg

    async def recording(argv: list[str], **kwargs: Any) -> None:
        recorder.argvs.append(argv)
        await real(argv, **kwargs)

    monkeypatch.setattr(transcode, "run_ffmpeg", recording)
    return recorder


async def make_brand(slug: str = "acme", media: dict[str, Any] | None = None) -> Brand:
    user = await User.create(email=f"{slug}@example.com", password_hash="x")
    return await Brand.create(
        name=slug, slug=slug, owner=user, settings={"media": media} if media else {}
    )


async def make_asset(brand: Brand, path: Path, **extra: Any) -> MediaAsset:
    info = await probe_file(path)
    return await MediaAsset.create(
        brand=brand,
        kind=AssetKind(info.kind),
        file_path=str(path),
        probe=info.to_json(),
        mime_type=info.mime_type,
        size_bytes=info.size_bytes,
        **extra,
    )


def leftovers(settings: Settings) -> list[Path]:
    """Temporary files left in the output directory."""
    return list(Path(settings.media_dir, "transcoded").rglob(".tmp-*"))


def same_bytes(a: str | Path, b: str | Path) -> bool:
    """Whether two files have identical content."""
    return Path(a).read_bytes() == Path(b).read_bytes()


def pipeline(db: Settings, **kwargs: Any) -> MediaPipeline:
    return MediaPipeline(db, preset="ultrafast", **kwargs)


async def test_all_video_profiles_one_process_and_checked(
    db: Settings, lib: Path, calls: Calls
) -> None:
    src = mf.video(lib, width=640, height=360, seconds=4)
    asset = await make_asset(await make_brand(), src)
    seen: list[int] = []

    async def progress(percent: int) -> None:
        seen.append(percent)

    rows = await pipeline(db).ensure(asset, VIDEO_PROFILES, progress=progress)
    source = MediaInfo.from_json(asset.probe)
    assert set(rows) == set(VIDEO_PROFILES)
    for name, row in rows.items():
        check_output(row, PROFILES[name], source)
        assert row.profile == name and row.brand_id == asset.brand_id
    assert len(calls.encodes) == 1 and "split" in " ".join(calls.encodes[0])
    # the three 9:16 profiles coincide for a 4 s clip: one file
    assert len({rows[n].file_path for n in ("vertical_9x16", "fb_reels_9x16", "shorts_9x16")}) == 1
    assert seen == sorted(seen) and len(set(seen)) == len(seen) and seen[-1] == 100
    assert len(seen) >= 3
    assert await TranscodedMedia.filter(asset=asset).count() == len(VIDEO_PROFILES)
    assert leftovers(db) == []


async def test_compliant_source_is_copied_not_encoded(
    db: Settings, lib: Path, calls: Calls
) -> None:
    src = mf.video(lib, width=1080, height=1920, seconds=4)
    asset = await make_asset(await make_brand(), src)
    rows = await pipeline(db).ensure(asset, ["vertical_9x16", "web_video"])
    assert calls.encodes == []  # copied, not encoded (its speed: bench/, not asserted here)
    assert rows["vertical_9x16"].file_path == rows["web_video"].file_path
    assert same_bytes(rows["web_video"].file_path, src)
    for name, row in rows.items():
        check_output(row, PROFILES[name], MediaInfo.from_json(asset.probe))


async def test_moov_at_end_is_remuxed(db: Settings, lib: Path, calls: Calls) -> None:
    src = mf.landscape_1080p(lib, faststart=False, seconds=3)
    asset = await make_asset(await make_brand(), src)
    rows = await pipeline(db).ensure(asset, ["web_video", "landscape_16x9"])
    assert calls.encodes == [] and any("copy" in a for a in calls.argvs)
    out = await probe_file(Path(rows["landscape_16x9"].file_path))
    assert out.faststart and out.size_bytes < src.stat().st_size * 1.05
    check_output(rows["web_video"], PROFILES["web_video"], MediaInfo.from_json(asset.probe))


async def test_reuse_same_asset_and_across_assets(db: Settings, lib: Path, calls: Calls) -> None:
    src = mf.no_audio(lib)
    brand = await make_brand()
    first = await make_asset(brand, src, content_hash="")
    rows = await pipeline(db).ensure(first, ["square_1x1"])
    assert len(calls.argvs) == 2  # the encode and the cover frame
    again = await pipeline(db).ensure(first, ["square_1x1"])
    assert again["square_1x1"].id == rows["square_1x1"].id and len(calls.argvs) == 2
    other = await make_asset(await make_brand("beta"), src)
    shared = await pipeline(db).ensure(other, ["square_1x1"])
    assert len(calls.argvs) == 2
    assert shared["square_1x1"].file_path == rows["square_1x1"].file_path
    assert shared["square_1x1"].brand_id == other.brand_id != first.brand_id
    await asyncio.to_thread(Path(rows["square_1x1"].file_path).unlink)
    await pipeline(db).ensure(first, ["square_1x1"])
    assert len(calls.encodes) == 2


async def test_brand_fit_choice_changes_output(db: Settings, lib: Path) -> None:
    src = mf.no_audio(lib)
    pad = await pipeline(db).ensure(await make_asset(await make_brand(), src), ["feed_4x5"])
    crop_brand = await make_brand("crop", {"fit": {"feed_4x5": "crop"}})
    crop = await pipeline(db).ensure(await make_asset(crop_brand, src), ["feed_4x5"])
    assert pad["feed_4x5"].content_key != crop["feed_4x5"].content_key
    assert "crop" in crop["feed_4x5"].notes and "pad blur" in pad["feed_4x5"].notes


async def test_rotated_portrait_comes_out_upright(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.portrait_rotated(lib))
    rows = await pipeline(db).ensure(asset, ["vertical_9x16", "web_video"])
    vertical = check_output(
        rows["vertical_9x16"], PROFILES["vertical_9x16"], MediaInfo.from_json(asset.probe)
    )
    assert vertical.rotation == 0
    assert "Reshaped" not in rows["vertical_9x16"].notes  # 9:16 after rotation: no padding
    web = await probe_file(Path(rows["web_video"].file_path))
    assert (web.width, web.height) == (180, 320)


async def test_rotation_is_baked_in_the_right_direction(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.orientation_marker(lib))
    assert MediaInfo.from_json(asset.probe).rotation == 90
    row = (await pipeline(db).ensure(asset, ["vertical_9x16"]))["vertical_9x16"]
    out = Path(row.file_path)
    assert (await probe_file(out)).rotation == 0
    assert row_brightness(out, slice(1400, 1900)) > 200  # bottom third white, upright
    assert row_brightness(out, slice(0, 1200)) < 40


@pytest.mark.parametrize("make", [mf.ten_bit_hdr, mf.ten_bit_h264, mf.vp9_mkv, mf.odd_size])
async def test_non_compliant_sources_to_web_and_telegram(
    db: Settings, lib: Path, make: Any, calls: Calls
) -> None:
    asset = await make_asset(await make_brand(), make(lib))
    rows = await pipeline(db).ensure(asset, ["web_video", "telegram_video"])
    assert len(calls.encodes) == 1
    for name, row in rows.items():
        check_output(row, PROFILES[name], MediaInfo.from_json(asset.probe))


@pytest.mark.slow
async def test_hevc_4k60_to_vertical(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.hevc_4k60(lib))
    rows = await pipeline(db).ensure(asset, ["vertical_9x16", "web_video"])
    source = MediaInfo.from_json(asset.probe)
    for name, row in rows.items():
        out = check_output(row, PROFILES[name], source)
        assert out.fps == pytest.approx(60)
    assert (rows["web_video"].width, rows["web_video"].height) == (1920, 1080)


async def test_too_long_refused_when_brand_says_so(db: Settings, lib: Path) -> None:
    brand = await make_brand("strict", {"duration_policy": "refuse"})
    asset = await make_asset(brand, mf.long_clip(lib))
    reason = r"100 s long; Facebook Reels \(9:16\) takes at most 90 s"
    with pytest.raises(MediaRejected, match=reason):
        await pipeline(db).ensure(asset, ["fb_reels_9x16"])
    assert await TranscodedMedia.filter(asset=asset).count() == 0


@pytest.mark.slow
async def test_too_long_trimmed_with_a_note(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.long_clip(lib))
    reel = (await pipeline(db).ensure(asset, ["fb_reels_9x16"]))["fb_reels_9x16"]
    check_output(reel, PROFILES["fb_reels_9x16"], MediaInfo.from_json(asset.probe))
    assert reel.duration_seconds == pytest.approx(90, abs=0.2)
    assert "Trimmed to the first 90 s" in reel.notes and "the original is 100 s" in reel.notes


async def test_short_clip_extended_to_platform_minimum(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.video(lib, width=320, height=240, seconds=2))
    rows = await pipeline(db).ensure(asset, ["pinterest_2x3"])
    check_output(rows["pinterest_2x3"], PROFILES["pinterest_2x3"], MediaInfo.from_json(asset.probe))
    assert "Extended to 4 s" in rows["pinterest_2x3"].notes


async def test_profile_kind_mismatch_is_rejected(db: Settings, lib: Path) -> None:
    asset = await make_asset(await make_brand(), mf.image(lib))
    with pytest.raises(MediaRejected, match="needs a video"):
        await pipeline(db).ensure(asset, ["vertical_9x16"])
    with pytest.raises(ValueError, match="unknown media profile"):
        await pipeline(db).ensure(asset, ["myspace_video"])
