"""Slack's side of the conversation: signed requests to `/slack/events`, as Slack sends them."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlack, Team

_ids = itertools.count(1)


class Sender:
    """Posts signed events, commands, block actions and view submissions to the app."""

    def __init__(self, web: httpx.AsyncClient, secret: str, fake: FakeSlack) -> None:
        self.web, self.secret, self.fake = web, secret, fake

    async def post(
        self, body: str, content_type: str, *, ts: int | None = None, secret: str | None = None
    ) -> httpx.Response:
        """POST a body signed like Slack (v0 HMAC-SHA256 of "v0:{ts}:{body}")."""
        stamp = str(ts if ts is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.secret).generate_signature(
            timestamp=stamp, body=body
        )
        return await self.web.post(
            "/slack/events",
            content=body,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
        )

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        """An interactivity request (form field `payload`)."""
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    async def command(self, team: Team, channel: str, user: str, text: str) -> httpx.Response:
        """`/oneclick <text>` typed by a user in a channel."""
        form = {
            "token": "legacy",
            "team_id": team.id,
            "team_domain": team.name.lower(),
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": team.users.get(user, {}).get("name", "someone"),
            "command": "/oneclick",
            "text": text,
            "api_app_id": "A0FAKEAPP",
            "is_enterprise_install": "false",
            "trigger_id": self.fake.trigger(),
            "response_url": f"{self.fake.base_url}/response/{next(_ids)}",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def event(self, team: Team, event: dict[str, Any]) -> httpx.Response:
        """An Events API delivery."""
        body = {
            "token": "legacy",
            "team_id": team.id,
            "api_app_id": "A0FAKEAPP",
            "type": "event_callback",
            "event_id": f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [
                {
                    "team_id": team.id,
                    "user_id": team.bot_user_id,
                    "is_bot": True,
                    "enterprise_id": None,
                }
            ],
        }
        return await self.post(json.dumps(body), "application/json")

    def _user(self, team: Team, user: str) -> dict[str, Any]:
        return {
            "id": user,
            "username": team.users.get(user, {}).get("name", "someone"),
            "name": team.users.get(user, {}).get("name", "someone"),
            "team_id": team.id,
        }

    async def click(
        self,
        team: Team,
        channel: str,
        user: str,
        message: dict[str, Any],
        label: str,
        *,
        ticked: list[str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """Click the button whose text starts with `label` on a message."""
        action = None
        for block in message.get("blocks", []):
            for el in block.get("elements", []) if block.get("type") == "actions" else []:
                if el.get("type") == "button" and el["text"]["text"].startswith(label):
                    action = {**el, "block_id": block["block_id"], "action_ts": str(time.time())}
        assert action is not None, f"no {label!r} button in {message.get('blocks')}"
        state: dict[str, Any] = {"values": {}}
        if ticked is not None:
            card = action["value"]
            state["values"][f"platforms:{card}"] = {
                "oc_platforms": {
                    "type": "checkboxes",
                    "selected_options": [
                        {"value": p, "text": {"type": "plain_text", "text": p}} for p in ticked
                    ],
                }
            }
        payload = {
            "type": "block_actions",
            "user": self._user(team, user),
            "api_app_id": "A0FAKEAPP",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": self.fake.trigger(),
            "team": {"id": team.id, "domain": team.name.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "general"},
            "message": message,
            "state": state,
            "actions": [action],
            "response_url": f"{self.fake.base_url}/response/{next(_ids)}",
        }
        return await self.interactive(payload, **kw)

    async def submit(
        self, team: Team, user: str, view: dict[str, Any], values: dict[str, str]
    ) -> httpx.Response:
        """Submit a modal the app opened, with text typed into its inputs."""
        state = {
            "values": {
                block_id: {"text": {"type": "plain_text_input", "value": text}}
                for block_id, text in values.items()
            }
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team.id},
            "user": self._user(team, user),
            "api_app_id": "A0FAKEAPP",
            "token": "legacy",
            "trigger_id": self.fake.trigger(),
            "view": {**view, "state": state},
            "is_enterprise_install": False,
        }
        return await self.interactive(payload)

    async def shortcut(
        self, team: Team, channel: str, user: str, message: dict[str, Any]
    ) -> httpx.Response:
        """The message shortcut "Repost with OneClick" on a message."""
        payload = {
            "type": "message_action",
            "callback_id": "oc_repost",
            "trigger_id": self.fake.trigger(),
            "team": {"id": team.id},
            "channel": {"id": channel, "name": "general"},
            "user": self._user(team, user),
            "message": message,
            "message_ts": message.get("ts"),
            "token": "legacy",
            "response_url": f"{self.fake.base_url}/response/{next(_ids)}",
        }
        return await self.interactive(payload)
