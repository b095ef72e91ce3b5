"""Browser fixtures: one Debian Chromium (installed by `make browser`) for the whole session.

Playwright's objects belong to the event loop that made them, so every test here runs in
the session's loop (marked below). Start apps and databases inside the test (`live_app`,
`tests.support.db.migrated`), not through async function fixtures such as `db`: those run
in a loop of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def ensure_chromium() -> str:
    """The system Chromium (`make browser` installs it; tests never install packages)."""
    if not Path(CHROMIUM).exists():
        service_unavailable("Chromium", f"{CHROMIUM} is missing: run `make browser`")
    return CHROMIUM


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests in the session's event loop, where the browser lives."""
    for item in items:
        if not (Path(str(item.path)).is_relative_to(HERE) and pytest_asyncio.is_async_test(item)):
            continue
        marker = item.get_closest_marker("asyncio")
        if marker is None or "loop_scope" not in marker.kwargs:
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium shared by the session; each test opens contexts of its own."""
    executable = ensure_chromium()
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def _fresh_contexts(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Close whatever context a test left open, so the next one starts clean."""
    yield
    if "browser" in request.fixturenames:
        shared: Browser = request.getfixturevalue("browser")
        for context in list(shared.contexts):
            await context.close()


@pytest.fixture
def screenshots() -> Path:
    """Where the browser tests leave a screenshot of each page (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
