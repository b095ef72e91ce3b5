"""Generated media shared by the media tests (made once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide directory of generated test media (see tests/media_factory.py), one for
    the unit and the integration media tests alike, so no file is made twice."""
    path = tmp_path_factory.getbasetemp() / "media-lib"
    path.mkdir(exist_ok=True)
    return path
