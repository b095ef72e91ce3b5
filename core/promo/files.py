"""Where each promo step reads and writes its files inside the work dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput


@dataclass(frozen=True)
class WorkDir:
    """One promo work dir: every step's inputs and outputs are files here."""

    root: Path

    @property
    def recording(self) -> Path:
        """The demo's screen recording (record)."""
        return self.root / "recording.mp4"

    @property
    def flows(self) -> Path:
        """The recorded flows and their steps (record)."""
        return self.root / "flows.json"

    def script(self, seconds: int) -> Path:
        """The ad script of one length (script)."""
        return self.root / f"script-{seconds}s.json"

    def voice(self, seconds: int) -> Path:
        """The voice-over WAV (voice)."""
        return self.root / f"voice-{seconds}s.wav"

    def voice_info(self, seconds: int) -> Path:
        """When each sentence is said (voice)."""
        return self.root / f"voice-{seconds}s.json"

    def srt(self, seconds: int) -> Path:
        """Subtitles as SubRip (voice)."""
        return self.root / f"subtitles-{seconds}s.srt"

    def ass(self, seconds: int) -> Path:
        """Subtitles sized for the master, burned in (edit)."""
        return self.root / f"subtitles-{seconds}s.ass"

    def master(self, seconds: int) -> Path:
        """The finished ad (edit)."""
        return self.root / f"ad-{seconds}s.mp4"

    def master_info(self, seconds: int) -> Path:
        """What the edit made (edit)."""
        return self.root / f"ad-{seconds}s.json"

    def need(self, path: Path, step: str) -> Path:
        """`path` if an earlier step made it, else a message naming the step to run."""
        if not path.exists():
            raise InvalidInput(
                f"{path.name} is missing in {self.root}: run `oneclick promo {step}` first."
            )
        return path

    def make(self) -> WorkDir:
        """Create the folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        return self
