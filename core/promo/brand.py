"""The product's own brand: created on the first promo run, acted on by a promo bot user."""

from __future__ import annotations

from core import audit
from core.brands import create_brand, update_brand
from core.config import Settings
from core.errors import Conflict
from core.identities import chat_user
from core.models import Brand, BrandMember, ChatProvider, Role, User
from core.users import user_by_email

BRAND_NAME = "OneClick Social"
ORIGIN = "promo"
SYSTEM_PROMPT = """\
OneClick Social is a self-hostable service that publishes one photo or video to every \
network a brand uses (Instagram, Facebook, TikTok, Pinterest, Threads, Mastodon, Bluesky, \
Telegram channels and the brand's own web feed) with one click, from the web app, Telegram \
or Slack. It rewrites the caption for each network with AI, lets managers approve posts in \
Slack or Telegram, shows live status, and never posts twice.
Voice: friendly, confident, plain words, short sentences, no hype and no exclamation marks \
in a row. Speak to agency operators and small teams who post for several brands. Name the \
product "OneClick Social" exactly. Never promise numbers, prices or results."""
HASHTAGS = ["OneClickSocial", "SocialMedia", "ContentMarketing"]


async def promo_bot(settings: Settings) -> User:
    """The user the promo pipeline acts as: its own chat identity, no usable password.

    Found through its identity row, never by email: an account registered with the bot's
    address (sign-up refuses it now) is not the bot.
    """
    return await chat_user(
        ChatProvider.PROMO, "bot", display_name="OneClick promo bot", email=settings.promo_bot_email
    )


async def ensure_promo_brand(
    settings: Settings, *, owner_email: str | None = None
) -> tuple[Brand, User]:
    """The product's brand and the promo bot; both made on first use.

    The brand is owned by `owner_email` when given (the bot then joins as an editor, so
    the brand's approval setting applies to its ads); otherwise the bot owns it.
    """
    bot = await promo_bot(settings)
    brand = await Brand.get_or_none(slug=settings.promo_brand_slug)
    if brand is not None and not await _is_promo_brand(brand, bot, owner_email):
        raise Conflict(
            f"The brand '{brand.slug}' was not made by `oneclick promo` and is not "
            "the product's own. Set PROMO_BRAND_SLUG to a free slug, or remove "
            "that brand."
        )
    if brand is None:
        owner = await user_by_email(owner_email) if owner_email else bot
        brand = await create_brand(
            owner, BRAND_NAME, slug=settings.promo_brand_slug, origin=ORIGIN, reserved=()
        )
        brand = await update_brand(
            brand,
            {
                "ai_system_prompt": SYSTEM_PROMPT,
                "default_hashtags": HASHTAGS,
                "approval_required": settings.promo_approval_required,
            },
            actor=owner,
            origin=ORIGIN,
        )
    if not await BrandMember.exists(brand_id=brand.id, user_id=bot.id):
        await BrandMember.create(brand=brand, user=bot, role=Role.EDITOR)
        await audit.record(
            "member.added",
            actor=None,
            brand=brand,
            obj=bot,
            origin=ORIGIN,
            details={"role": Role.EDITOR.value, "email": bot.email},
        )
    return brand, bot


async def _is_promo_brand(brand: Brand, bot: User, owner_email: str | None) -> bool:
    """Whether an existing brand at the promo slug is the product's own (made by promo)."""
    if brand.owner_id == bot.id or await BrandMember.exists(brand_id=brand.id, user_id=bot.id):
        return True
    if owner_email is None:
        return False
    owner = await user_by_email(owner_email)
    return brand.owner_id == owner.id
