"""The one typed settings object; no other module reads the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from environment variables and an optional `.env` file."""

    # hide_input_in_errors: a refused setting's value (maybe a secret) is never echoed
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

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

    # web sign-in: reverse proxies (addresses or CIDRs, comma-separated) whose
    # X-Forwarded-For is believed; default none: the connecting address is the client
    trusted_proxies: str = ""
    # public sign-up on the web page (off: accounts only from `oneclick user create`)
    signup_open: bool = True
    signup_per_address_per_hour: int = Field(default=10, ge=1)

    max_video_bytes: int = 1024 * 1024 * 1024
    max_image_bytes: int = 30 * 1024 * 1024
    # intake limits, read from the file's headers before anything is decoded
    max_image_pixels: int = 50_000_000
    max_video_pixels: int = 7680 * 4320
    max_media_side: int = 16384
    max_video_seconds: float = 30 * 60.0  # the longest any network takes (LinkedIn)
    max_video_fps: float = 240.0
    # the probe runs in a child process with these limits (address space, CPU and wall time)
    probe_memory_mb: int = 1024
    probe_timeout_seconds: float = 60.0
    # multipart text fields of an upload (each, and how many); other request bodies in all
    max_form_field_bytes: int = 64 * 1024
    max_form_fields: int = 20
    max_request_bytes: int = 1024 * 1024
    # per brand: originals + transcodes on disk (0 = unlimited), ffmpeg runs at once
    brand_storage_bytes: int = 20 * 1024 * 1024 * 1024
    brand_transcodes: int = 2
    publish_max_attempts: int = 5
    publish_retry_base_seconds: float = 5.0
    # a running target's lease, renewed by its worker's heartbeat every third of it
    publish_lease_seconds: int = 30
    # a queued target is not queued again for this long; a worker that picks it up turns
    # it into a lease at once. Short, so work a dead worker had read but not yet started
    # is taken over within a minute (queuing it twice is harmless: the claim is atomic)
    queue_ticket_seconds: int = 30
    worker_concurrency: int = 100
    sweep_interval_seconds: float = 15.0
    fault_crash_points: str = Field(default="", description="chaos tests only")

    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-5-5"
    # the operator's cap on each brand's AI spend per calendar month (UTC), in US dollars:
    # a brand may set a lower budget of its own, never a higher one; 0 turns the AI off
    ai_monthly_budget_usd: float = Field(default=20.0, ge=0)
    # AI caption calls one person may start per minute (previews, regenerations); 0: no limit
    ai_user_calls_per_minute: int = Field(default=10, ge=0)

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
    slack_scopes: str = (
        "commands,chat:write,files:read,channels:history,groups:history,"
        "users:read,channels:read,groups:read"
    )
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
    # the outbound guard (core/net_guard.py) for addresses users or remote servers choose:
    # TEST-ONLY relaxations. OUTBOUND_ALLOW_HTTP also allows plain http; OUTBOUND_ALLOW_HOSTS
    # ("127.0.0.1:8080,localhost") exempts those hosts from the public-address rule, so a
    # test suite reaches its loopback fakes. Never set either in production.
    outbound_allow_http: bool = False
    outbound_allow_hosts: str = ""

    connector_poll_interval_seconds: float = 3.0
    connector_poll_timeout_seconds: float = 900.0
    # how long a network call may wait for an answer (uploads set their own, longer, wait);
    # a create call cut off by it is looked up before any retry, never sent again blindly
    connector_timeout_seconds: float = Field(default=60.0, gt=0)
    # how long a Telegram channel upload (sendPhoto/sendVideo/sendMediaGroup) may take
    telegram_upload_timeout_seconds: int = Field(default=600, gt=0)
    media_url_ttl_seconds: int = 6 * 3600
    ingest_interval_seconds: float = 6 * 3600.0
    ingest_download_attempts: int = 4
    # the first sync of a newly connected account brings in only the newest posts: at most
    # this many, none older than this many days (0 days: no age limit)
    ingest_first_sync_posts: int = Field(default=3, ge=0, le=25)
    ingest_first_sync_days: float = Field(default=7.0, ge=0)
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

    def secret_values(self) -> list[str]:
        """The plain values of every secret setting that is set (for log redaction)."""
        values = (getattr(self, name) for name in type(self).model_fields)
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]

    def oauth_client(self, platform: str) -> tuple[str, str] | None:
        """The (client id, client secret) of a network's OAuth app, or None if not configured."""
        client_id = getattr(self, f"{platform}_client_id", None)
        secret = getattr(self, f"{platform}_client_secret", None)
        if not client_id or secret is None:
            return None
        return client_id, secret.get_secret_value()

    @field_validator("secret_key")
    @classmethod
    def _real_secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a placeholder or short SECRET_KEY (unset: generated into DATA_DIR)."""
        if value is not None:
            check_secret_key(value.get_secret_value())
        return value

    @field_validator("outbound_allow_hosts")
    @classmethod
    def _allow_hosts(cls, value: str) -> str:
        """OUTBOUND_ALLOW_HOSTS: comma-separated `host` or `host:port` entries."""
        from core.net_guard import parse_allow_hosts

        parse_allow_hosts(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        """TRUSTED_PROXIES: comma-separated IP addresses or CIDR networks."""
        from core.client_address import parse_proxies

        parse_proxies(value)
        return value

    @field_validator("token_encryption_key")
    @classmethod
    def _real_fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a TOKEN_ENCRYPTION_KEY that is not a list of Fernet keys."""
        if value is not None:
            check_fernet_keys(value.get_secret_value())
        return value

    def ensure_secrets(self) -> None:
        """Fill missing secrets from files in the data dir, generating them on first run."""
        private_dir(self.data_dir)
        if self.secret_key is None:
            self.secret_key = SecretStr(
                check_secret_key(
                    _read_or_create(
                        self.data_dir / "secret_key", lambda: secrets.token_urlsafe(48)
                    ),
                    source="the file secret_key in DATA_DIR",
                )
            )
        if self.token_encryption_key is None:
            self.token_encryption_key = SecretStr(
                check_fernet_keys(
                    _read_or_create(
                        self.data_dir / "token_encryption_key",
                        lambda: Fernet.generate_key().decode(),
                    ),
                    source="the file token_encryption_key in DATA_DIR",
                )
            )


