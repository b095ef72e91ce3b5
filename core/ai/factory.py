"""Chooses the caption adapter from the settings: Claude with a key, the rules without."""

from __future__ import annotations

import anthropic

from core.ai.base import CaptionAdapter
from core.ai.claude import ClaudeAdapter
from core.ai.rules_adapter import RuleBasedAdapter
from core.config import Settings

MAX_RETRIES = 3  # the SDK retries 408/409/429/5xx/529 with backoff, honouring retry-after
REQUEST_TIMEOUT_SECONDS = 60.0


def build_caption_adapter(settings: Settings, *, max_retries: int = MAX_RETRIES,
                          timeout: float = REQUEST_TIMEOUT_SECONDS,
                          deadline_seconds: float = 120.0) -> CaptionAdapter:
    """ClaudeAdapter when ANTHROPIC_API_KEY is set, else the deterministic RuleBasedAdapter."""
    if settings.anthropic_api_key is None or not settings.anthropic_api_key.get_secret_value():
        return RuleBasedAdapter()
    client = anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url or None,
        max_retries=max_retries, timeout=timeout)
    return ClaudeAdapter(client, settings.anthropic_model, deadline_seconds=deadline_seconds,
                         budget_cap_usd=settings.ai_monthly_budget_usd)
