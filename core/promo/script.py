"""The ad script: voice-over lines and a post caption for one ad length."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InvalidInput

LENGTHS = (15, 30)
# spoken English runs about 2.5 words a second; the budget leaves room for pauses
WORDS_PER_SECOND = 2.3
# which ad length each network gets: short vertical feeds 15 s, the others 30 s
PLATFORM_SECONDS = {
    "tiktok": 15,
    "instagram": 15,
    "facebook": 15,
    "threads": 15,
    "pinterest": 15,
    "web": 30,
    "mastodon": 30,
    "bluesky": 30,
    "telegram": 30,
}
DEFAULT_SECONDS = 30
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def seconds_for(platform: str) -> int:
    """The ad length (15 or 30 s) that a network gets."""
    return PLATFORM_SECONDS.get(platform, DEFAULT_SECONDS)


def check_length(seconds: int) -> int:
    """`seconds` if it is one of the ad lengths, else InvalidInput."""
    if seconds not in LENGTHS:
        raise InvalidInput(
            f"An ad is {' or '.join(map(str, LENGTHS))} seconds long, not {seconds}."
        )
    return seconds


def word_budget(seconds: int) -> int:
    """How many spoken words fit in an ad of `seconds`."""
    return int(seconds * WORDS_PER_SECOND)


def word_count(text: str) -> int:
    """Spoken words in `text`."""
    return len(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each stripped; empty ones dropped."""
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


@dataclass(frozen=True)
class DemoFlow:
    """One recorded demo flow: what it shows and where it sits in the recording."""

    name: str
    title: str
    steps: list[str]
    start: float = 0.0
    duration: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DemoFlow:
        """Read one entry of flows.json."""
        return cls(
            name=str(data["name"]),
            title=str(data["title"]),
            steps=[str(s) for s in data.get("steps", [])],
            start=float(data.get("start", 0.0)),
            duration=float(data.get("duration", 0.0)),
        )


def save_flows(flows: list[DemoFlow], path: Path) -> None:
    """Write flows.json."""
    path.write_text(json.dumps([asdict(f) for f in flows], indent=2))


def load_flows(path: Path) -> list[DemoFlow]:
    """Read flows.json."""
    return [DemoFlow.from_json(item) for item in json.loads(path.read_text())]


@dataclass(frozen=True)
class AdScript:
    """What the voice says (one sentence a line) and the caption of the post."""

    seconds: int
    lines: list[str]
    caption: str
    writer: str
    note: str | None = None
    hashtags: list[str] = field(default_factory=list)

    @property
    def voiceover(self) -> str:
        """The whole spoken text."""
        return " ".join(self.lines)

    @property
    def words(self) -> int:
        """Spoken words."""
        return word_count(self.voiceover)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (script-<N>s.json)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdScript:
        """The inverse of `to_json`; InvalidInput for a script without lines."""
        lines = [str(line).strip() for line in data.get("lines", []) if str(line).strip()]
        if not lines:
            raise InvalidInput("The ad script has no lines to speak.")
        return cls(
            seconds=int(data["seconds"]),
            lines=lines,
            caption=str(data.get("caption", "")),
            writer=str(data.get("writer", "")),
            note=data.get("note"),
            hashtags=[str(h) for h in data.get("hashtags", [])],
        )

    def save(self, path: Path) -> None:
        """Write the script file."""
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> AdScript:
        """Read a script file."""
        return cls.from_json(json.loads(path.read_text()))
