"""Browser fixtures: Debian's Chromium (installed by `make browser`) driven by Playwright."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def ensure_chromium() -> str:
    """The system Chromium; installed through the project's set-up when missing."""
    if not Path(CHROMIUM).exists():
        if shutil.which("make") is None:
            pytest.fail("Chromium is missing and `make` is not available to install it")
        subprocess.run(["make", "-C", str(ROOT), "browser"], check=True, timeout=900)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"`make browser` did not install {CHROMIUM}")
    return CHROMIUM


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium for one test."""
    executable = ensure_chromium()
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                            headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def screenshots() -> Path:
    """Where the browser tests leave a screenshot of each page (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
