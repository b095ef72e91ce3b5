"""Claude writes the ad script with structured output; any failure falls back to the rules."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any

import anthropic

from adapters.anthropic_captions import (
    MAX_RETRIES,
    REQUEST_TIMEOUT_SECONDS,
    UNAVAILABLE,
    call_usage,
)
from core.ai.enforce import find_forbidden
from core.ai.prompt import CACHE_1H, render_brand_block
from core.ai.usage import budget_exhausted, record_usage
from core.config import Settings
from core.models import Brand
from core.promo.script import AdScript, DemoFlow, check_length, word_budget, word_count
from core.promo.writer import RuleBasedScriptWriter, ScriptWriter

log = logging.getLogger(__name__)
PURPOSE = "promo-script"
MAX_LINE_CHARS = 220

INSTRUCTIONS = """\
You write the voice-over of a short screen-recorded ad for a software product. The video \
shows the product's own web app being used, in the demo flows listed in the request. You \
receive the ad's length in seconds and the most words that fit in it when spoken.

How to write:
- Write short spoken sentences, one per line, in the brand's voice. Start with a hook, \
then say what the viewer sees in the flows, in their order, and end with a call to action \
that names the product.
- Stay within the word limit: count every word you write in the lines.
- Say only what the flows and the brand's instructions support: no prices, numbers, \
customers, awards or promises that they do not state.
- No markdown, no emoji, no hashtags, no stage directions in the lines: they are read \
aloud and shown as subtitles.
- Also write the caption of the post that carries the video: two or three sentences, \
plain text, in the brand's voice.
- Never use any of the brand's forbidden phrases.
- Answer only with the JSON object the response format asks for.
"""

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "lines": {"type": "array", "items": {"type": "string"}},
        "caption": {"type": "string"},
    },
    "required": ["lines", "caption"],
    "additionalProperties": False,
}


def render_request_text(flows: Sequence[DemoFlow], seconds: int) -> str:
    """The variable part: the recorded flows and the ad's length."""
    parts = []
    for flow in flows:
        steps = "\n".join(f"  - {step}" for step in flow.steps)
        parts.append(
            f'<flow name="{flow.name}" seconds="{flow.duration:.1f}">{flow.title}\n{steps}\n</flow>'
        )
    return (
        f"<demo_flows>\n{chr(10).join(parts) or '(no recording: describe the product)'}\n"
        f'</demo_flows>\n<ad seconds="{seconds}" max_words="{word_budget(seconds)}"/>'
    )


class ClaudeScriptWriter(ScriptWriter):
    """One structured Messages API request per script; the rules when it cannot be used."""

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        *,
        max_tokens: int = 4096,
        deadline_seconds: float = 120.0,
    ) -> None:
        self.client = client
        self.model = model
        self.name = model
        self.max_tokens = max_tokens
        self.deadline_seconds = deadline_seconds
        self.fallback = RuleBasedScriptWriter()

    async def write(self, brand: Brand, flows: Sequence[DemoFlow], seconds: int) -> AdScript:
        """Claude's script when it is usable, else the rule-based one with a note."""
        check_length(seconds)
        note = await budget_exhausted(brand)
        if note is None:
            answer, note = await self._call(brand, flows, seconds)
            if answer is not None:
                script, note = self._accept(brand, answer, seconds)
                if script is not None:
                    return script
        return self.fallback.write_sync(brand, flows, seconds, note=note)

    def request(self, brand: Brand, flows: Sequence[DemoFlow], seconds: int) -> dict[str, Any]:
        """Keyword arguments for `messages.create` (no sampling params, no tool_choice)."""
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [
                {"type": "text", "text": INSTRUCTIONS, "cache_control": CACHE_1H},
                {"type": "text", "text": render_brand_block(brand), "cache_control": CACHE_1H},
            ],
            "messages": [{"role": "user", "content": render_request_text(flows, seconds)}],
            "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}},
        }

    async def _call(
        self, brand: Brand, flows: Sequence[DemoFlow], seconds: int
    ) -> tuple[dict[str, Any] | None, str | None]:
        try:
            async with asyncio.timeout(self.deadline_seconds):
                message = await self.client.messages.create(**self.request(brand, flows, seconds))
        except anthropic.APIStatusError as exc:
            log.warning(
                "Claude script call failed for brand %s: HTTP %s", brand.id, exc.status_code
            )
            reason = {429: "rate limited", 529: "overloaded"}.get(
                exc.status_code, f"error {exc.status_code}"
            )
            return None, UNAVAILABLE.format(reason=reason)
        except (anthropic.APIConnectionError, TimeoutError) as exc:
            log.warning("Claude script call failed for brand %s: %r", brand.id, exc)
            return None, UNAVAILABLE.format(reason="no answer in time")
        await record_usage(brand, self.model, call_usage(message.usage), purpose=PURPOSE)
        text = "".join(b.text for b in message.content if b.type == "text")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return None, UNAVAILABLE.format(reason="its answer could not be read")
        return data, None

    def _accept(
        self, brand: Brand, data: dict[str, Any], seconds: int
    ) -> tuple[AdScript | None, str | None]:
        lines = [str(x).strip() for x in data.get("lines") or [] if str(x).strip()]
        caption = str(data.get("caption") or "").strip()
        if not lines or not caption or any(len(x) > MAX_LINE_CHARS for x in lines):
            return None, "Claude's script was not usable: written by the built-in rules."
        spoken = " ".join(lines)
        if word_count(spoken) > word_budget(seconds) * 1.15:
            return None, (
                f"Claude's script was too long for {seconds} seconds: written by the "
                "built-in rules."
            )
        if find_forbidden(spoken + "\n" + caption, brand.forbidden_phrases or []):
            return None, "Claude's script used a forbidden phrase: written by the built-in rules."
        tags = [str(t) for t in brand.default_hashtags or []]
        return AdScript(
            seconds=seconds, lines=lines, caption=caption, writer=self.model, hashtags=tags
        ), None


def build_script_writer(
    settings: Settings,
    *,
    max_retries: int = MAX_RETRIES,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
    deadline_seconds: float = 120.0,
) -> ScriptWriter:
    """Claude with ANTHROPIC_API_KEY (the captions' client settings), else the rules."""
    key = settings.anthropic_api_key
    if key is None or not key.get_secret_value():
        return RuleBasedScriptWriter()
    client = anthropic.AsyncAnthropic(
        api_key=key.get_secret_value(),
        base_url=settings.anthropic_base_url or None,
        max_retries=max_retries,
        timeout=timeout,
    )
    return ClaudeScriptWriter(client, settings.anthropic_model, deadline_seconds=deadline_seconds)
