"""The wired services every front end and worker receives (built by `oneclick.bootstrap`).

This module only names the type: it imports no front end and no task module, so bots,
the web app and the tasks can all take a `Services` without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.registry import ConnectorRegistry
from core.app.accounts import Accounts
from core.app.assets import Assets
from core.app.publishing import Publishing
from core.captions import CaptionService
from core.config import Settings
from core.media.pipeline import MediaPipeline
from core.ports.media_store import MediaStore
from core.ports.queue import JobQueue
from core.publish_runner import PublishRunner
from core.security import TokenCipher


@dataclass
class Services:
    """Everything a front end or worker needs, built once per process."""

    settings: Settings
    cipher: TokenCipher
    pipeline: MediaPipeline
    #: where media files are kept (core.ports.media_store; the local one under MEDIA_DIR)
    media: MediaStore
    connectors: ConnectorRegistry
    captions: CaptionService
    runner: PublishRunner
    http: httpx.AsyncClient
    #: the guarded client for addresses users or remote servers chose (core/net_guard.py)
    outbound: httpx.AsyncClient
    #: the use cases every front end calls (core/app)
    publishing: Publishing
    assets: Assets
    accounts: Accounts
    #: the job queue on this process's broker (tasks.queue.TaskQueue)
    queue: JobQueue
    notifiers: list[Any] = field(default_factory=list)

    async def aclose(self) -> None:
        """Release network clients and unregister this process's chat notifiers."""
        from core import notify

        for notifier in self.notifiers:
            notify.unregister(notifier)
            await notifier.aclose()
        self.notifiers.clear()
        await self.http.aclose()
        await self.outbound.aclose()
