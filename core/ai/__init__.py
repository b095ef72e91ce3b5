"""AI caption adaptation: the adapter interface, the rules adapter, platform style rules,
enforcement, usage and cost (Claude itself: adapters/anthropic_captions.py)."""

from core.ai.base import CaptionAdapter, CaptionResult
from core.ai.style_rules import DEFAULT_RULES
from core.ai.usage import UsageReport, usage_report

__all__ = ["DEFAULT_RULES", "CaptionAdapter", "CaptionResult", "UsageReport", "usage_report"]
