"""Logging set-up: plain or JSON lines, with secrets redacted whatever a library logs.

Redaction runs on the final text of every line, tracebacks included (an exception's text
often carries a URL with a token in it), and on the exact values of the configured secrets.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|api_key|token)"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{4,}"
    ),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]{8,}"),  # Telegram bot tokens inside URLs
    re.compile(r"(\b)\d{5,}:AA[A-Za-z0-9_-]{30,}"),  # a bare Telegram bot token
    re.compile(r"\b(xox[abposr]-)[A-Za-z0-9-]{8,}"),  # Slack tokens
    re.compile(r"\b(xapp-)[A-Za-z0-9-]{8,}"),  # Slack app-level tokens
    re.compile(r"\b(sk-ant-)[A-Za-z0-9_-]{8,}"),  # Anthropic keys
    re.compile(r"\b(ocs_)[A-Za-z0-9_-]{8,}"),  # our own API keys
]
MIN_KNOWN_SECRET = 8  # shorter configured values are too likely to be ordinary words
_known: set[str] = set()


def redact(text: str) -> str:
    """The text with anything that looks like a secret replaced by ***."""
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


def add_known_secrets(values: Iterable[str | None]) -> None:
    """Redact these exact values wherever they appear (the process's configured secrets).

    A Telegram token's secret half (after `id:`) is redacted on its own too.
    """
    for value in values:
        for part in (value or "").strip(), (value or "").partition(":")[2].strip():
            if len(part) >= MIN_KNOWN_SECRET:
                _known.add(part)


class RedactingFilter(logging.Filter):
    """Redacts secrets from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """A plain formatter whose whole output (message, traceback, stack) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line, redacted."""
        return redact(super().format(record))

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        """The traceback, redacted (it is cached on the record as exc_text)."""
        return redact(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *, json_lines: bool, level: str = "INFO", secrets: Iterable[str | None] = ()
) -> None:
    """Root logging for a process of the product; `secrets` are redacted verbatim too."""
    add_known_secrets(secrets)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
