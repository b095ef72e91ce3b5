"""Ad script writers: the interface and the plain rule-based writer (no key, and fallback)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from core.ai.base import RULES_ADAPTER
from core.models import Brand
from core.promo.script import AdScript, DemoFlow, check_length, word_budget, word_count

HOOK = "Still posting the same video to every network by hand?"
CALL_TO_ACTION = "{name}. Post once, publish everywhere."
# what each recorded flow shows, said in one sentence; the order is their priority
FLOW_LINES = {
    "publish": "AI rewrites the caption for every network, and one click publishes it everywhere.",
    "upload": "Drop in a photo or a video from the web, Telegram or Slack.",
    "connections": "Connect Instagram, TikTok, Facebook, Pinterest and your own web feed "
    "in a few clicks.",
    "status": "Then watch each post go live, with a link to every one.",
    "sign_in": "Sign in once, and every brand you run is one page away.",
}
CAPTION = (
    "{name}: post once, publish everywhere. Connect your networks, upload a photo or "
    "video, and one click publishes it with a caption written for each network."
)


class ScriptWriter(ABC):
    """Writes one ad script of a given length from the recorded demo flows."""

    name: str = RULES_ADAPTER

    @abstractmethod
    async def write(self, brand: Brand, flows: Sequence[DemoFlow], seconds: int) -> AdScript:
        """A script whose spoken words fit `seconds`; never raises for an AI outage."""


class RuleBasedScriptWriter(ScriptWriter):
    """Fixed sentences for the flows that were recorded, as many as the length allows."""

    def __init__(self, *, note: str | None = None) -> None:
        self.note = note

    async def write(self, brand: Brand, flows: Sequence[DemoFlow], seconds: int) -> AdScript:
        """Hook, the flows' sentences by priority within the word budget, call to action."""
        return self.write_sync(brand, flows, seconds, note=self.note)

    def write_sync(
        self, brand: Brand, flows: Sequence[DemoFlow], seconds: int, *, note: str | None = None
    ) -> AdScript:
        """The same script, without awaiting anything."""
        check_length(seconds)
        closing = CALL_TO_ACTION.format(name=brand.name)
        left = word_budget(seconds) - word_count(HOOK) - word_count(closing)
        candidates = {flow.name: _line_for(flow) for flow in flows}
        if not candidates:
            candidates = dict(FLOW_LINES)
        order = [n for n in FLOW_LINES if n in candidates] + [
            n for n in candidates if n not in FLOW_LINES
        ]
        chosen: set[str] = set()
        for name in order:
            words = word_count(candidates[name])
            if words <= left:
                chosen.add(name)
                left -= words
        body = [line for name, line in candidates.items() if name in chosen]
        # hashtags are left to the caption service, which places them per network
        return AdScript(
            seconds=seconds,
            lines=[HOOK, *body, closing],
            caption=CAPTION.format(name=brand.name),
            writer=RULES_ADAPTER,
            note=note,
            hashtags=[str(t) for t in brand.default_hashtags or []],
        )


def _line_for(flow: DemoFlow) -> str:
    known = FLOW_LINES.get(flow.name)
    if known:
        return known
    title = flow.title.strip().rstrip(".") or flow.name.replace("_", " ")
    return f"{title[:1].upper()}{title[1:]}, in a few clicks."
