"""docker-compose.yml is valid for Docker Compose and runs every process of the product."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = {
    "migrate",
    "web",
    "worker",
    "scheduler",
    "telegram-bot",
    "slack-bot",
    "postgres",
    "redis",
}


def _compose() -> list[str]:
    """`docker compose` (v2) when the plugin is there, else Debian's `docker-compose`."""
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    service_unavailable(
        "Docker Compose",
        "neither `docker compose` nor `docker-compose` "
        "is installed (`make test` installs Debian's docker-compose)",
    )
    raise AssertionError("unreachable")


def test_compose_config_passes_with_the_example_env(tmp_path: Path) -> None:
    compose = _compose()
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    checked = subprocess.run(
        [*compose, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    listed = subprocess.run(
        [
            *compose,
            "--profile",
            "telegram-polling",
            "--profile",
            "slack-socket",
            "config",
            "--services",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(listed.stdout.split()) == PROCESSES
    resolved = yaml.safe_load(
        subprocess.run(
            [*compose, "--profile", "telegram-polling", "--profile", "slack-socket", "config"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["services"]
    # the polling bots start only with their profile: by default the web service serves the
    # Telegram webhook and Slack's HTTP events itself
    assert resolved["telegram-bot"]["profiles"] == ["telegram-polling"]
    assert resolved["slack-bot"]["profiles"] == ["slack-socket"]
    assert not any(
        "profiles" in resolved[name] for name in PROCESSES - {"telegram-bot", "slack-bot"}
    )
    # workers scale (`--scale worker=N`): no fixed container name or host port
    assert "container_name" not in resolved["worker"] and "ports" not in resolved["worker"]
