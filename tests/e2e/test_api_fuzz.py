"""schemathesis against /openapi.json with a user's key: no input makes the API answer 5xx."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.support.media import make_jpeg
from tests.support.server import client, live_app, user_with_key

ST = str(Path(sys.executable).parent / "st")


@pytest.mark.slow
async def test_no_input_causes_a_server_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    photo = make_jpeg(tmp_path / "p.jpg")
    async with live_app(settings) as base:
        _, key = await user_with_key("fuzz@example.com")
        async with client(base, key) as api:
            brand = (await api.post("/api/v1/brands", json={"name": "Fuzz"})).json()
            await api.post(f"/api/v1/brands/{brand['id']}/assets",
                           files={"file": ("p.jpg", photo.read_bytes(), "image/jpeg")})
        proc = await asyncio.create_subprocess_exec(
            ST, "run", f"{base}/openapi.json", "--checks", "not_a_server_error",
            "-H", f"Authorization: Bearer {key}", "--max-examples", "25", "--seed", "1",
            "--request-timeout", "20", "--generation-deterministic",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"}, cwd=tmp_path)
        out, _ = await proc.communicate()
    report = out.decode(errors="replace")
    assert proc.returncode == 0, report[-6000:]
    assert " passed" in report and "Server error" not in report
