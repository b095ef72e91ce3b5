"""The objects every Slack feature module shares.

Listeners `ack()` first; slack-bolt (process_before_response=False) answers Slack at that
moment and lets the listener finish in the background, its errors going to `errors.on_error`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.slack.cards import SlackCards
from bots.slack.client import SlackClients
from bots.slack.status import StatusWatcher
from oneclick.bootstrap import Services


@dataclass
class Runtime:
    """Services, clients, cards and the status watcher of the running Slack app."""

    services: Services
    clients: SlackClients
    cards: SlackCards
    watcher: StatusWatcher
