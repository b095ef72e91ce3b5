"""The layers, checked on every run (`make test`): who may import whom.

core (domain, use cases, ports) imports no framework, adapter or front end; connectors
and adapters import no front end; bots and the web app reach networks only through core;
only entry points import the composition root; nothing builds settings or a broker at
import; nothing but core/config.py reads the environment. Every import counts, also one
inside a function; imports under `if TYPE_CHECKING:` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {
    "fastapi",
    "starlette",
    "aiogram",
    "slack_bolt",
    "slack_sdk",
    "taskiq",
    "taskiq_redis",
    "uvicorn",
    "jinja2",
}
PRODUCT_PACKAGES = ("core", "connectors", "adapters", "tasks", "webapp", "bots", "oneclick")
FRONT_ENDS = {"webapp", "bots", "tasks", "oneclick"}
#: package → top-level packages it must not import
CONTRACTS: dict[str, set[str]] = {
    "core": FRAMEWORKS | FRONT_ENDS | {"connectors", "adapters"},
    "connectors": FRONT_ENDS | {"adapters"},
    "adapters": FRONT_ENDS | {"connectors"},
    "tasks": {"webapp", "bots", "connectors", "adapters"},
    "bots": {"connectors", "adapters", "webapp"},
    "webapp": {"connectors", "adapters"},
}
#: what still crosses a line, each with its reason (shrink this list, never grow it)
KNOWN: dict[tuple[str, str], str] = {
    (
        "webapp/oauth/routes.py",
        "connectors._oauth",
    ): "the OAuth dance's PKCE verifier and redirect URI helpers",
    (
        "webapp/api/schemas.py",
        "connectors.registry",
    ): "the list of platforms for the API schema's enum",
}
#: the only product modules that may open the composition root (entry points)
ROOT_USERS = {"webapp/app.py"}
#: entry points for other tools that need a value at import (tortoise's CLI: a config dict)
IMPORT_TIME_ENTRY_POINTS = {"oneclick/tortoise_config.py"}


def _modules(path: Path) -> list[str]:
    """Every absolute module a file imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_layer_contracts() -> None:
    broken = [
        f"{_name(path)} imports {module}"
        for package, banned in CONTRACTS.items()
        for path in _files(package)
        for module in dict.fromkeys(_modules(path))
        if module.split(".")[0] in banned and (_name(path), module) not in KNOWN
    ]
    assert broken == []


def test_known_crossings_still_exist() -> None:
    """An allowance nobody needs any more is removed from KNOWN."""
    stale = [f"{file} → {module}" for file, module in KNOWN if module not in _modules(ROOT / file)]
    assert stale == []


def test_only_entry_points_open_the_composition_root() -> None:
    users = {
        _name(p)
        for package in PRODUCT_PACKAGES
        for p in _files(package)
        if any(m.startswith("oneclick.bootstrap") for m in _modules(p))
    }
    entry_points = {u for u in users if u.startswith("oneclick/")} | ROOT_USERS
    assert users - entry_points == set()


def test_no_settings_or_broker_built_at_import() -> None:
    """Module-level code calls no Settings(), get_settings() or build_broker()."""
    builders = {"Settings", "get_settings", "build_broker", "worker_broker"}
    found = []
    for package in PRODUCT_PACKAGES:
        for path in _files(package):
            if _name(path) in IMPORT_TIME_ENTRY_POINTS:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for statement in tree.body:
                if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    continue
                for node in ast.walk(statement):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Name)
                        and node.func.id in builders
                    ):
                        found.append(f"{_name(path)}:{node.lineno} {node.func.id}()")
    assert found == []


def test_nothing_looks_services_up() -> None:
    """Services are handed in by the framework, never fetched from a process global."""
    users = [
        _name(p)
        for package in PRODUCT_PACKAGES
        for p in _files(package)
        if "get_services" in p.read_text()
    ]
    assert users == []


def test_only_settings_read_the_environment() -> None:
    readers = []
    for package in PRODUCT_PACKAGES:
        for path in _files(package):
            text = path.read_text()
            if ("os.environ" in text or "os.getenv" in text) and path != ROOT / "core/config.py":
                readers.append(_name(path))
    assert readers == []
