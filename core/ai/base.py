"""The caption adapter interface: one call adapts one text for several platforms."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.models import Brand
from core.platform_rules import PlatformRules

RULES_ADAPTER = "rules"


@dataclass(frozen=True)
class CaptionResult:
    """One adapted caption; `adapter` is "rules" or the model id, `note` says why a fallback."""

    text: str
    is_fallback: bool
    adapter: str
    note: str | None = None


class CaptionAdapter(ABC):
    """Turns a brand's original caption into one caption per platform."""

    name: str = RULES_ADAPTER

    @abstractmethod
    async def adapt(
        self,
        brand: Brand,
        text: str,
        platforms: Sequence[str],
        rules: Mapping[str, PlatformRules],
        *,
        hint: str | None = None,
    ) -> dict[str, CaptionResult]:
        """A caption for every platform in `platforms`; never raises for an AI outage.

        `rules` should be the full rules table of the process (not only the selected
        platforms): the Claude adapter renders all of it into its cached prefix.
        """
