"""A brand's settings page and its live caption preview."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from core.ai.enforce import measure
from core.app import brands
from core.app.roles import Action
from core.errors import InvalidInput
from core.media.profiles import FITS, PROFILES, VideoProfile
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_view, flash, redirect, render
from webapp.session import require_csrf, require_csrf_header

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
FIT_LABELS = {
    "pad_blur": "Fit inside, blurred background",
    "crop": "Crop to fill",
    "letterbox": "Fit inside, black bars",
}
MAX_SAMPLE = 2000


@cache
def timezones() -> list[str]:
    """Every known IANA time zone name, sorted."""
    return sorted(available_timezones())


def fit_profiles() -> list[VideoProfile]:
    """Video profiles with a fixed frame: the ones where a fit choice matters."""
    return [p for p in PROFILES.values() if isinstance(p, VideoProfile) and p.fixed_frame]


def split_list(text: str, *, lines: bool) -> list[str]:
    """Form text → list: one per line (phrases) or split on commas/spaces (hashtags)."""
    parts = text.splitlines() if lines else re.split(r"[\s,]+", text)
    return [p.strip() for p in parts if p.strip()]


def _page(
    request: Request,
    brand: Any,
    actions: frozenset[Action],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    media = (brand.settings or {}).get("media") or {}
    return render(
        request,
        "pages/settings.html",
        status_code=status_code,
        brand=brand,
        actions=actions,
        error=error,
        timezones=timezones(),
        profiles=fit_profiles(),
        fits=FITS,
        fit_labels=FIT_LABELS,
        chosen_fits=media.get("fit") or {},
        duration_policy=media.get("duration_policy", "trim"),
    )


@router.get("/brands/{brand_id}/settings")
async def settings_page(request: Request, brand_id: int, actor: WebActor) -> Response:
    """The brand's settings form and preview."""
    brand, actions = await brand_view(actor, brand_id)
    return _page(request, brand, actions)


@router.post("/brands/{brand_id}/settings", dependencies=[Csrf])
async def settings_save(request: Request, brand_id: int, actor: WebActor) -> Response:
    """Save the settings (admins and owners)."""
    brand = await actor.may(brand_id, Action.MANAGE_SETTINGS)
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    fits = {p.name: text(f"fit_{p.name}") for p in fit_profiles() if text(f"fit_{p.name}") in FITS}
    policy = text("duration_policy") if text("duration_policy") in ("trim", "refuse") else "trim"
    media = {**((brand.settings or {}).get("media") or {}), "fit": fits, "duration_policy": policy}
    changes = {
        "name": text("name").strip(),
        "ai_system_prompt": text("ai_system_prompt"),
        "default_hashtags": split_list(text("default_hashtags"), lines=False),
        "forbidden_phrases": split_list(text("forbidden_phrases"), lines=True),
        "timezone": text("timezone").strip() or "UTC",
        "approval_required": form.get("approval_required") == "on",
        "settings": {"media": media},
    }
    try:
        await brands.update(actor, brand_id=brand.id, changes=changes)
    except InvalidInput as exc:
        for key, value in changes.items():  # show what was typed, with the error
            if key != "settings":
                setattr(brand, key, value)
        return _page(
            request, brand, await actor.actions(brand.id), error=exc.user_message, status_code=400
        )
    flash(request, "Settings saved.")
    return redirect(f"/brands/{brand.id}/settings")


class PreviewIn(BaseModel):
    """A sample text and the (possibly unsaved) AI settings to preview it with."""

    text: str = Field(min_length=1, max_length=MAX_SAMPLE)
    ai_system_prompt: str = Field(default="", max_length=20_000)
    default_hashtags: str = Field(default="", max_length=5_000)
    forbidden_phrases: str = Field(default="", max_length=20_000)
    platforms: list[str] | None = Field(default=None, max_length=20)


@router.post(
    "/brands/{brand_id}/settings/preview.json", dependencies=[Depends(require_csrf_header)]
)
async def settings_preview(
    brand_id: int, body: PreviewIn, actor: WebActor, services: ServicesDep
) -> dict[str, Any]:
    """The sample text adapted for each platform with the settings as typed (not saved)."""
    made = await services.assets.preview(
        actor,
        brand_id=brand_id,
        text=body.text,
        platforms=body.platforms,
        ai_system_prompt=body.ai_system_prompt,
        default_hashtags=split_list(body.default_hashtags, lines=False),
        forbidden_phrases=split_list(body.forbidden_phrases, lines=True),
    )
    rules = services.captions.rules
    return {
        "platforms": [
            {
                "platform": p,
                "label": rules[p].label,
                "text": made[p].text,
                "length": measure(made[p].text, rules[p]),
                "max": rules[p].caption_max,
                "adapter": made[p].adapter,
                "is_fallback": made[p].is_fallback,
                "note": made[p].note or "",
            }
            for p in (body.platforms or list(rules))
            if p in made
        ]
    }
