"""A brand's connections: one card per network, and chat link codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core import audit
from core.brands import issue_link_code
from core.errors import ConnectorError, InvalidInput, NotFound
from core.ingest_sync import SYNC_PLATFORMS, handle
from core.models import AccountStatus, Brand, ChatKind, ChatLink, Role, SocialAccount
from tasks.ingest import sync_now
from webapp.api.schemas import AccountOut
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_and_role, flash, redirect, render
from webapp.session import WebUser, require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
HEALTH_TEXT = {"ok": ("Connected", "ok"), "expiring": ("Expiring soon", "warn"),
               "needs_reconnect": ("Needs reconnect", "bad"),
               "disconnected": ("Disconnected", "bad")}


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


async def _page(request: Request, brand: Brand, role: Role, services: ServicesDep, *,
                codes: dict[str, str] | None = None) -> Response:
    links = await ChatLink.filter(brand_id=brand.id, is_active=True).order_by("kind", "id")
    bot = (getattr(services.settings, "telegram_bot_username", None) or "").lstrip("@")
    return render(request, "pages/connections.html", brand=brand, cards=await _cards(
        brand, services), can_edit=role in (Role.OWNER, Role.ADMIN), links=links,
        codes=codes or {}, bot_username=bot, sync_platforms=SYNC_PLATFORMS,
        can_sync=role in (Role.OWNER, Role.ADMIN, Role.EDITOR))


@router.get("/brands/{brand_id}/connections")
async def connections_page(request: Request, brand_id: int, user: WebUser,
                           services: ServicesDep) -> Response:
    """Every network with its accounts' health, and the chat links."""
    _, brand, role = await brand_and_role(user, brand_id)
    return await _page(request, brand, role, services)


@router.post("/brands/{brand_id}/accounts/{account_id}/disconnect", dependencies=[Csrf])
async def disconnect(request: Request, brand_id: int, account_id: int, user: WebUser,
                     services: ServicesDep) -> Response:
    """Revoke the account's tokens where possible and stop publishing to it."""
    scope, brand, _ = await brand_and_role(user, brand_id, Role.ADMIN)
    account = await scope.account(account_id)
    if account.brand_id != brand.id:
        raise NotFound("Account not found.")
    note = ""
    try:
        await services.connectors.get(account.platform).disconnect(account)
    except ConnectorError as exc:  # the account is disconnected here even if revoking failed
        note = f" ({exc.user_message})"
    await SocialAccount.filter(id=account.id).update(
        status=AccountStatus.DISCONNECTED, access_token_enc=None, refresh_token_enc=None)
    await audit.record("account.disconnected", actor=user, brand=brand, obj=account,
                       origin="web", details={"platform": account.platform})
    flash(request, f"{account.display_name or account.platform} disconnected.{note}")
    return redirect(f"/brands/{brand.id}/connections")


@router.post("/brands/{brand_id}/accounts/{account_id}/sync", dependencies=[Csrf])
async def sync_account(request: Request, brand_id: int, account_id: int,
                       user: WebUser) -> Response:
    """"Sync now": bring the account's new posts into the inbox without waiting."""
    scope, brand, _ = await brand_and_role(user, brand_id, Role.EDITOR)
    accounts = await sync_now(scope, brand_id=brand.id, origin="web", account_id=account_id)
    flash(request, f"Syncing {handle(accounts[0])}: new posts arrive in the inbox in a "
                   "moment.")
    return redirect(f"/brands/{brand.id}/connections")


@router.post("/brands/{brand_id}/connections/web/enable", dependencies=[Csrf])
async def enable_web(request: Request, brand_id: int, user: WebUser,
                     services: ServicesDep) -> Response:
    """Turn the brand's built-in web feed back on."""
    _, brand, _ = await brand_and_role(user, brand_id, Role.ADMIN)
    account = await services.connectors.get("web").connect(brand, {})
    await audit.record("account.connected", actor=user, brand=brand, obj=account, origin="web",
                       details={"platform": "web"})
    flash(request, "The web feed is on again.")
    return redirect(f"/brands/{brand.id}/connections")


@router.post("/brands/{brand_id}/link-codes", dependencies=[Csrf])
async def new_link_code(request: Request, brand_id: int, user: WebUser,
                        services: ServicesDep, kind: Annotated[str, Form()]) -> Response:
    """A one-time code to link a Telegram chat or Slack channel, shown once."""
    _, brand, role = await brand_and_role(user, brand_id, Role.EDITOR)
    try:
        chat = ChatKind(kind)
    except ValueError:
        raise InvalidInput("Choose Telegram or Slack.") from None
    code = await issue_link_code(brand, actor=user, origin="web")
    return await _page(request, brand, role, services, codes={chat.value: code})


@router.post("/brands/{brand_id}/chat-links/{link_id}/unlink", dependencies=[Csrf])
async def unlink_chat(request: Request, brand_id: int, link_id: int, user: WebUser) -> Response:
    """Stop a linked chat from controlling the brand."""
    _, brand, _ = await brand_and_role(user, brand_id, Role.ADMIN)
    updated = await ChatLink.filter(id=link_id, brand_id=brand.id).update(is_active=False)
    if not updated:
        raise InvalidInput("That chat is not linked to this brand.")
    await audit.record("chat.unlinked", actor=user, brand=brand, origin="web",
                       details={"chat_link_id": link_id})
    flash(request, "Chat unlinked.")
    return redirect(f"/brands/{brand.id}/connections")
