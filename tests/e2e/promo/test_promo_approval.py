"""When the product's brand requires approval, the ad waits in the chat inbox for an
approver; approved, it publishes through the same pipeline. A repeated run makes no copy."""

from __future__ import annotations

from pathlib import Path

from core import notify
from core.config import Settings
from core.models import AssetSource, BrandMember, MediaAsset
from core.promo.files import WorkDir
from core.promo.script import AdScript
from core.publishing import decide
from core.tenancy import BrandScope
from oneclick.promo.steps import publish_step, wait_for_job
from tests.e2e.promo.test_promo_chain import Inbox, _wait_for_feed_item
from tests.support.media import make_mp4
from tests.support.server import serving, user_with_key


async def test_the_ad_waits_for_approval_then_publishes(settings: Settings, tmp_path: Path) -> None:
    work = WorkDir(tmp_path / "promo").make()
    make_mp4(work.master(15), seconds=2)
    AdScript(
        seconds=15,
        lines=["OneClick Social."],
        caption="Post once, publish everywhere.",
        writer="rules",
    ).save(work.script(15))
    settings.promo_approval_required = True
    inbox = Inbox()
    notify.register(inbox)
    try:
        async with serving(settings) as served:
            services = served.services
            owner, _ = await user_with_key("owner@oneclick.example")
            asset, job = await publish_step(
                services, work, seconds=15, platforms=["web"], owner_email=owner.email
            )
            assert job is not None and job.status == "awaiting_approval"
            assert [a.id for a in inbox.items] == [asset.id]
            assert [j.id for j in inbox.approvals] == [job.id]
            member = await BrandMember.get(brand_id=asset.brand_id, user_id=owner.id)
            assert member.role == "owner"

            again, same_job = await publish_step(
                services, work, seconds=15, platforms=["web"], owner_email=owner.email
            )
            assert (again.id, same_job.id) == (asset.id, job.id)
            assert await MediaAsset.filter(source=AssetSource.GENERATED).count() == 1

            approved = await decide(BrandScope(owner), job, approve=True, origin="test")
            await services.queue.start_job(approved.id)
            assert (await wait_for_job(approved, patience=60)).status == "published"
            item = await _wait_for_feed_item(served.url, settings.promo_brand_slug)
            assert item["attachments"][0]["mime_type"] == "video/mp4"
    finally:
        notify.unregister(inbox)
