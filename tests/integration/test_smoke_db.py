from core.models import Brand, User


async def test_brand_round_trip(any_db_settings):
    user = await User.create(email="a@example.com", password_hash="x")
    brand = await Brand.create(name="Acme", slug="acme", owner=user, default_hashtags=["#a"])
    again = await Brand.get(id=brand.id)
    assert again.default_hashtags == ["#a"]
