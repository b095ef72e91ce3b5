"""Secrets at rest: placeholders refused at start, key files and the SQLite file private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from core.config import Settings
from core.db import database_url
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def example_values() -> dict[str, str]:
    """KEY=value lines of .env.example."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def mode(path: Path) -> int:
    """The permission bits of a file or folder."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("name", ["SECRET_KEY", "TOKEN_ENCRYPTION_KEY"])
def test_placeholders_from_env_example_are_refused(name: str) -> None:
    value = example_values()[name]
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, **{name.lower(): value})  # type: ignore[arg-type]
    text = str(refused.value)
    assert name in text and value not in text  # says which setting, never echoes it


@pytest.mark.parametrize(
    "value",
    [
        "short-but-random-3f9a",
        "a" * 64,
        "changeme" * 8,
        "your-secret-key-here-please-replace-it-now",
    ],
)
def test_weak_secret_keys_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, secret_key=value)  # type: ignore[arg-type]


def test_real_keys_are_accepted(tmp_path: Path) -> None:
    rotated = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,  # type: ignore[arg-type]
        secret_key="k3Y-" + os.urandom(24).hex(),
        token_encryption_key=rotated,
    )
    assert settings.token_encryption_key is not None
    with pytest.raises(ValidationError, match="key 2 of TOKEN_ENCRYPTION_KEY"):
        Settings(
            _env_file=None,  # type: ignore[arg-type]
            token_encryption_key=rotated.split(",")[0] + ",change-me",
        )


def test_generated_keys_are_private_and_written_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    found: list[tuple[str, str]] = []

    def start() -> None:
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[arg-type]
        settings.ensure_secrets()
        assert settings.secret_key and settings.token_encryption_key
        found.append(
            (
                settings.secret_key.get_secret_value(),
                settings.token_encryption_key.get_secret_value(),
            )
        )

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1  # every process got the same keys
    assert mode(data) == 0o700
    assert sorted(p.name for p in data.iterdir()) == ["secret_key", "token_encryption_key"]
    assert all(mode(p) == 0o600 for p in data.iterdir())


def test_existing_loose_files_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    key = data / "secret_key"
    key.write_text("s3cr3t-" + os.urandom(24).hex())
    key.chmod(0o644)
    Settings(_env_file=None, data_dir=data).ensure_secrets()  # type: ignore[arg-type]
    assert mode(data) == 0o700 and mode(key) == 0o600


def test_placeholder_in_a_key_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("change-me-to-a-long-random-string")
    with pytest.raises(ValueError, match="secret_key in DATA_DIR is a placeholder"):
        Settings(_env_file=None, data_dir=data).ensure_secrets()  # type: ignore[arg-type]


def modes(folder: Path, pattern: str) -> dict[str, int]:
    """The permission bits of the files matching `pattern` in `folder`."""
    return {p.name: mode(p) for p in folder.glob(pattern)}


async def test_sqlite_file_is_private(db: Settings, tmp_path: Path) -> None:
    files = modes(tmp_path, "db.sqlite3*")
    assert "db.sqlite3" in files and set(files.values()) == {0o600}, files
    fresh = make_settings(tmp_path / "other", database_url=f"sqlite://{tmp_path}/new/x.db")
    database_url(fresh)
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "x.db") == 0o600


def test_the_command_refuses_a_placeholder_in_plain_words(tmp_path: Path) -> None:
    value = example_values()["SECRET_KEY"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": value,
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3",
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("oneclick")), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Configuration error in SECRET_KEY" in done.stderr and "placeholder" in done.stderr
    assert "Traceback" not in done.stderr and value not in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()
