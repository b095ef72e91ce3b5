"""AI caption adaptation: adapters, platform style rules, enforcement, usage and cost."""

from core.ai.base import CaptionAdapter, CaptionResult
from core.ai.factory import build_caption_adapter
from core.ai.style_rules import DEFAULT_RULES
from core.ai.usage import UsageReport, usage_report

__all__ = ["DEFAULT_RULES", "CaptionAdapter", "CaptionResult", "UsageReport",
           "build_caption_adapter", "usage_report"]
