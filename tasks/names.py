"""The tasks' names and modules: a message names the work it stands for.

`tasks.queue.TaskQueue` sends by these names, so the queue imports no task module (and
no task module has to import the queue back); `load_tasks` registers every task in this
process before anything is sent or run.
"""

from __future__ import annotations

import importlib

RUN_JOB = "oneclick.run_job"
PUBLISH_TARGET = "oneclick.publish_target"
INGEST_ALL = "oneclick.ingest_all"
INGEST_ACCOUNT = "oneclick.ingest_account"
INGEST_DOWNLOAD = "oneclick.ingest_download"
REFRESH_TOKENS = "oneclick.refresh_tokens"

#: the modules that declare tasks (`oneclick worker` hands them to taskiq)
TASK_MODULES = ("tasks.publish", "tasks.ingest", "tasks.tokens")


def load_tasks() -> None:
    """Import every task module: their tasks are then known to every broker here."""
    for module in TASK_MODULES:
        importlib.import_module(module)
