"""A brand's connections: one card per network, and chat link codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.app import chat_links
from core.app.roles import Action
from core.errors import InvalidInput
from core.ingest_sync import SYNC_PLATFORMS, handle
from core.models import Brand, ChatKind, ChatLink, SocialAccount
from webapp.actors import WebActor
from webapp.api.schemas import AccountOut
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_view, flash, redirect, render
from webapp.session import require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
HEALTH_TEXT = {
    "ok": ("Connected", "ok"),
    "expiring": ("Expiring soon", "warn"),
    "needs_reconnect": ("Needs reconnect", "bad"),
    "disconnected": ("Disconnected", "bad"),
}


@dataclass
class Card:
    """One network on the connections page."""

    platform: str
    label: str
    auth_kind: str
    accounts: list[tuple[AccountOut, str, str]]

    @property
    def connected(self) -> bool:
        """Whether any account of this network is usable or only needs a reconnect."""
        return any(a.health != "disconnected" for a, _, _ in self.accounts)


async def _cards(brand: Brand, services: ServicesDep) -> list[Card]:
    accounts = await SocialAccount.filter(brand_id=brand.id).order_by("platform", "id")
    cards = []
    for platform in services.connectors.platforms():
        connector = services.connectors.get(platform)
        rows = []
        for account in accounts:
            if account.platform == platform:
                out = AccountOut.of(account)
                text, tone = HEALTH_TEXT.get(out.health, (out.health, "warn"))
                if out.health == "expiring":
                    text = out.health_detail or text
                rows.append((out, text, tone))
        cards.append(Card(platform, connector.label, connector.auth_kind, rows))
    return cards


async def _page(
    request: Request,
    brand: Brand,
    actions: frozenset[Action],
    services: ServicesDep,
    *,
    codes: dict[str, str] | None = None,
) -> Response:
    links = await ChatLink.filter(brand_id=brand.id, is_active=True).order_by("kind", "id")
    bot = (getattr(services.settings, "telegram_bot_username", None) or "").lstrip("@")
    return render(
        request,
        "pages/connections.html",
        brand=brand,
        cards=await _cards(brand, services),
        actions=actions,
        links=links,
        codes=codes or {},
        bot_username=bot,
        sync_platforms=SYNC_PLATFORMS,
    )


@router.get("/brands/{brand_id}/connections")
async def connections_page(
    request: Request, brand_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """Every network with its accounts' health, and the chat links."""
    brand, actions = await brand_view(actor, brand_id)
    return await _page(request, brand, actions, services)


@router.post("/brands/{brand_id}/accounts/{account_id}/disconnect", dependencies=[Csrf])
async def disconnect(
    request: Request, brand_id: int, account_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """Revoke the account's tokens where possible and stop publishing to it."""
    done = await services.accounts.disconnect(actor, brand_id=brand_id, account_id=account_id)
    note = f" ({done.note})" if done.note else ""
    flash(request, f"{done.account.display_name or done.account.platform} disconnected.{note}")
    return redirect(f"/brands/{brand_id}/connections")


@router.post("/brands/{brand_id}/accounts/{account_id}/sync", dependencies=[Csrf])
async def sync_account(
    request: Request, brand_id: int, account_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """ "Sync now": bring the account's new posts into the inbox without waiting."""
    accounts = await services.accounts.sync_now(actor, brand_id=brand_id, account_id=account_id)
    flash(request, f"Syncing {handle(accounts[0])}: new posts arrive in the inbox in a moment.")
    return redirect(f"/brands/{brand_id}/connections")


@router.post("/brands/{brand_id}/connections/web/enable", dependencies=[Csrf])
async def enable_web(
    request: Request, brand_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """Turn the brand's built-in web feed back on."""
    await services.accounts.connect(actor, brand_id=brand_id, platform="web", params={})
    flash(request, "The web feed is on again.")
    return redirect(f"/brands/{brand_id}/connections")


@router.post("/brands/{brand_id}/link-codes", dependencies=[Csrf])
async def new_link_code(
    request: Request,
    brand_id: int,
    actor: WebActor,
    services: ServicesDep,
    kind: Annotated[str, Form()],
) -> Response:
    """A one-time code to link a Telegram chat or Slack channel, shown once."""
    brand, actions = await brand_view(actor, brand_id)
    try:
        chat = ChatKind(kind)
    except ValueError:
        raise InvalidInput("Choose Telegram or Slack.") from None
    code = await chat_links.issue_code(actor, brand_id=brand.id)
    return await _page(request, brand, actions, services, codes={chat.value: code})


@router.post("/brands/{brand_id}/chat-links/{link_id}/unlink", dependencies=[Csrf])
async def unlink_chat(request: Request, brand_id: int, link_id: int, actor: WebActor) -> Response:
    """Stop a linked chat from controlling the brand."""
    await chat_links.unlink(actor, brand_id=brand_id, link_id=link_id)
    flash(request, "Chat unlinked.")
    return redirect(f"/brands/{brand_id}/connections")
