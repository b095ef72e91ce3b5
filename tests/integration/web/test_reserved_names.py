"""The promo bot's address and the promo brand's slug belong to the product, not to a sign-up."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.errors import Conflict
from core.models import Brand, BrandMember, ChatIdentity, ChatProvider, User
from core.promo.brand import ensure_promo_brand
from core.security import hash_password
from core.users import create_api_key
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import running_app, web_client

PASSWORD = "correct horse 42"


async def test_sign_up_and_brand_creation_refuse_the_reserved_names(settings: Settings) -> None:
    async with running_app(settings) as app, web_client(app, "203.0.113.66") as eve:
        for address in (
            "promo-bot@oneclick.social",
            "Promo-Bot@OneClick.Social",
            "slack-t1-u1@users.slack.invalid",
            "anyone@example.invalid",
        ):
            refused = await signup(eve, address, PASSWORD)
            assert refused.status_code == 400 and "reserved" in refused.text, address
        assert (await signup(eve, "eve@example.com", PASSWORD)).status_code == 303

        token = csrf_from((await eve.get("/brands")).text)
        for form in ({"name": "OneClick Social"}, {"name": "Ours", "slug": "OneClick-Social"}):
            answer = await eve.post("/brands", data={"csrf_token": token, **form})
            assert answer.status_code == 400 and "reserved" in answer.text, form
        user = await User.get(email="eve@example.com")
        _, key = await create_api_key(user, origin="test")
        api = await eve.post(
            "/api/v1/brands",
            json={"name": "Ours", "slug": "oneclick-social"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert api.status_code == 409 and "reserved" in api.json()["detail"]
        assert not await Brand.exists(slug="oneclick-social")


async def test_promo_never_adopts_a_look_alike_account_or_brand(db: Settings) -> None:
    settings = db
    # made before these names were reserved: an account at the bot's address, its brand
    squatter = await User.create(
        email=settings.promo_bot_email, password_hash=hash_password(PASSWORD)
    )
    await Brand.create(name="OneClick Social", slug=settings.promo_brand_slug, owner=squatter)
    with pytest.raises(Conflict, match="not made by `oneclick promo`"):
        await ensure_promo_brand(settings)
    settings.promo_brand_slug = "oneclick-social-own"
    brand, bot = await ensure_promo_brand(settings)
    assert bot.id != squatter.id and bot.password_hash == "!"
    assert await ChatIdentity.exists(provider=ChatProvider.PROMO, user_id=bot.id)
    assert brand.owner_id == bot.id
    assert not await BrandMember.exists(brand_id=brand.id, user_id=squatter.id)
    again, same_bot = await ensure_promo_brand(settings)  # the next run finds both again
    assert (again.id, same_bot.id) == (brand.id, bot.id)
