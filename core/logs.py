"""Logging set-up: plain or JSON lines, with secrets redacted whatever a library logs."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)((?:access_token|refresh_token|client_secret|password|api_key|token)"
               r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{4,}"),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]{20,}"),  # Telegram bot tokens inside URLs
    re.compile(r"\b(xox[abposr]-)[A-Za-z0-9-]{8,}"),  # Slack tokens
    re.compile(r"\b(sk-ant-)[A-Za-z0-9_-]{8,}"),  # Anthropic keys
    re.compile(r"\b(ocs_)[A-Za-z0-9_-]{8,}"),  # our own API keys
]


def redact(text: str) -> str:
    """The text with anything that looks like a secret replaced by ***."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


class RedactingFilter(logging.Filter):
    """Redacts secrets from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    """Root logging for a process of the product."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
