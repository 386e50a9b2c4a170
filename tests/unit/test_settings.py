import pytest
from pydantic import ValidationError

from invoice_crm.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("APP_URL", "AUTH_URL", "APP_PORT", "BUSINESS_TIMEZONE", "BUSINESS_LOCALE", "CURRENCY", "INVOICE_NUMBER_FORMAT"):
        monkeypatch.delenv(name, raising=False)


def _settings(**env) -> Settings:
    return Settings(_env_file=None, **env)


def test_app_url_follows_the_port_unless_given(monkeypatch):
    assert _settings().app_url == "http://localhost:3000"
    monkeypatch.setenv("APP_PORT", "8123")
    assert _settings().app_url == "http://localhost:8123"
    monkeypatch.setenv("AUTH_URL", "https://billing.example.com/")  # the feature page's name
    assert _settings().app_url == "https://billing.example.com"
    monkeypatch.setenv("APP_URL", "https://app.example.com")
    assert _settings().app_url == "https://app.example.com"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BUSINESS_TIMEZONE", "Mars/Olympus", "unknown timezone"),
        ("CURRENCY", "DOGE", "Currency must be one of"),
        ("BUSINESS_LOCALE", "xx_YY", "unsupported locale"),
        ("INVOICE_NUMBER_FORMAT", "INV-{year}", "must contain {seq}"),
    ],
)
def test_bad_settings_stop_start_up_with_a_readable_reason(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        _settings()


def test_currency_is_normalised(monkeypatch):
    monkeypatch.setenv("CURRENCY", "eur")
    assert _settings().currency == "EUR"


def test_serving_several_workers_needs_redis(monkeypatch):
    import pytest

    from invoice_crm import cli
    from invoice_crm.settings import get_settings

    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="REFLEX_REDIS_URL"):
            cli.serve()
    finally:
        get_settings.cache_clear()


def test_reflex_config_allows_only_app_urls_origin_and_takes_the_bind_address(monkeypatch):
    import importlib

    import rxconfig
    from invoice_crm import settings as settings_module

    monkeypatch.setenv("APP_URL", "https://billing.example.com/app")
    monkeypatch.setenv("APP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    settings_module.get_settings.cache_clear()
    try:
        config = importlib.reload(rxconfig).config
        assert list(config.cors_allowed_origins) == ["https://billing.example.com"]
        assert config.backend_host == "127.0.0.1"
        assert config.trusted_proxy_hops == 1
    finally:
        for name in ("APP_URL", "APP_HOST", "TRUSTED_PROXY_HOPS"):
            monkeypatch.delenv(name)
        settings_module.get_settings.cache_clear()
        importlib.reload(rxconfig)


def test_admin_password_needs_eight_characters_and_mail_from_one_line():
    with pytest.raises(ValidationError, match="ADMIN_PASSWORD must be at least 8 characters"):
        _settings(admin_password="seven77")
    assert _settings(admin_password="eight888").admin_password.get_secret_value() == "eight888"
    with pytest.raises(ValidationError, match="MAIL_FROM must be one line"):
        _settings(mail_from="Me <me@example.com>\r\nBcc: all@example.com")


def test_the_business_locale_defaults_to_en_us_and_is_used_from_start_up(monkeypatch):
    from decimal import Decimal

    from invoice_crm import settings as settings_module
    from invoice_crm.domain import numbers
    from invoice_crm.domain.money import format_money

    assert _settings().business_locale == "en_US"
    monkeypatch.setenv("BUSINESS_LOCALE", "de-DE")
    settings_module.get_settings.cache_clear()
    try:
        assert settings_module.get_settings().business_locale == "de_DE"
        assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\u00a0€"
    finally:
        settings_module.get_settings.cache_clear()
        numbers.use_business_locale(numbers.DEFAULT_LOCALE)


def test_the_loopback_app_url_accepts_each_loopback_name_and_nothing_else():
    from invoice_crm.settings import Settings

    assert Settings(app_url="http://localhost:3000").app_origins == [
        "http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]
    assert Settings(app_url="http://127.0.0.1:8080/").app_origins[0] == "http://127.0.0.1:8080"
    assert "http://localhost:8080" in Settings(app_url="http://127.0.0.1:8080/").app_origins
    assert Settings(app_url="https://invoices.example.com").app_origins == ["https://invoices.example.com"]


def test_a_refused_secret_is_not_repeated_in_the_error(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "hunter2")
    with pytest.raises(ValidationError) as refused:
        _settings()
    assert "hunter2" not in str(refused.value) and "hunter2" not in repr(refused.value)
    monkeypatch.delenv("ADMIN_PASSWORD")
    monkeypatch.setenv("DATABASE_URL", "postgres://me:hunter2@db.example.com/crm")
    with pytest.raises(ValidationError, match="use postgresql\\+psycopg://") as refused:
        _settings()
    assert "hunter2" not in str(refused.value)
