"""Settings: the only place that reads the environment (and an optional .env)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.money import normalize_currency
from invoice_crm.domain.numbering import validate_format

PROJECT_ROOT = Path(__file__).resolve().parent.parent


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore",
        # A refused value is never repeated in the error: it may be a secret (ADMIN_PASSWORD).
        hide_input_in_errors=True,
    )

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'invoice_crm.db'}"
    app_port: int = 3000
    # Interface the app listens on: 0.0.0.0 (every interface), or 127.0.0.1 behind a proxy.
    app_host: str = "0.0.0.0"
    # Empty: http://localhost:<APP_PORT>.
    app_url: str = Field(default="", validation_alias=AliasChoices("APP_URL", "AUTH_URL"))
    business_timezone: str = "UTC"
    # How numbers, money and dates are read and shown (one of numbers.SUPPORTED_LOCALES).
    business_locale: str = "en_US"
    invoice_number_format: str = "INV-{year}-{seq:04d}"
    credit_note_number_format: str = "CN-{year}-{seq:04d}"
    # Tax per rate rounded once on the invoice (document) or on every line (line).
    invoice_tax_rounding: Literal["document", "line"] = "document"
    currency: str = "USD"
    # true: load the sample data set, without asking, into a database that never had any data;
    # false or unset: the first run asks ("Start empty" or "Explore with sample data").
    load_demo_data: bool = False

    # The owner account, created (or its password reset) at start-up when both are set.
    admin_email: str = ""
    admin_password: SecretStr = SecretStr("")
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted for the client
    # address (sign-in and pay throttling) and X-Forwarded-Proto for the scheme of the app's own
    # redirects (https behind a TLS proxy); 0 ignores both (they are the client's to forge).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=10)
    # The client's Pay button: Checkout creations allowed per minute per invoice and per address.
    pay_attempts_per_minute: int = Field(default=5, ge=1, le=1000)
    overdue_sweep_seconds: int = 60
    # Seconds between the recurring-invoice worker's looks for due periods (saving a profile wakes it too).
    recurring_poll_seconds: int = Field(default=60, ge=5, le=3600)
    # Background work (overdue sweep, email sender, sheet sync, recurring invoices) in every web worker; false:
    # run `python -m invoice_crm.worker` instead (leases keep each job once either way).
    run_background_tasks: bool = True
    # Production (`make serve`): backend worker processes, and the Redis that holds Reflex's
    # state so any worker can serve any event (required for more than one worker).
    web_workers: int = Field(default=3, ge=1, le=64)
    reflex_redis_url: str = ""

    # Google Sheets mirror (off unless both are set).
    google_sheets_id: str = ""
    google_application_credentials: str = ""
    google_sheets_tab: str = "Invoices"
    google_sheets_api_endpoint: str = ""
    # The sheet worker: how often it wakes without being told of a change, how many invoices
    # one write request carries, the request timeout, retry backoff, and a write budget kept
    # under Google's per-minute quota (60 write requests per minute per user).
    sheets_sync_interval_seconds: float = 30.0
    sheets_batch_size: int = Field(default=500, ge=1, le=5000)
    sheets_timeout_seconds: float = 30.0
    sheets_retry_base_seconds: float = 5.0
    sheets_retry_max_seconds: float = 900.0
    sheets_max_writes_per_minute: int = Field(default=50, ge=2)

    # Stripe Checkout (online payment is off without a secret key).
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_api_base: str = ""

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key.get_secret_value())

    # Email delivery (off unless SMTP_HOST and MAIL_FROM are set).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    # "auto" upgrades with STARTTLS when the server offers it; true requires it; false never.
    smtp_starttls: Literal["auto"] | bool = "auto"
    smtp_ssl: bool = False
    smtp_timeout: float = 20.0
    # Send SMTP_USERNAME/SMTP_PASSWORD over a connection without TLS (never, unless set true).
    smtp_allow_plaintext_login: bool = False
    mail_from: str = ""
    email_max_attempts: int = 5
    email_retry_seconds: int = 60
    email_poll_seconds: int = 30
    # Scheduled reminders: a step that came due more than this many days ago (the app was
    # down) is skipped and logged, not sent; how often due steps are looked for.
    reminder_max_late_days: int = Field(default=3, ge=0, le=365)
    reminder_poll_seconds: int = Field(default=60, ge=5, le=86400)
    # The freelancer, as shown on invoices and in emails.
    business_name: str = ""
    business_address: str = ""

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        # The messages never repeat the URL: it holds the database password.
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "DATABASE_URL is not a database URL (postgresql+psycopg://user:password@host:5432/name "
                "or sqlite:///path); a password with @, : or / must be percent-encoded"
            ) from None
        if url.drivername in ("postgres", "postgresql"):
            raise ValueError(f"DATABASE_URL starts with {url.drivername}://; use postgresql+psycopg:// (psycopg 3)")
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise ValueError(
                f"DATABASE_URL names {url.get_backend_name()!r}; use postgresql+psycopg://… or sqlite:///…"
            )
        return value

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    @field_validator("business_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        return numbers.check_locale(value)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            return normalize_currency(value)
        except DomainError as err:
            raise ValueError(err.message) from None

    @field_validator("invoice_number_format", "credit_note_number_format")
    @classmethod
    def _usable_number_format(cls, value: str) -> str:
        try:
            return validate_format(value)
        except DomainError as err:
            raise ValueError(err.message) from None

    @field_validator("mail_from")
    @classmethod
    def _one_sender(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("MAIL_FROM must be one line: Name <address>")
        return value

    @field_validator("admin_password")
    @classmethod
    def _long_enough_password(cls, value: SecretStr) -> SecretStr:
        # The same minimum as the sign-in page's (services.auth.MIN_PASSWORD).
        if value.get_secret_value() and len(value.get_secret_value()) < 8:
            raise ValueError("ADMIN_PASSWORD must be at least 8 characters")
        return value

    @model_validator(mode="after")
    def _default_app_url(self) -> Settings:
        self.app_url = (self.app_url or f"http://localhost:{self.app_port}").rstrip("/")
        return self

    @property
    def app_origin(self) -> str:
        """scheme://host[:port] of APP_URL: the one origin allowed to call the backend."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.app_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def app_origins(self) -> list[str]:
        """The origins allowed to call the backend: APP_URL's; when that is this machine's
        loopback (the default, ``http://localhost:3000``), its other spellings too, so a browser
        opening http://127.0.0.1:3000 works as well. Loopback addresses are this machine only."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.app_url)
        if parts.hostname not in LOOPBACK_HOSTS:
            return [self.app_origin]
        port = f":{parts.port}" if parts.port else ""
        others = [f"{parts.scheme}://{host}{port}" for host in ("localhost", "127.0.0.1", "[::1]")]
        return [self.app_origin, *(o for o in others if o != self.app_origin)]

    @property
    def sheets_enabled(self) -> bool:
        return bool(self.google_sheets_id and self.google_application_credentials)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.mail_from)


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    # Money, numbers and dates follow the business locale in every process that reads settings.
    numbers.use_business_locale(settings.business_locale)
    return settings
