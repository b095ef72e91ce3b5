"""core/ imports no framework, and nothing but core/config.py reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"fastapi", "starlette", "aiogram", "slack_bolt", "slack_sdk", "taskiq",
              "taskiq_redis", "uvicorn", "jinja2"}
PRODUCT_PACKAGES = ("core", "connectors", "tasks", "webapp", "bots", "oneclick")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_framework() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & FRAMEWORKS)
                 for p in (ROOT / "core").rglob("*.py") if _imports(p) & FRAMEWORKS}
    assert offenders == {}


def test_only_settings_read_the_environment() -> None:
    readers = []
    for package in PRODUCT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            if ("os.environ" in text or "os.getenv" in text) and path != ROOT / "core/config.py":
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []
