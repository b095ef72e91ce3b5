"""`Edit` (one caption field per network) and `Reject` (with a reason): buttons and modals."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.errors import funnel
from bots.slack.interaction import Acting, Origin, Press, acting_on, ensure_open, mark, on_button
from bots.slack.runtime import Runtime, runtime_of
from core.app.assets import NOT_WAITING
from core.app.roles import Action
from core.errors import Conflict, Forbidden, NotFound
from core.models import JobStatus, PublishJob, PublishTarget, SlackCard


def _meta(card: SlackCard, where: Origin) -> dict[str, Any]:
    return {"card": card.id, "team": where.team_id, "channel": where.channel_id}


def _from_view(body: dict[str, Any]) -> tuple[int, Origin]:
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        card_id = int(meta["card"])
    except (ValueError, KeyError, TypeError):
        raise NotFound("This form is no longer valid.") from None
    user = body.get("user") or {}
    where = Origin(
        str(meta.get("team") or ""),
        str(meta.get("channel") or ""),
        str(user.get("id") or ""),
        str(user.get("name") or ""),
    )
    return card_id, where


async def _waiting_job(a: Acting) -> PublishJob | None:
    if a.card.job_id is None:
        return None
    job = await a.scope.job(a.card.job_id)
    if job.status != JobStatus.AWAITING_APPROVAL:
        raise Conflict(NOT_WAITING)
    return job


async def _captions(rt: Runtime, a: Acting) -> dict[str, str]:
    if a.card.job_id is not None:
        return {t.platform: t.caption for t in await PublishTarget.filter(job_id=a.card.job_id)}
    asset = await a.scope.asset(a.card.asset_id)
    adapted = await rt.services.captions.adapt(asset, a.card.platforms, origin="slack")
    return {p: c.text for p, c in adapted.items()}


async def save_captions(rt: Runtime, a: Acting, texts: dict[str, str]) -> None:
    """Save the modal's captions (a waiting job takes them too) and re-show open cards."""
    await rt.services.assets.edit_captions(
        a.actor, asset_id=a.card.asset_id, captions=texts, job_id=a.card.job_id
    )
    for card in await SlackCard.filter(asset_id=a.card.asset_id, decision__in=["", "requested"]):
        await rt.cards.show(card)


def register(app: AsyncApp) -> None:
    """Add the Edit and Reject buttons and their modals."""

    @on_button(app, blocks.EDIT)
    async def edit(press: Press) -> None:
        """Open the caption modal (the trigger id is valid for 3 s: no slow work first)."""
        a = await press.open_card()
        await a.actor.may(a.brand.id, Action.EDIT)
        await _waiting_job(a)
        captions, labels = await _captions(press.rt, a), press.rt.cards.labels()
        view = blocks.edit_modal(a.card, captions, labels, _meta(a.card, press.where))
        await press.client.views_open(trigger_id=press.body["trigger_id"], view=view)

    @app.view(blocks.EDIT_VIEW)
    @funnel
    async def edit_submitted(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Check every caption against its network's rules; errors stay in the modal."""
        rt = runtime_of(context)
        card_id, where = _from_view(body)
        values = blocks.modal_values(body.get("view") or {})
        try:
            a = await acting_on(rt, card_id, where)
            ensure_open(a.card)
            await a.actor.may(a.brand.id, Action.EDIT)
        except (NotFound, Forbidden, Conflict) as exc:
            await ack(response_action="errors", errors={next(iter(values), "x"): exc.user_message})
            return
        errors, texts = {}, {}
        for block_id, text in values.items():
            platform = block_id.removeprefix("cap:")
            if platform not in a.card.platforms:
                continue
            try:
                texts[platform] = rt.services.captions.validate_override(a.brand, platform, text)
            except Exception as exc:  # noqa: BLE001 - shown next to the field
                errors[block_id] = getattr(exc, "user_message", "This caption cannot be used.")
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await save_captions(rt, a, texts)

    @on_button(app, blocks.REJECT)
    async def reject(press: Press) -> None:
        """Ask for the reason (approvers only, for a waiting request)."""
        a = await press.open_card()
        if await _waiting_job(a) is not None:
            await a.actor.may(a.brand.id, Action.APPROVE)
        view = blocks.reject_modal(_meta(a.card, press.where))
        await press.client.views_open(trigger_id=press.body["trigger_id"], view=view)

    @app.view(blocks.REJECT_VIEW)
    @funnel
    async def reject_submitted(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Reject the waiting job (or dismiss the inbox item) with the reason."""
        card_id, where = _from_view(body)
        reason = blocks.modal_values(body.get("view") or {}).get("reason", "").strip()
        if not reason:
            await ack(response_action="errors", errors={"reason": "Say why, in a few words."})
            return
        await ack()
        rt = runtime_of(context)
        a = await acting_on(rt, card_id, where)
        ensure_open(a.card)
        job = await _waiting_job(a)
        if job is not None:
            await rt.services.publishing.decide(a.actor, job_id=job.id, approve=False, note=reason)
            await mark(
                rt, list(await SlackCard.filter(job_id=job.id)), "rejected", where, a.user, reason
            )
            return
        await rt.services.assets.dismiss(
            a.actor, asset_id=a.card.asset_id, note=reason, card_id=a.card.id
        )
        await mark(rt, [a.card], "dismissed", where, a.user, reason)
