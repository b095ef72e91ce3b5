"""Ad scripts: the rule-based writer's budget and the Claude writer through the real SDK."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from adapters.anthropic_script import PURPOSE, build_script_writer
from core.config import Settings
from core.models import AIUsage, Brand
from core.promo.brand import ensure_promo_brand
from core.promo.script import AdScript, DemoFlow, seconds_for, word_budget
from core.promo.writer import CALL_TO_ACTION, HOOK, RuleBasedScriptWriter
from tests.fakes.anthropic_api import FakeMessagesAPI, user_text

FLOWS = [
    DemoFlow("sign_in", "Sign in", ["Sign in"], 0, 1.2),
    DemoFlow("connections", "Connect networks", ["Connect"], 1.2, 1.0),
    DemoFlow("upload", "Upload a video", ["Upload"], 2.2, 1.4),
    DemoFlow("publish", "Publish", ["Publish"], 3.6, 1.5),
    DemoFlow("status", "Status", ["Live"], 5.1, 0.9),
]
GOOD = {
    "lines": [
        "Posting by hand again?",
        "Connect every network once.",
        "Upload one video and publish it everywhere.",
        "OneClick Social. Post once, publish everywhere.",
    ],
    "caption": "One video, every network, one click.",
}


@pytest.mark.parametrize("seconds", [15, 30])
async def test_rules_fit_the_length_and_follow_the_flows(seconds: int) -> None:
    brand = Brand(name="OneClick Social", default_hashtags=["#OneClickSocial"])
    script = await RuleBasedScriptWriter().write(brand, FLOWS, seconds)
    assert script.writer == "rules" and script.seconds == seconds
    assert script.words <= word_budget(seconds)
    assert script.lines[0] == HOOK
    assert script.lines[-1] == CALL_TO_ACTION.format(name="OneClick Social")
    assert "one click publishes" in script.voiceover  # the publish flow comes first
    if seconds == 30:
        assert len(script.lines) > 4
        # body lines keep the recording's order: connections before upload before publish
        body = script.voiceover
        assert body.index("Connect") < body.index("Drop in") < body.index("AI rewrites")
    assert AdScript.from_json(json.loads(json.dumps(script.to_json()))) == script
    assert seconds_for("tiktok") == 15 and seconds_for("web") == 30


async def test_claude_writes_falls_back_and_records_usage(db, settings: Settings) -> None:
    brand, _ = await ensure_promo_brand(settings)
    with FakeMessagesAPI(responder=lambda body: json.dumps(GOOD)) as api:
        settings.anthropic_api_key = SecretStr("sk-test")
        settings.anthropic_base_url = api.base_url
        writer = build_script_writer(settings, max_retries=0, timeout=10)
        script = await writer.write(brand, FLOWS, 15)
    assert script.lines == GOOD["lines"] and script.caption == GOOD["caption"]
    assert script.writer == settings.anthropic_model and script.note is None
    body = api.ok_requests[0].body
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert "temperature" not in body and "tool_choice" not in body
    assert "OneClick Social" in body["system"][1]["text"]  # the brand's prompt
    text = user_text(body)
    assert 'max_words="34"' in text and 'name="upload"' in text
    usage = await AIUsage.filter(brand_id=brand.id).first()
    assert usage is not None and usage.purpose == PURPOSE and usage.output_tokens > 0

    too_long = {"lines": ["Many words are spoken in this line of the ad."] * 6, "caption": "x"}
    with FakeMessagesAPI(responder=lambda body: json.dumps(too_long)) as api:
        settings.anthropic_api_key = SecretStr("sk-test")
        settings.anthropic_base_url = api.base_url
        writer = build_script_writer(settings, max_retries=0, timeout=10)
        long_script = await writer.write(brand, FLOWS, 15)
        api.fail(529)
        down = await writer.write(brand, FLOWS, 15)
    assert long_script.writer == "rules" and "too long for 15 seconds" in long_script.note
    assert down.writer == "rules" and "overloaded" in down.note
    assert down.words <= word_budget(15)
