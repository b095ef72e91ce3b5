"""Promo fixtures: espeak-ng, which `make voice` installs (tests never install packages)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import service_unavailable


def ensure_espeak() -> str:
    """espeak-ng on PATH; skipped (failed under REQUIRE_SERVICES) when `make voice` has not run."""
    found = shutil.which("espeak-ng")
    if found is None:
        service_unavailable("espeak-ng", "it is not on PATH: run `make voice`")
        raise AssertionError("unreachable")  # service_unavailable skips or fails
    return found


@pytest.fixture
def espeak() -> str:
    """The espeak-ng binary."""
    return ensure_espeak()
