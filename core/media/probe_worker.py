"""The probe's child process: limits itself, then probes one file and prints JSON.

Run as `python -m core.media.probe_worker` with a JSON request on stdin: `path`, `limits`
(`MediaLimits`), `memory_bytes` (address space) and `cpu_seconds`. Prints `{"info": ...}`
or `{"error": ..., "too_large": bool}`; a file that exhausts the limits kills only this
process.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import resource
import sys
from pathlib import Path
from typing import Any

M_ARENA_MAX = -8


def limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time (few malloc arenas, so threads fit)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: default arenas
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Probe the requested file under the requested limits."""
    from core.errors import OneClickError, TooLarge
    from core.media.limits import MediaLimits
    from core.media.probe import probe_sync

    try:
        info = probe_sync(Path(request["path"]), MediaLimits(**request["limits"]))
    except OneClickError as exc:
        return {"error": exc.user_message, "too_large": isinstance(exc, TooLarge)}
    return {"info": info.to_json()}


def main() -> None:
    """Read the request, limit this process, answer on stdout."""
    request = json.loads(sys.stdin.read(1 << 16))
    limit_self(int(request["memory_bytes"]), int(request["cpu_seconds"]))
    import av.logging

    av.logging.set_level(None)
    sys.stdout.write(json.dumps(answer(request)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
