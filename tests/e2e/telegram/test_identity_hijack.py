"""A web account at a bot's address never receives the roles the bot grants in chat."""

from __future__ import annotations

from pathlib import Path

from core.models import BrandMember, ChatIdentity, ChatProvider, MediaAsset, User
from core.security import hash_password
from tests.e2e.telegram.conftest import Harness, link, owner_brand, person
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import web_client
from tests.support.media import make_jpeg
from webapp.app import create_app

PASSWORD = "correct horse 42"


async def test_pre_registered_bot_address_gets_nothing(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, brand, code = await owner_brand(h, channel=False)
    group = {"id": -4301, "type": "group", "title": "Acme team"}
    olga, ed = person(8301, "Olga"), person(8302, "Ed")
    address = "telegram-8302@users.telegram.invalid"
    app = create_app(h.settings)  # the harness has the database open and services wired
    app.state.services = h.services  # what the lifespan would set: the harness's services

    async with web_client(app, "203.0.113.66") as eve:
        for variant in (address, address.upper(), f" {address} ", address + "."):
            refused = await signup(eve, variant, PASSWORD)
            assert refused.status_code == 400 and "reserved" in refused.text, variant
    assert await User.filter(password_hash__not="!").count() == 1  # the owner only
    # an account someone registered at that address before sign-up refused it
    squatter = await User.create(email=address, password_hash=hash_password(PASSWORD))

    await link(h, group, olga, code)
    h.fake.user_message(
        group, ed, photo=h.fake.photo_sizes(make_jpeg(tmp_path / "a.jpg").read_bytes())
    )

    async def upload() -> MediaAsset | None:
        return await MediaAsset.get_or_none(brand_id=brand.id)

    asset = await h.until(upload, "Ed's upload")

    identity = await ChatIdentity.get(provider=ChatProvider.TELEGRAM, external_id="8302")
    assert identity.user_id != squatter.id and asset.created_by_id == identity.user_id
    assert await BrandMember.exists(brand_id=brand.id, user_id=identity.user_id)
    assert not await BrandMember.exists(user_id=squatter.id)

    async with web_client(app, "203.0.113.66") as eve:
        page = await eve.get("/login")
        signed_in = await eve.post(
            "/login",
            data={"csrf_token": csrf_from(page.text), "email": address, "password": PASSWORD},
        )
        assert signed_in.status_code == 303
        assert brand.name not in (await eve.get("/brands")).text
        assert (await eve.get(f"/brands/{brand.id}/inbox")).status_code == 404
