"""The API keeps its OpenAPI contract: schemathesis with every check, in every phase.

The same run as `st run … --checks all` with schemathesis.toml (examples, coverage and
fuzzing per operation, then stateful sequences along the document's links), sent to the
app in-process over ASGI as a user with an API key and a brand. A status, body, content
type or header the document does not declare fails the test, as does a schema-valid
request refused, a schema-violating one accepted, or any 5xx.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import schemathesis
from schemathesis.engine import Status, from_schema
from schemathesis.engine.events import FatalError, NonFatalError, ScenarioFinished
from schemathesis.python.asgi import shutdown_lifespans

from core.brands import create_brand
from core.config import Settings
from core.db import close_db, init_db
from tests.conftest import make_settings
from tests.support.db import migrated
from tests.support.server import user_with_key

ROOT = Path(__file__).resolve().parents[2]
BUDGET = {
    "workers": 1,
    "generation": {"max-examples": 10, "deterministic": True, "no-shrink": True},
    "phases": {"stateful": {"max-steps": 6}},
}
# operations that must have succeeded at least once: the key worked and real work was done
MUST_SUCCEED = (
    "GET /api/v1/brands",
    "POST /api/v1/brands",
    "POST /api/v1/brands/{brand_id}/assets",
    "GET /api/v1/assets/{asset_id}",
    "POST /api/v1/assets/{asset_id}/publish",
    "GET /api/v1/jobs/{job_id}",
)


async def _seed(settings: Settings) -> str:
    """A migrated database with a user, their API key and a brand; the key."""
    await migrated(settings)
    await init_db(settings)
    try:
        user, key = await user_with_key("contract@example.com")
        await create_brand(user, "Contract", origin="test")
    finally:
        await close_db()
    return key


def _config(key: str) -> schemathesis.Config:
    data = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    return schemathesis.Config.from_dict(
        {**data, **BUDGET, "headers": {"Authorization": f"Bearer {key}"}}
    )


def test_the_api_keeps_its_openapi_contract(tmp_path: Path) -> None:
    from webapp.app import create_app

    settings = make_settings(tmp_path)
    with ThreadPoolExecutor(1) as pool:  # an event loop of its own, apart from the tests'
        key = pool.submit(asyncio.run, _seed(settings)).result()
    app = create_app(settings, in_process_queue=True)
    failures: list[str] = []
    answered: Counter[tuple[str, int]] = Counter()
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(key))
        for event in from_schema(schema).execute():
            if isinstance(event, NonFatalError | FatalError):
                failures.append(f"{getattr(event, 'label', 'run')}: {event.info.format()}")
            if not isinstance(event, ScenarioFinished):
                continue
            recorder = event.recorder
            for case_id, interaction in recorder.interactions.items():
                if interaction.response is not None and case_id in recorder.cases:
                    label = recorder.cases[case_id].value.operation.label
                    answered[(label, interaction.response.status_code)] += 1
            if event.status == Status.FAILURE:
                for checks in recorder.checks.values():
                    failures += [
                        f"{recorder.label}: {c.failure_info.failure.title}\n"
                        f"{c.failure_info.failure.message}\n"
                        f"{c.failure_info.code_sample}"
                        for c in checks
                        if c.failure_info is not None
                    ]
    finally:
        shutdown_lifespans()  # the app's lifespan ran in schemathesis' ASGI loop
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    succeeded = {label for (label, status) in answered if status < 300}
    assert set(MUST_SUCCEED) <= succeeded, sorted(answered.items())
