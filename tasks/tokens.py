"""The scheduled token upkeep pass (the rules live in `core.app.token_upkeep`)."""

from __future__ import annotations

from taskiq import TaskiqDepends

from core.app.token_upkeep import refresh_due
from oneclick.services import Services
from tasks import names
from tasks.broker import services_of, shared


@shared.task(task_name=names.REFRESH_TOKENS)
async def refresh_tokens(services: Services = TaskiqDepends(services_of)) -> dict[str, int]:
    """The scheduled pass over every connected account."""
    return await refresh_due(services.connectors)
