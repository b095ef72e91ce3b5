"""Per-brand limits in the media pipeline: one brand's conversions queue behind its own
BRAND_TRANSCODES slots and never hold another brand's turn; older probes still force `-f`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from core.config import Settings
from core.media.pipeline import MediaPipeline
from core.media.probe import MediaInfo
from tests import media_factory as mf
from tests.integration.media.test_pipeline import make_asset, make_brand


def counting(pipeline: MediaPipeline) -> list[int]:
    """Record how many of this pipeline's conversions run at once: [now, most]."""
    seen = [0, 0]
    produce = pipeline.transcoder.produce

    async def counted(*args: Any, **kwargs: Any) -> dict[str, Path]:
        seen[0] += 1
        seen[1] = max(seen)
        try:
            return await produce(*args, **kwargs)
        finally:
            seen[0] -= 1

    pipeline.transcoder.produce = counted  # type: ignore[method-assign]
    return seen


async def test_one_brand_converts_one_file_at_a_time(db: Settings, lib: Path) -> None:
    db.brand_transcodes = 1
    acme, other = await make_brand("acme"), await make_brand("other")
    pngs = [mf.image(lib, width=640 + 2 * i, height=480, fmt="png") for i in range(3)]
    first, second = await make_asset(acme, pngs[0]), await make_asset(acme, pngs[1])
    theirs = await make_asset(other, pngs[2])

    pipeline = MediaPipeline(db)
    seen = counting(pipeline)
    await asyncio.gather(*(pipeline.ensure(a, ["instagram_image"]) for a in (first, second)))
    assert seen[1] == 1

    pipeline = MediaPipeline(db)
    seen = counting(pipeline)
    first_again = await make_asset(acme, mf.image(lib, width=700, height=480, fmt="png"))
    await asyncio.gather(*(pipeline.ensure(a, ["instagram_image"]) for a in (first_again, theirs)))
    assert seen[1] == 2


def test_probes_stored_before_the_demuxer_field_still_name_one() -> None:
    base = {
        "kind": "video",
        "mime_type": "video/mp4",
        "container": "mp4",
        "width": 2,
        "height": 2,
        "rotation": 0,
        "duration": 1.0,
        "fps": 25.0,
        "video_codec": "h264",
        "pix_fmt": "yuv420p",
        "bit_depth": 8,
        "is_hdr": False,
        "has_audio": False,
        "audio_codec": None,
        "audio_sample_rate": None,
        "bitrate": None,
        "size_bytes": 1,
        "faststart": True,
    }
    assert MediaInfo.from_json(base).input_format == "mov"
    assert MediaInfo.from_json({**base, "container": "webm"}).input_format == "matroska"
    image = {**base, "kind": "image", "container": "jpeg", "mime_type": "image/jpeg"}
    assert MediaInfo.from_json(image).input_format == "jpeg_pipe"