MIN_SECRET_KEY_LENGTH = 32
PLACEHOLDER_WORDS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "your-secret",
    "example",
    "placeholder",
    "xxxxxxxx",
)
KEY_HELP = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
FERNET_HELP = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def check_secret_key(value: str, *, source: str = "SECRET_KEY") -> str:
    """The key, or ValueError when it is a placeholder or shorter than 32 characters."""
    lowered = value.strip().lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        raise ValueError(
            f"{source} is a placeholder: set a random value ({KEY_HELP}) "
            "or leave it unset to have one generated into DATA_DIR."
        )
    if len(lowered) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"{source} is too short ({len(lowered)} characters; at least "
            f"{MIN_SECRET_KEY_LENGTH}): set a random value ({KEY_HELP})."
        )
    if len(set(lowered)) < 8:
        raise ValueError(f"{source} is not random enough: set a random value ({KEY_HELP}).")
    return value


def check_fernet_keys(value: str, *, source: str = "TOKEN_ENCRYPTION_KEY") -> str:
    """The comma-separated Fernet keys, or ValueError naming what is wrong (never the key)."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise ValueError(
            f"{source} is empty: set a Fernet key ({FERNET_HELP}) or leave it "
            "unset to have one generated into DATA_DIR."
        )
    for n, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            which = f"key {n} of {source}" if len(keys) > 1 else source
            raise ValueError(
                f"{which} is not a Fernet key (a placeholder?): make one with {FERNET_HELP}."
            ) from None
    return value


def private_dir(path: Path, *, tighten: bool = True) -> None:
    """Create `path` (and parents) for this user only; with `tighten`, fix an existing one."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if tighten and path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # a mount we may not change: the files inside are still 0600
        pass


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing; tighten an existing one of ours."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        if path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # the database layer reports an unusable path in its own words
        pass


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The secret stored at `path`, or a new one written there atomically with mode 0600."""
    if path.exists():
        private_file(path)
        return path.read_text().strip()
    value = str(make())
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # never replaces a key another process wrote meanwhile
        except FileExistsError:
            return path.read_text().strip()
        except OSError:  # a file system without hard links: rename (same directory)
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, secrets filled in."""
    settings = Settings()
    settings.ensure_secrets()
    return settings
