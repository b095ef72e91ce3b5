"""The command line acts through the use cases: brands, link codes, plain refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.config import Settings
from core.db import close_db, init_db
from core.models import AuditLog, LinkCode
from oneclick import cli
from tests.conftest import make_settings


async def _audit(settings: Settings) -> tuple[list[tuple[str, int | None, str]], int]:
    await init_db(settings)
    try:
        rows = await AuditLog.all().order_by("id").values_list("action", "actor_id", "origin")
        return [tuple(r) for r in rows], await LinkCode.all().count()  # type: ignore[misc]
    finally:
        await close_db()


def test_brand_and_link_code_go_through_the_use_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    run = CliRunner().invoke
    assert run(cli.app, ["db", "upgrade"]).exit_code == 0
    made = run(
        cli.app,
        ["user", "create", "--password-stdin", "ada@example.com"],
        input="long enough password\n",
    )
    assert made.exit_code == 0, made.output

    brand = run(cli.app, ["brand", "create", "Acme", "--owner", "ada@example.com"])
    assert brand.exit_code == 0 and "Created brand Acme (slug acme" in brand.output
    code = run(cli.app, ["brand", "link-code", "acme"])
    assert code.exit_code == 0 and "/start " in code.output

    refused = run(cli.app, ["brand", "link-code", "nope"])
    assert refused.exit_code == 1 and "No brand with the slug 'nope'." in refused.output
    taken = run(
        cli.app, ["brand", "create", "Other", "--owner", "ada@example.com", "--slug", "acme"]
    )
    assert taken.exit_code == 1 and taken.output.strip()

    rows, codes = asyncio.run(_audit(settings))
    assert rows == [
        ("user.created", 1, "cli"),
        ("brand.created", 1, "cli"),
        ("linkcode.issued", 1, "cli"),
    ]  # the operator acts as the brand's owner
    assert codes == 1
