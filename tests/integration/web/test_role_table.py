"""The one role table holds on the web pages and the REST API alike.

An approver may read and decide but neither upload nor publish (nor retry); an editor may
upload and publish but not decide. Each refusal carries the role table's own words, and the
pages show only the buttons the person's role allows.
"""

from __future__ import annotations

import html
from contextlib import AsyncExitStack

import httpx
from fastapi import FastAPI

from core.app.roles import Action, require
from core.brands import create_brand
from core.config import Settings
from core.errors import Forbidden
from core.models import BrandMember, JobStatus, PublishJob, Role, User
from core.users import create_api_key
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import running_app, web_client
from tests.support.media import make_jpeg
from tests.support.waiting import until

PASSWORD = "correct horse 42"


def refusal(role: Role, action: Action) -> str:
    """The role table's message when `role` tries `action`."""
    try:
        require(role, action)
    except Forbidden as exc:
        return exc.user_message
    raise AssertionError(f"{role} may {action}")


async def _member(
    stack: AsyncExitStack, app: FastAPI, address: str, email: str, brand_id: int, role: Role
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """A signed-in browser and an API client of a new member of the brand."""
    web = await stack.enter_async_context(web_client(app, address))
    assert (await signup(web, email, PASSWORD)).status_code == 303
    user = await User.get(email=email)
    await BrandMember.create(brand_id=brand_id, user=user, role=role)
    _, key = await create_api_key(user, origin="test")
    api = await stack.enter_async_context(
        web_client(app, address, headers={"Authorization": f"Bearer {key}"})
    )
    return web, api


async def test_the_role_table_holds_on_the_web_and_the_api(settings: Settings, tmp_path) -> None:
    image = make_jpeg(tmp_path / "rye.jpg").read_bytes()
    async with running_app(settings) as app, AsyncExitStack() as stack:
        owner = await User.create(email="owner@example.com", password_hash="!")
        brand = await create_brand(owner, "Rye", origin="test")
        brand.approval_required = True
        await brand.save(update_fields=["approval_required"])
        approver_web, approver_api = await _member(
            stack, app, "203.0.113.21", "app@example.com", brand.id, Role.APPROVER
        )
        editor_web, editor_api = await _member(
            stack, app, "203.0.113.22", "ed@example.com", brand.id, Role.EDITOR
        )
        # the editor uploads and publishes through the API: the brand wants approval
        made = await editor_api.post(
            f"/api/v1/brands/{brand.id}/assets", files={"file": ("rye.jpg", image)}
        )
        assert made.status_code == 201, made.text
        asset_id = made.json()["id"]
        asked = await editor_api.post(
            f"/api/v1/assets/{asset_id}/publish", json={"platforms": ["web"]}
        )
        assert asked.status_code == 202 and asked.json()["status"] == "awaiting_approval"
        job_id = asked.json()["id"]
        target_id = asked.json()["targets"][0]["id"]

        # API: an approver's upload, publish and retry are refused in the table's words
        no_upload = refusal(Role.APPROVER, Action.UPLOAD)
        up = await approver_api.post(
            f"/api/v1/brands/{brand.id}/assets", files={"file": ("rye.jpg", image)}
        )
        assert up.status_code == 403 and up.json()["detail"] == no_upload
        no_publish = refusal(Role.APPROVER, Action.PUBLISH)
        pub = await approver_api.post(
            f"/api/v1/assets/{asset_id}/publish", json={"platforms": ["web"]}
        )
        assert pub.status_code == 403 and pub.json()["detail"] == no_publish
        again = await approver_api.post(f"/api/v1/targets/{target_id}/retry")
        assert again.status_code == 403
        assert again.json()["detail"] == refusal(Role.APPROVER, Action.RETRY)

        # web: the same refusals on the pages, and no upload or publish buttons shown
        inbox = await approver_web.get(f"/brands/{brand.id}/inbox")
        assert inbox.status_code == 200 and 'id="upload-form"' not in inbox.text
        token = csrf_from(inbox.text)
        up = await approver_web.post(
            f"/brands/{brand.id}/upload",
            data={"csrf_token": token},
            files={"file": ("rye.jpg", image)},
        )
        assert up.status_code == 403 and no_upload in html.unescape(up.text)
        page = await approver_web.get(f"/brands/{brand.id}/assets/{asset_id}")
        assert page.status_code == 200 and 'id="publish-form"' not in page.text
        pub = await approver_web.post(
            f"/brands/{brand.id}/assets/{asset_id}/publish",
            data={"csrf_token": token, "platforms": "web", "nonce": "n1"},
        )
        assert pub.status_code == 403 and no_publish in html.unescape(pub.text)
        assert await PublishJob.filter(brand_id=brand.id).count() == 1

        # web: an editor's decision is refused; the editor sees no Approve button
        job_url = f"/brands/{brand.id}/jobs/{job_id}"
        shown = await editor_web.get(job_url)
        assert shown.status_code == 200 and "Approve and publish" not in shown.text
        no_decide = refusal(Role.EDITOR, Action.APPROVE)
        decided = await editor_web.post(
            f"{job_url}/decide", data={"csrf_token": csrf_from(shown.text), "decision": "approve"}
        )
        assert decided.status_code == 403 and no_decide in html.unescape(decided.text)
        assert (await PublishJob.get(id=job_id)).status == JobStatus.AWAITING_APPROVAL

        # the approver sees the button and approves; the job publishes
        shown = await approver_web.get(job_url)
        assert "Approve and publish" in shown.text
        decided = await approver_web.post(
            f"{job_url}/decide", data={"csrf_token": token, "decision": "approve"}
        )
        assert decided.status_code == 303 and decided.headers["location"] == job_url

        async def published() -> bool:
            return (await PublishJob.get(id=job_id)).status == JobStatus.PUBLISHED

        await until(published, "the approved job to be published")
