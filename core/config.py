"""The one typed settings object; no other module reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from environment variables and an optional `.env` file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    database_url: str = "sqlite://data/oneclick.sqlite3"
    redis_url: str | None = None
    media_dir: Path = Path("data/media")
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    token_encryption_key: SecretStr | None = None
    environment: str = "development"

    max_video_bytes: int = 1024 * 1024 * 1024
    max_image_bytes: int = 30 * 1024 * 1024
    publish_max_attempts: int = 5
    publish_retry_base_seconds: float = 5.0
    publish_lease_seconds: int = 900
    sweep_interval_seconds: float = 15.0

    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-5-5"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_base: str = "https://slack.com/api/"

    graph_api_base: str = "https://graph.facebook.com/v24.0"
    instagram_api_base: str = "https://graph.instagram.com/v24.0"
    tiktok_api_base: str = "https://open.tiktokapis.com"
    pinterest_api_base: str = "https://api.pinterest.com"

    ffmpeg_binary: str | None = Field(default=None, description="ffmpeg path; found if unset")

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an SQLite file."""
        return self.database_url.startswith("sqlite")

    def public_url(self, path: str) -> str:
        """An absolute URL under PUBLIC_BASE_URL."""
        return self.public_base_url.rstrip("/") + "/" + path.lstrip("/")

    def ensure_secrets(self) -> None:
        """Fill missing secrets from files in the data dir, generating them on first run."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.secret_key is None:
            self.secret_key = SecretStr(_read_or_create(self.data_dir / "secret_key",
                                                        lambda: secrets.token_urlsafe(48)))
        if self.token_encryption_key is None:
            self.token_encryption_key = SecretStr(_read_or_create(
                self.data_dir / "token_encryption_key", lambda: Fernet.generate_key().decode()))


def _read_or_create(path: Path, make: object) -> str:
    if path.exists():
        return path.read_text().strip()
    value = make()  # type: ignore[operator]
    path.write_text(str(value))
    path.chmod(0o600)
    return str(value)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, secrets filled in."""
    settings = Settings()
    settings.ensure_secrets()
    return settings
