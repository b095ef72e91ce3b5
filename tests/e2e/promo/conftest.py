"""Promo fixtures: espeak-ng, installed through the project's set-up when missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def ensure_espeak() -> str:
    """espeak-ng on PATH (`make voice` installs it from Debian)."""
    if shutil.which("espeak-ng") is None:
        subprocess.run(["make", "-C", str(ROOT), "voice"], check=True, timeout=900)
    found = shutil.which("espeak-ng")
    if found is None:
        pytest.fail("`make voice` did not install espeak-ng")
    return found


@pytest.fixture
def espeak() -> str:
    """The espeak-ng binary."""
    return ensure_espeak()
