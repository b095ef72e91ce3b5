"""The objects every Slack feature module shares, handed to listeners by bolt's context.

`build_app` makes one `Runtime` per app and `provide` puts it into every request's
`context`; a listener takes `context` and calls `runtime_of(context)`. Nothing is looked
up from a process-wide global.

Listeners `ack()` first; slack-bolt (process_before_response=False) answers Slack at that
moment and lets the listener finish in the background, its errors going to `errors.on_error`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bots.slack.cards import SlackCards
from bots.slack.client import SlackClients
from bots.slack.status import StatusWatcher
from oneclick.services import Services

CONTEXT_KEY = "oneclick_runtime"


@dataclass
class Runtime:
    """Services, clients, cards and the status watcher of the running Slack app."""

    services: Services
    clients: SlackClients
    cards: SlackCards
    watcher: StatusWatcher


def provide(app: AsyncApp, runtime: Runtime) -> None:
    """Put `runtime` into the context of every request the app handles."""

    async def with_runtime(context: AsyncBoltContext, next_: Callable[[], Awaitable[None]]) -> None:
        context[CONTEXT_KEY] = runtime
        await next_()

    app.middleware(with_runtime)


def runtime_of(context: AsyncBoltContext) -> Runtime:
    """The runtime `provide` put into this request's context."""
    runtime = context.get(CONTEXT_KEY)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("the Slack app was built without its runtime (see build_app)")
    return runtime
