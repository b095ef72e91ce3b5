"""The one error funnel: core errors (and Slack hiccups) become short ephemeral messages."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.errors import OneClickError

log = logging.getLogger(__name__)
FALLBACK = "Something went wrong on our side. Please try again in a moment."


def user_text(exc: BaseException) -> str:
    """What to tell the person who acted."""
    if isinstance(exc, OneClickError):
        return exc.user_message
    if isinstance(exc, SlackApiError) and exc.response.get("error") == "ratelimited":
        return "Slack asks us to slow down; try again in a minute."
    return FALLBACK


def where(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(channel id, user id) of whoever caused this request, from any payload shape."""
    if body.get("type") == "view_submission":
        try:
            meta = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        return meta.get("channel"), (body.get("user") or {}).get("id")
    event = body.get("event") or {}
    if event:
        return (
            event.get("channel") or event.get("channel_id"),
            event.get("user") or event.get("user_id"),
        )
    channel = (
        (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
    )
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else None
    return channel or body.get("channel_id"), user or body.get("user_id")


async def tell(client: AsyncWebClient, channel: str | None, user: str | None, text: str) -> None:
    """An ephemeral note to one person in a channel (nothing if either is unknown)."""
    if not channel or not user:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell a Slack user about an error: %s", exc.response.get("error"))


async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
    """Bolt's error handler: log what is unexpected, tell the person in plain words."""
    if not isinstance(error, OneClickError):
        log.error("Slack request of type %s failed", body.get("type"), exc_info=error)
    channel, user = where(body)
    await tell(client, channel, user, user_text(error))


async def reply_text(work: Any) -> str:
    """Run a quick command body; its result, or the error said plainly (for `ack(text)`)."""
    try:
        return str(await work)
    except OneClickError as exc:
        return exc.user_message
    except Exception:  # logged, and the person still gets an answer
        log.exception("Slack command failed")
        return FALLBACK


def funnel(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Send a listener's errors (raised after its `ack()`) through `on_error` ourselves.

    slack-bolt wipes the ack of a listener that raises before its runner has seen the ack,
    then waits 3 s and answers 404: so errors must not reach bolt.
    """

    @functools.wraps(listener)
    async def wrapper(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as exc:  # noqa: BLE001 - the funnel logs and tells the person
            await on_error(exc, kwargs.get("body") or {}, kwargs["client"])

    return wrapper
