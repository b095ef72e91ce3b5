"""Connecting a network account from the web app.

`GET /brands/{id}/connect/{platform}` sends the person to the network's sign-in page with a
signed, single-use state; `GET /oauth/{platform}/callback` checks it, lets the connector
finish (or offer a picker: Facebook Pages, Pinterest boards) and returns to Connections.
Networks that need input first (an app password, a Mastodon server) get a small form whose
POST carries the CSRF token: the server never contacts an address chosen in a GET.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from connectors._oauth import new_code_verifier, redirect_uri
from core.app.accounts import Connected
from core.app.roles import Action
from core.errors import InvalidInput
from core.models import Brand
from core.ports.connector import Connector
from oneclick.services import Services
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.oauth import state
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import require_csrf, session_data

log = logging.getLogger(__name__)
router = APIRouter(route_class=WebRoute, tags=["connect"], include_in_schema=False)
Csrf = Depends(require_csrf)
_PICK = "oauth_pick"


def _connector(services: Services, platform: str) -> Connector:
    connector = services.connectors.get(platform)
    if connector.auth_kind in ("builtin", "bot_token"):
        raise InvalidInput(f"{connector.label} is not connected through a sign-in page.")
    return connector


def _connections(brand_id: int) -> str:
    return f"/brands/{brand_id}/connections"


def _form(request: Request, brand: Brand, connector: Connector) -> Response:
    return render(
        request,
        "pages/oauth_credentials.html",
        brand=brand,
        platform=connector.platform,
        label=connector.label,
        fields=connector.credential_fields,
    )


def _connected(request: Request, done: Connected, label: str) -> None:
    account = done.account
    note = " Its recent posts are on their way to the inbox." if done.syncing else ""
    flash(request, f"{label} connected: {account.display_name or account.external_id}.{note}")


@router.get("/brands/{brand_id}/connect/{platform}")
async def connect_start(
    request: Request, brand_id: int, platform: str, actor: WebActor, services: ServicesDep
) -> Response:
    """Send the person to the network's sign-in page, or show the form a network needs
    first (app password, a Mastodon server): nothing is contacted on a GET."""
    brand = await actor.may(brand_id, Action.CONNECT)
    connector = _connector(services, platform)
    if connector.credential_fields:
        return _form(request, brand, connector)
    return await _begin(request, brand, connector, services, {})


async def _begin(
    request: Request, brand: Brand, connector: Connector, services: Services, params: dict[str, str]
) -> Response:
    """A signed, single-use state and the network's sign-in page (`params`: the form's)."""
    platform = connector.platform
    verifier = new_code_verifier()
    signed = state.begin(
        request,
        services.settings,
        brand_id=brand.id,
        platform=platform,
        verifier=verifier,
        start=params,
    )
    url = await connector.authorization_url(
        brand,
        state=signed,
        redirect_uri=redirect_uri(services.settings, platform),
        code_verifier=verifier,
        params=params,
    )
    return RedirectResponse(url, status_code=303)


@router.post("/brands/{brand_id}/connect/{platform}", dependencies=[Csrf])
async def connect_credentials(
    request: Request, brand_id: int, platform: str, actor: WebActor, services: ServicesDep
) -> Response:
    """The connect form (CSRF-checked): an app-password network connects at once; a network
    that needs a server first (Mastodon) goes on to that server's sign-in page."""
    brand = await actor.may(brand_id, Action.CONNECT)
    connector = _connector(services, platform)
    if not connector.credential_fields:
        raise InvalidInput(f"{connector.label} is connected through its sign-in page.")
    form = await request.form()
    values = {
        name: str(form.get(name, "")).strip()[:500] for name, _ in connector.credential_fields
    }
    if connector.auth_kind != "app_password":
        return await _begin(request, brand, connector, services, values)
    done = await services.accounts.connect(
        actor, brand_id=brand.id, platform=platform, params=values
    )
    _connected(request, done, connector.label)
    return redirect(_connections(brand.id))


