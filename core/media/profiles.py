"""Output format profiles as data, derived from the platforms' limits (shared/platforms.md).

Connectors ask for a profile by name. Two profiles whose effective encode settings coincide
for a given source share one output file (see `transcode.plan_output`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

Fit = Literal["pad_blur", "crop", "letterbox"]
FITS: tuple[Fit, ...] = ("pad_blur", "crop", "letterbox")
MB = 1024 * 1024


@dataclass(frozen=True)
class VideoProfile:
    """An H.264/AAC MP4 (moov first, closed GOP, 4:2:0) target.

    `width`/`height` set a fixed frame the source is fitted into; `max_long_side` alone keeps
    the source aspect (no padding). Durations in seconds, sizes in bytes, bitrates in bit/s.
    """

    name: str
    label: str
    width: int | None = None
    height: int | None = None
    max_long_side: int | None = None
    min_short_side: int = 0
    min_fps: float = 0.0
    max_fps: float = 60.0
    min_duration: float = 0.0
    max_duration: float | None = None
    max_bytes: int | None = None
    max_video_bitrate: int = 8_000_000
    accept_bitrate: int = 25_000_000
    crf: int = 21
    audio_bitrate: int = 128_000
    max_audio_rate: int = 48_000
    kind: Literal["video"] = "video"

    @property
    def fixed_frame(self) -> bool:
        """Whether the output has one fixed frame size (fit applies)."""
        return self.width is not None and self.height is not None

    def definition(self) -> dict[str, Any]:
        """The encode-relevant fields (no name/label), for content keys."""
        data = asdict(self)
        data.pop("name")
        data.pop("label")
        return data


@dataclass(frozen=True)
class ImageProfile:
    """A still-image target; `min_aspect`/`max_aspect` (width/height) clamp the shape."""

    name: str
    label: str
    formats: tuple[str, ...] = ("image/jpeg",)
    max_width: int | None = None
    max_long_side: int | None = None
    min_width: int = 0
    min_aspect: float | None = None
    max_aspect: float | None = None
    max_sum_sides: int | None = None
    max_bytes: int = 8 * MB
    kind: Literal["image"] = "image"

    def definition(self) -> dict[str, Any]:
        """The encode-relevant fields (no name/label), for content keys."""
        data = asdict(self)
        data.pop("name")
        data.pop("label")
        return data


Profile = VideoProfile | ImageProfile

# Reels/TikTok/Shorts: 9:16 1080x1920, 23-60 fps, IG <=25 Mbps and <=300 MB, IG 3 s-15 min,
# TikTok <=10 min, so the shared profile allows 10 min; FB Reels (<=90 s) and Shorts (<=3 min)
# have their own names and coincide with it (one file) whenever the source is short enough.
_REEL = VideoProfile(
    "vertical_9x16",
    "Reels / TikTok (9:16)",
    width=1080,
    height=1920,
    min_short_side=540,
    min_fps=23.0,
    max_fps=60.0,
    min_duration=3.0,
    max_duration=600.0,
    max_bytes=300 * MB,
    max_video_bitrate=8_000_000,
)

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        VideoProfile("web_video", "Web feed video", max_long_side=1920, max_fps=60.0),
        _REEL,
        replace(_REEL, name="fb_reels_9x16", label="Facebook Reels (9:16)", max_duration=90.0),
        replace(_REEL, name="shorts_9x16", label="YouTube Shorts (9:16)", max_duration=180.0),
        VideoProfile(
            "square_1x1",
            "Square feed video (1:1)",
            width=1080,
            height=1080,
            min_fps=23.0,
            min_duration=3.0,
            max_duration=900.0,
            max_bytes=300 * MB,
        ),
        VideoProfile(
            "feed_4x5",
            "Portrait feed video (4:5)",
            width=1080,
            height=1350,
            min_fps=23.0,
            min_duration=3.0,
            max_duration=900.0,
            max_bytes=300 * MB,
        ),
        VideoProfile(
            "landscape_16x9",
            "Landscape video (16:9)",
            width=1920,
            height=1080,
            min_duration=3.0,
            max_duration=900.0,
            max_bytes=500 * MB,
        ),
        # Pinterest video: 1.91:1-1:2, 4 s-15 min, <=2 GB; 2:3 (1000x1500) recommended.
        VideoProfile(
            "pinterest_2x3",
            "Pinterest video (2:3)",
            width=1000,
            height=1500,
            min_duration=4.0,
            max_duration=900.0,
            max_bytes=2048 * MB,
        ),
        # Bluesky video: MP4 <=100 MB, <=3 min, any aspect. Mastodon: <=99 MB by default (the
        # connector checks the server's real limit from /api/v2/instance).
        VideoProfile(
            "bluesky_video",
            "Bluesky video",
            max_long_side=1920,
            max_duration=180.0,
            max_bytes=95 * MB,
        ),
        VideoProfile("mastodon_video", "Mastodon video", max_long_side=1920, max_bytes=95 * MB),
        # Telegram: <=50 MB multipart upload; keep the aspect, shrink the bitrate to fit.
        VideoProfile(
            "telegram_video",
            "Telegram video",
            max_long_side=1280,
            max_bytes=50 * MB,
            max_video_bitrate=4_000_000,
            crf=23,
            audio_bitrate=96_000,
        ),
        ImageProfile(
            "web_image",
            "Web feed image",
            formats=("image/jpeg", "image/png", "image/webp"),
            max_long_side=2560,
            max_bytes=15 * MB,
        ),
        # Instagram image: JPEG only, <=8 MB, 4:5-1.91:1, width 320-1440, sRGB.
        ImageProfile(
            "instagram_image",
            "Instagram photo",
            max_width=1440,
            min_width=320,
            min_aspect=4 / 5,
            max_aspect=1.91,
            max_bytes=8 * MB,
        ),
        # Pinterest image: PNG/JPEG <=10 MB, 2:3 (1000x1500) recommended; pins taller than 1:2 crop.
        ImageProfile(
            "pinterest_image",
            "Pinterest pin image",
            formats=("image/jpeg", "image/png"),
            max_width=1000,
            min_aspect=1 / 2,
            max_aspect=1.91,
            max_bytes=10 * MB,
        ),
        # Bluesky image: <=1,000,000 bytes each (the PDS refuses bigger blobs in a post).
        ImageProfile(
            "bluesky_image",
            "Bluesky image",
            formats=("image/jpeg", "image/png"),
            max_long_side=2000,
            max_bytes=950_000,
        ),
        # TikTok photo post: JPEG/WebP, at most 1080p, <=20 MB.
        ImageProfile(
            "tiktok_photo",
            "TikTok photo",
            formats=("image/jpeg", "image/webp"),
            max_long_side=1920,
            max_bytes=20 * MB,
        ),
        # Telegram photo: <=10 MB, width + height <=10,000, ratio <=20.
        ImageProfile(
            "telegram_photo",
            "Telegram photo",
            formats=("image/jpeg", "image/png"),
            max_sum_sides=10_000,
            min_aspect=1 / 20,
            max_aspect=20.0,
            max_bytes=10 * MB,
        ),
    )
}

VIDEO_PROFILES = tuple(n for n, p in PROFILES.items() if p.kind == "video")
IMAGE_PROFILES = tuple(n for n, p in PROFILES.items() if p.kind == "image")


def get_profile(name: str) -> Profile:
    """The profile called `name`; ValueError names the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown media profile {name!r}; known: {', '.join(PROFILES)}") from None
