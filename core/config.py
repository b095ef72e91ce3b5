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
    queue_name: str = "oneclick"
    media_dir: Path = Path("data/media")
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    token_encryption_key: SecretStr | None = None
    environment: str = "development"
    log_format: str = Field(default="text", description="text or json")
    log_level: str = "INFO"

    max_video_bytes: int = 1024 * 1024 * 1024
    max_image_bytes: int = 30 * 1024 * 1024
    publish_max_attempts: int = 5
    publish_retry_base_seconds: float = 5.0
    publish_lease_seconds: int = 900
    queue_ticket_seconds: int = 120
    worker_concurrency: int = 100
    sweep_interval_seconds: float = 15.0
    fault_crash_points: str = Field(default="", description="chaos tests only")

    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-5-5"

    telegram_bot_token: SecretStr | None = None
    # the bot's @username, for t.me/<bot>?start=CODE links on the connections page
    telegram_bot_username: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    # the cloud Bot API serves downloads up to 20 MB; a local Bot API server lifts it
    telegram_download_limit_mb: int = 20
    telegram_download_timeout_seconds: int = 600
    telegram_status_min_interval_seconds: float = 1.0
    telegram_album_wait_seconds: float = 1.0

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_base: str = "https://slack.com/api/"
    # "Add to Slack" (OAuth v2, many workspaces); without these SLACK_BOT_TOKEN serves one
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_scopes: str = ("commands,chat:write,files:read,channels:history,groups:history,"
                         "users:read,channels:read,groups:read")
    slack_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    slack_status_min_interval_seconds: float = 1.0

    graph_api_base: str = "https://graph.facebook.com/v24.0"
    instagram_api_base: str = "https://graph.instagram.com/v24.0"
    tiktok_api_base: str = "https://open.tiktokapis.com"
    pinterest_api_base: str = "https://api.pinterest.com"
    threads_api_base: str = "https://graph.threads.net/v1.0"
    rupload_base: str = "https://rupload.facebook.com"

    # OAuth apps and sign-in pages per network (endpoints overridable for tests and proxies)
    facebook_client_id: str | None = None
    facebook_client_secret: SecretStr | None = None
    facebook_authorize_url: str = "https://www.facebook.com/v24.0/dialog/oauth"
    instagram_client_id: str | None = None
    instagram_client_secret: SecretStr | None = None
    instagram_authorize_url: str = "https://www.instagram.com/oauth/authorize"
    instagram_token_url: str = "https://api.instagram.com/oauth/access_token"
    threads_client_id: str | None = None
    threads_client_secret: SecretStr | None = None
    threads_authorize_url: str = "https://threads.net/oauth/authorize"
    tiktok_client_id: str | None = None
    tiktok_client_secret: SecretStr | None = None
    tiktok_authorize_url: str = "https://www.tiktok.com/v2/auth/authorize/"
    pinterest_client_id: str | None = None
    pinterest_client_secret: SecretStr | None = None
    pinterest_authorize_url: str = "https://www.pinterest.com/oauth/"
    oauth_state_max_age_seconds: int = 900

    # TikTok direct post: preferred upload chunk (clamped to TikTok's 5-64 MB rule)
    tiktok_chunk_size_mb: int = 10
    tiktok_web_base: str = "https://www.tiktok.com"
    pinterest_web_base: str = "https://www.pinterest.com"
    # Bluesky: the default PDS (entryway) for app-password sign-in, the video service, the web app
    bluesky_service: str = "https://bsky.social"
    bluesky_video_service: str = "https://video.bsky.app"
    bluesky_web_base: str = "https://bsky.app"
    # Mastodon: apps are registered per server at connect time under this name
    mastodon_app_name: str = "OneClick Social"
    mastodon_app_website: str = "https://github.com/oneclick-social"
    # plain-http Mastodon servers are refused unless this is set (tests, private networks)
    mastodon_allow_http: bool = False

    connector_poll_interval_seconds: float = 3.0
    connector_poll_timeout_seconds: float = 900.0
    media_url_ttl_seconds: int = 6 * 3600
    ingest_interval_seconds: float = 6 * 3600.0
    ingest_download_attempts: int = 4
    token_refresh_interval_seconds: float = 3600.0

    ffmpeg_binary: str | None = Field(default=None, description="ffmpeg path; found if unset")

    # self-marketing (`oneclick promo`): the product's own brand, its ad's voice
    promo_brand_slug: str = "oneclick-social"
    promo_bot_email: str = "promo-bot@oneclick.social"
    promo_approval_required: bool = False
    promo_work_dir: Path = Path("data/promo")
    elevenlabs_api_key: SecretStr | None = None
    elevenlabs_base_url: str | None = None
    elevenlabs_voice_id: str = "JBFqnCBsd6RMkjVDRZzb"
    elevenlabs_model_id: str = "eleven_multilingual_v2"
    elevenlabs_timeout_seconds: float = 60.0
    espeak_binary: str = "espeak-ng"
    espeak_voice: str = "en-us"
    espeak_words_per_minute: int = 165

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an SQLite file."""
        return self.database_url.startswith("sqlite")

    def public_url(self, path: str) -> str:
        """An absolute URL under PUBLIC_BASE_URL."""
        return self.public_base_url.rstrip("/") + "/" + path.lstrip("/")

    def oauth_client(self, platform: str) -> tuple[str, str] | None:
        """The (client id, client secret) of a network's OAuth app, or None if not configured."""
        client_id = getattr(self, f"{platform}_client_id", None)
        secret = getattr(self, f"{platform}_client_secret", None)
        if not client_id or secret is None:
            return None
        return client_id, secret.get_secret_value()

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