@router.get("/oauth/{platform}/callback")
async def callback(
    request: Request, platform: str, actor: WebActor, services: ServicesDep
) -> Response:
    """Check the state, then connect (or offer the picker)."""
    connector = _connector(services, platform)
    query = dict(request.query_params)
    checked = state.finish(request, services.settings, state=query.get("state"), platform=platform)
    brand = await actor.may(checked["brand_id"], Action.CONNECT)
    if query.get("error") or not query.get("code"):
        # the network's own words stay in the log: a user-chosen server writes what it likes
        log.info(
            "%s sign-in not granted: %.40r %.200r",
            platform,
            query.get("error"),
            query.get("error_description") or query.get("error_reason"),
        )
        raise state.StateRefused(
            f"{connector.label} did not give access (the sign-in was "
            "cancelled or refused). Nothing was connected."
        )
    params: dict[str, Any] = {
        **query,
        "redirect_uri": redirect_uri(services.settings, platform),
        "code_verifier": checked["verifier"],
        "start": checked["start"],
    }
    choice = await connector.connect_options(brand, params)
    if choice is None:
        done = await services.accounts.connect(
            actor, brand_id=brand.id, platform=platform, params=params
        )
        _connected(request, done, connector.label)
        return redirect(_connections(brand.id))
    if not choice.options:
        raise InvalidInput(
            f"{connector.label}: {choice.title} — there is nothing to choose from on this account."
        )
    session_data(request)[_PICK] = {
        "id": secrets.token_urlsafe(8),
        "b": brand.id,
        "p": platform,
        "title": choice.title,
        "multiple": choice.multiple,
        "options": [[o.id, o.label, o.detail] for o in choice.options][:50],
        "carry": services.cipher.encrypt(json.dumps(choice.carry)),
    }
    return redirect(f"/brands/{brand.id}/connect/{platform}/pick")


def _pending_pick(request: Request, brand_id: int, platform: str) -> dict[str, Any]:
    pick = session_data(request).get(_PICK)
    if not isinstance(pick, dict) or pick.get("b") != brand_id or pick.get("p") != platform:
        raise state.StateRefused("There is no choice waiting here any more. " + state.RESTART)
    return pick


@router.get("/brands/{brand_id}/connect/{platform}/pick")
async def pick_page(
    request: Request, brand_id: int, platform: str, actor: WebActor, services: ServicesDep
) -> Response:
    """The picker: which Pages (or board) to connect."""
    brand = await actor.may(brand_id, Action.CONNECT)
    connector = _connector(services, platform)
    pick = _pending_pick(request, brand.id, platform)
    options = [{"id": i, "label": label, "detail": detail} for i, label, detail in pick["options"]]
    return render(
        request,
        "pages/oauth_pick.html",
        brand=brand,
        platform=platform,
        label=connector.label,
        title=pick["title"],
        options=options,
        multiple=pick["multiple"],
    )


@router.post("/brands/{brand_id}/connect/{platform}/pick", dependencies=[Csrf])
async def pick_submit(
    request: Request, brand_id: int, platform: str, actor: WebActor, services: ServicesDep
) -> Response:
    """Connect what was picked; the pending choice is used once."""
    brand = await actor.may(brand_id, Action.CONNECT)
    connector = _connector(services, platform)
    pick = _pending_pick(request, brand.id, platform)
    allowed = {o[0] for o in pick["options"]}
    chosen = [str(c) for c in (await request.form()).getlist("choice") if str(c) in allowed]
    if not chosen:
        raise InvalidInput("Choose at least one to connect.")
    if not pick["multiple"]:
        chosen = chosen[:1]
    session_data(request).pop(_PICK, None)
    carry = json.loads(services.cipher.decrypt(pick["carry"]) or "{}")
    for option in chosen:
        params = {
            **carry,
            "choice": [option],
            "redirect_uri": redirect_uri(services.settings, platform),
        }
        done = await services.accounts.connect(
            actor, brand_id=brand.id, platform=platform, params=params
        )
        _connected(request, done, connector.label)
    return redirect(_connections(brand.id))
