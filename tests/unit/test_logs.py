import json
import logging

from core.logs import JsonFormatter, RedactingFilter, redact


def test_secrets_are_redacted() -> None:
    text = (
        "GET https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe "
        "Authorization: Bearer ocs_abcdefgh12345678 access_token=EAAGm0PX4ZCpsBA "
        "xoxb-1234-5678-abcdefgh sk-ant-api03-secretsecret"
    )
    clean = redact(text)
    for secret in (
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "abcdefgh12345678",
        "EAAGm0PX4ZCpsBA",
        "1234-5678-abcdefgh",
        "api03-secretsecret",
    ):
        assert secret not in clean
    assert "getMe" in clean


def test_json_lines_carry_redacted_message() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("supersecret1",), None)
    RedactingFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "token=***" and entry["level"] == "INFO"
