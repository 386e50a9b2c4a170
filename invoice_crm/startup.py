"""What every start-up path (``alembic upgrade head``, ``python -m invoice_crm.cli``, the worker,
``reflex run`` through rxconfig.py) says when a setting or the database is wrong: one line,
"Cannot start: <what is wrong>", and no traceback. A traceback would show the bad value, and
the values here are secrets (ADMIN_PASSWORD, the password inside DATABASE_URL): they never
appear in the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

PREFIX = "Cannot start: "


def describe_settings_error(err: ValidationError) -> str:
    """Each refused setting and why, without the value it was given."""
    problems = []
    for error in err.errors(include_input=False, include_url=False):
        name = ".".join(map(str, error["loc"])).upper()
        message = error["msg"].removeprefix("Value error, ")
        problems.append(message if name and name in message else f"{name}: {message}")
    return "; ".join(problems)


def describe_database_error(err: Exception, url: str) -> str:
    """Why the database at ``url`` could not be used, naming where it is (never its password)."""
    where = _where(url)
    if isinstance(err, (sa_exc.NoSuchModuleError, ModuleNotFoundError)):
        return f"DATABASE_URL names a database driver that is not installed ({where}); use postgresql+psycopg://… or sqlite:///…"
    reason = str(getattr(err, "orig", None) or err).strip()
    reason = reason.split("\n[SQL:")[0].split("\n(Background on this error")[0]
    reason = " ".join(line.strip() for line in reason.splitlines() if line.strip())
    password = _password(url)
    if password:
        reason = reason.replace(password, "***")
    return f"cannot use the database at {where}: {reason}"


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        return "DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        return f"{parsed.drivername}:///{parsed.database or ''}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"{parsed.drivername}://{user}{host}{port}/{parsed.database or ''}"


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except sa_exc.ArgumentError:
        return None


@contextmanager
def clean_failures(url: str | None = None) -> Iterator[None]:
    """Turn a refused setting, or (with ``url``) a database that cannot be reached or used,
    into ``SystemExit("Cannot start: …")``: Python prints that one line and exits 1."""
    try:
        yield
    except ValidationError as err:
        raise SystemExit(PREFIX + describe_settings_error(err)) from None
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.NoSuchModuleError, ModuleNotFoundError) as err:
        if url is None or (isinstance(err, ModuleNotFoundError) and not _is_driver(err)):
            raise
        raise SystemExit(PREFIX + describe_database_error(err, url)) from None


def _is_driver(err: ModuleNotFoundError) -> bool:
    return (err.name or "").split(".")[0] in {"psycopg", "psycopg2", "pg8000", "asyncpg", "pymysql", "MySQLdb"}


def settings_or_exit():
    """get_settings(), or the one-line "Cannot start: …" when a setting is refused."""
    from invoice_crm.settings import get_settings

    with clean_failures():
        return get_settings()


def check_database() -> None:
    """Connect once to DATABASE_URL: a wrong one stops here with one line, not later in a loop."""
    from sqlalchemy import text

    from invoice_crm.db import get_engine

    settings = settings_or_exit()
    with clean_failures(settings.database_url), get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
