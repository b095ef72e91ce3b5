"""Playwright walks scripted demo flows of the web app and records each one's screen."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright, expect

from core.promo.script import DemoFlow
from oneclick.promo.screencast import Screencast, Segment

CHROMIUM = "/usr/bin/chromium"
# the browser tests' launch settings (tests/e2e/web/conftest.py): Debian's Chromium, headless
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


@dataclass(frozen=True)
class DemoAccount:
    """Who the demo signs in as and which brand it shows (made on first use)."""

    email: str = "demo@northwind-bakery.example"
    password: str = "northwind demo password"
    brand_name: str = "Northwind Bakery"
    caption: str = "Fresh sourdough, out of the oven at 7 every morning."


@dataclass
class DemoState:
    """What one flow leaves for the next."""

    brand_id: int = 0
    brand_slug: str = ""
    asset_url: str = ""
    job_url: str = ""
    steps: list[str] = field(default_factory=list)


Flow = Callable[[Page, DemoState], Awaitable[None]]


def chromium_path() -> str:
    """Debian's Chromium (installed by `make browser`)."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        raise RuntimeError("Chromium is not installed: run `make browser`.")
    return found


class DemoRecorder:
    """Signs in to a running web app as the demo account and records the demo flows."""

    def __init__(
        self,
        base_url: str,
        *,
        sample_video: Path,
        account: DemoAccount | None = None,
        width: int = 1280,
        height: int = 720,
        pause: float = 0.8,
        typing_delay_ms: float = 35,
        timeout_ms: float = 60_000,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.sample_video = sample_video
        self.account = account or DemoAccount()
        self.width, self.height = width, height
        self.pause = pause
        self.typing_delay_ms = typing_delay_ms
        self.timeout_ms = timeout_ms
        self.flows: list[tuple[str, str, Flow]] = [
            ("sign_in", "Sign in", self._sign_in),
            ("connections", "Connect the brand's networks", self._connections),
            ("upload", "Upload a video", self._upload),
            ("publish", "Publish everywhere with AI captions", self._publish),
            ("status", "Follow the post until it is live", self._status),
        ]

    async def record(self) -> tuple[list[Segment], list[DemoFlow]]:
        """Every flow's frames and its description, in order."""
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
            )
            try:
                return await self._record(browser)
            finally:
                await browser.close()

    async def _record(self, browser: Browser) -> tuple[list[Segment], list[DemoFlow]]:
        context = await browser.new_context(viewport={"width": self.width, "height": self.height})
        context.set_default_timeout(self.timeout_ms)
        state = DemoState()
        setup = await context.new_page()
        await self._prepare(setup, state)
        await setup.close()
        segments: list[Segment] = []
        flows: list[DemoFlow] = []
        offset = 0.0
        for name, title, flow in self.flows:
            page = await context.new_page()
            cast = Screencast(page, width=self.width, height=self.height)
            await cast.start()
            state.steps = []
            await flow(page, state)
            await asyncio.sleep(self.pause)
            segment = await cast.stop()
            await page.close()
            segments.append(segment)
            flows.append(
                DemoFlow(
                    name=name,
                    title=title,
                    steps=list(state.steps),
                    start=round(offset, 3),
                    duration=round(segment.duration, 3),
                )
            )
            offset += segment.duration
        await context.close()
        return segments, flows

    # -- set-up (not recorded): the demo account and its brand --------------------------
    async def _prepare(self, page: Page, state: DemoState) -> None:
        await page.goto(self.base + "/login")
        await self._fill_login(page, typed=False)
        if not re.search(r"/brands$", page.url):
            await page.goto(self.base + "/signup")
            await page.get_by_label("Email").fill(self.account.email)
            await page.get_by_label(re.compile(r"^Password \(")).fill(self.account.password)
            await page.get_by_label("Password again").fill(self.account.password)
            await page.get_by_role("button", name="Create account").click()
            await expect(page).to_have_url(re.compile(r"/brands$"))
        brand_link = page.get_by_role("link", name=self.account.brand_name).first
        if await brand_link.count():
            await brand_link.click()
        else:
            await page.get_by_label("Name").fill(self.account.brand_name)
            await page.get_by_role("button", name="Create brand").click()
        await expect(page).to_have_url(re.compile(r"/brands/\d+/"))
        match = re.search(r"/brands/(\d+)/", page.url)
        assert match is not None
        state.brand_id = int(match.group(1))
        await page.context.clear_cookies()  # the recorded sign-in starts signed out

    async def _fill_login(self, page: Page, *, typed: bool) -> None:
        email, password = page.get_by_label("Email"), page.get_by_label("Password", exact=True)
        if typed:
            await email.press_sequentially(self.account.email, delay=self.typing_delay_ms)
            await password.press_sequentially(self.account.password, delay=self.typing_delay_ms)
        else:
            await email.fill(self.account.email)
            await password.fill(self.account.password)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_load_state()

    # -- the recorded flows ---------------------------------------------------------------
    async def _sign_in(self, page: Page, state: DemoState) -> None:
        await page.goto(self.base + "/login")
        state.steps.append("Open OneClick Social in the browser")
        await self._fill_login(page, typed=True)
        await expect(page).to_have_url(re.compile(r"/brands$"))
        state.steps.append("Sign in and see every brand you run")

    async def _connections(self, page: Page, state: DemoState) -> None:
        await page.goto(f"{self.base}/brands/{state.brand_id}/connections")
        await expect(page.locator("#card-web [data-health]")).to_have_text("Connected")
        state.steps.append("The brand's own web feed is connected from the start")
        await asyncio.sleep(self.pause)
        await page.mouse.wheel(0, self.height // 2)
        state.steps.append(
            "Instagram, Facebook, TikTok, Pinterest, Threads, Mastodon, "
            "Bluesky and Telegram connect with one button each"
        )
        await asyncio.sleep(self.pause)
        await page.get_by_role("button", name="Get a Telegram link code").click()
        await page.wait_for_load_state()
        state.steps.append("A one-time code links the brand's Telegram or Slack chat")

    async def _upload(self, page: Page, state: DemoState) -> None:
        await page.goto(f"{self.base}/brands/{state.brand_id}/inbox")
        await page.get_by_label("Photo or video", exact=True).set_input_files(
            str(self.sample_video)
        )
        await page.get_by_label(re.compile(r"^Caption")).press_sequentially(
            self.account.caption, delay=self.typing_delay_ms
        )
        state.steps.append("Choose a video and write one caption")
        await page.get_by_role("button", name="Upload").click()
        await expect(page).to_have_url(re.compile(rf"/brands/{state.brand_id}/assets/\d+$"))
        state.asset_url = page.url
        state.steps.append("The upload shows its progress and lands in the brand's inbox")

    async def _publish(self, page: Page, state: DemoState) -> None:
        await page.goto(state.asset_url)
        await page.get_by_role("button", name="Preview captions").click()
        await expect(page.get_by_role("textbox", name="Web feed caption")).not_to_have_value("")
        state.steps.append("AI adapts the caption for every network, ready to edit")
        await asyncio.sleep(self.pause)
        await page.get_by_role("button", name="Publish").click()
        await expect(page).to_have_url(re.compile(rf"/brands/{state.brand_id}/jobs/\d+$"))
        state.job_url = page.url
        state.steps.append("One click publishes to every selected network")

    async def _status(self, page: Page, state: DemoState) -> None:
        await page.goto(state.job_url)
        await expect(page.locator("#job-status")).to_have_attribute("data-status", "published")
        state.steps.append("Live status per network until every post is out")
        await asyncio.sleep(self.pause)
        post = page.get_by_role("link", name="Open the post")
        href = await post.get_attribute("href") or ""
        await page.goto(href if href.startswith("http") else self.base + href)
        await page.wait_for_function(
            "document.querySelector('video') && document.querySelector('video').readyState >= 1"
        )
        state.steps.append("The post is live, with a link to it")
