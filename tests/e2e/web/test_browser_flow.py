"""The web app in a real browser: sign up → brand → upload a video → captions → publish to
the web feed → ✅ → the public page plays the video; CSRF refusal; another user's 404."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from core.config import Settings
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import live_app

CLIP_SECONDS = 2.0
TIMEOUT_MS = 15_000
# Drops a JPEG (base64) onto the upload area the way a file manager does, and keeps the
# progress text the page shows in sessionStorage so the test can read it after navigation.
DROP_JS = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], "photo.jpg", { type: "image/jpeg" });
  const percent = document.getElementById("upload-percent");
  new MutationObserver(() => sessionStorage.setItem("upload-progress", percent.textContent))
    .observe(percent, { childList: true, characterData: true, subtree: true });
  const zone = document.querySelector("[data-upload]");
  const data = new DataTransfer();
  data.items.add(file);
  zone.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, bubbles: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true }));
}"""


async def shot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot kept as a test artifact."""
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def sign_up(page: Page, base: str, email: str) -> None:
    await page.goto(base + "/signup")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label(re.compile(r"^Password \(")).fill("correct horse 42")
    await page.get_by_label("Password again").fill("correct horse 42")
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(base + "/brands")


async def test_publish_a_video_from_the_browser(
    settings: Settings, tmp_path: Path, browser: Browser, screenshots: Path
) -> None:
    video = make_mp4(tmp_path / "clip.mp4", seconds=CLIP_SECONDS)
    photo = make_jpeg(tmp_path / "photo.jpg", size="480x640")
    settings.telegram_bot_username = "OneClickDemoBot"
    async with live_app(settings) as base:
        context = await browser.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text)  # the CSP holds on every page
                if "Content Security Policy" in msg.text
                else None
            ),
        )

        await page.goto(base + "/")
        await expect(page).to_have_url(re.compile(r"/login"))
        await shot(page, screenshots, "01-login")
        await sign_up(page, base, "ada@example.com")

        # create a brand
        await page.get_by_label("Name").fill("Ada Bakes")
        await page.get_by_role("button", name="Create brand").click()
        await expect(page).to_have_url(re.compile(r"/brands/\d+/inbox$"))
        brand_id = int(re.search(r"/brands/(\d+)/", page.url).group(1))
        await shot(page, screenshots, "02-brands-inbox-empty")

        # settings: live caption preview for a sample text with unsaved hashtags
        await page.goto(f"{base}/brands/{brand_id}/settings")
        await page.get_by_label("Default hashtags").fill("sourdough, bakery")
        await page.get_by_role("button", name="Preview captions").click()
        web_preview = page.locator('[data-preview-platform="instagram"]')
        await expect(web_preview).to_contain_text("#sourdough")
        await shot(page, screenshots, "03-settings-preview")
        await page.get_by_role("button", name="Save settings").click()
        await expect(page.get_by_role("status")).to_contain_text("Settings saved")

        # connections: cards with health, a Telegram link code with its deep link
        await page.goto(f"{base}/brands/{brand_id}/connections")
        await expect(page.locator("#card-web [data-health]")).to_have_text("Connected")
        await expect(page.locator("#card-instagram a", has_text="Connect")).to_have_attribute(
            "href", f"/brands/{brand_id}/connect/instagram"
        )
        await page.get_by_role("button", name="Get a Telegram link code").click()
        code = (await page.locator("#code-telegram").inner_text()).strip()
        await expect(page.locator("#deeplink-telegram")).to_have_attribute(
            "href", f"https://t.me/OneClickDemoBot?start={code}"
        )
        await shot(page, screenshots, "04-connections")

        # upload the video through the XHR upload (progress bar), land on the asset page
        await page.goto(f"{base}/brands/{brand_id}/inbox")
        await page.get_by_label("Photo or video", exact=True).set_input_files(str(video))
        await page.get_by_label(re.compile(r"^Caption")).fill("Fresh loaves out of the oven")
        await page.get_by_role("button", name="Upload").click()
        await expect(page).to_have_url(re.compile(rf"/brands/{brand_id}/assets/\d+$"))
        await expect(page.locator("video.preview")).to_have_count(1)

        # caption previews per network, edit the web one, publish
        await page.get_by_role("button", name="Preview captions").click()
        web_caption = page.get_by_role("textbox", name="Web feed caption")
        await expect(web_caption).to_have_value(re.compile("Fresh loaves"))
        await web_caption.fill("Fresh loaves out of the oven, straight from the browser test")
        await shot(page, screenshots, "05-asset-captions")
        await page.get_by_role("button", name="Publish").click()

        # the job page follows the job live until ✅
        await expect(page).to_have_url(re.compile(rf"/brands/{brand_id}/jobs/\d+$"))
        await expect(page.locator("#job-status")).to_have_attribute(
            "data-status", "published", timeout=60_000
        )
        await expect(page.locator("#job-icon")).to_have_text("✅")
        post_link = page.get_by_role("link", name="Open the post")
        await expect(post_link).to_be_visible()
        post_url = await post_link.get_attribute("href")
        assert post_url and "/b/ada-bakes/p/" in post_url
        await shot(page, screenshots, "06-job-published")
        for name in ("jobs", "audit", "usage"):
            await page.goto(f"{base}/brands/{brand_id}/{name}")
            await shot(page, screenshots, f"07-{name}")
        await expect(page.locator("#usage")).to_contain_text("Requests")
        await page.goto(f"{base}/brands/{brand_id}/audit?action=job.created")
        await expect(page.locator("#audit")).to_contain_text("ada@example.com")
        await page.goto(base + "/profile")
        await page.get_by_role("button", name="Create API key").click()
        await expect(page.locator("#new-key")).to_contain_text("ocs_")
        await shot(page, screenshots, "08-profile")

        # on a phone-sized screen: drag and drop a photo onto the inbox, progress reaches 100%
        phone = await browser.new_context(
            viewport={"width": 390, "height": 844}, storage_state=await context.storage_state()
        )
        phone.set_default_timeout(TIMEOUT_MS)
        mobile = await phone.new_page()
        await mobile.goto(f"{base}/brands/{brand_id}/inbox")
        await shot(mobile, screenshots, "11-phone-inbox")
        await mobile.evaluate(DROP_JS, base64.b64encode(photo.read_bytes()).decode())
        await expect(mobile).to_have_url(re.compile(rf"/brands/{brand_id}/assets/\d+$"))
        progress = await mobile.evaluate("sessionStorage.getItem('upload-progress')")
        assert progress and progress.startswith("100%"), progress
        await expect(mobile.locator("img.preview")).to_be_visible()
        await shot(mobile, screenshots, "12-phone-asset")
        await phone.close()

        # the public feed page: the edited caption and a video that loads and plays
        await page.goto(f"{base}/b/ada-bakes")
        await expect(page.locator("article p")).to_contain_text("straight from the browser")
        # the page's CSP allows no eval, so no wait_for_function: the video's own events
        await page.evaluate("""() => new Promise((done) => { const v = document.querySelector(
            'video'); if (v.readyState >= 1) done(); else v.addEventListener(
            'loadedmetadata', () => done(), { once: true }); })""")
        duration = await page.evaluate("document.querySelector('video').duration")
        assert abs(duration - CLIP_SECONDS) < 0.5, duration
        await page.evaluate("""async () => { const v = document.querySelector('video');
            v.muted = true; await v.play(); }""")
        await page.evaluate("""() => new Promise((done) => { const v = document.querySelector(
            'video'); const check = () => { if (v.currentTime > 0.3) done(); else
            v.addEventListener('timeupdate', check, { once: true }); }; check(); })""")
        await shot(page, screenshots, "09-public-feed")

        # CSRF: a POST without the session's token is refused
        refused = await page.request.post(f"{base}/brands", form={"name": "Sneaky"})
        assert refused.status == 403
        assert "did not come from this site" in await refused.text()

        # a second user sees 404 pages for every page of Ada's brand
        other = await browser.new_context()
        other.set_default_timeout(TIMEOUT_MS)
        eve = await other.new_page()
        await sign_up(eve, base, "eve@example.com")
        for path in ("inbox", "settings", "connections", "jobs", "audit", "usage"):
            answer = await eve.goto(f"{base}/brands/{brand_id}/{path}")
            assert answer is not None and answer.status == 404, path
            await expect(eve.get_by_role("heading", name="Not found")).to_be_visible()
        await shot(eve, screenshots, "10-other-user-404")
        await other.close()
        await context.close()
        assert not errors, errors
