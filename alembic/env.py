"""Alembic environment: the models' metadata, the URL from settings (or the caller)."""

from logging.config import fileConfig

from sqlmodel import SQLModel

import invoice_crm.models  # noqa: F401  (registers every table on SQLModel.metadata)
from alembic import context
from invoice_crm import privacy
from invoice_crm.db import make_engine
from invoice_crm.db_search import include_object
from invoice_crm.startup import clean_failures, settings_or_exit

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    # A refused setting (ADMIN_PASSWORD too short...) stops `make migrate` with one line.
    return config.attributes.get("url") or settings_or_exit().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = _url()
    privacy.private_database(url)  # the first migration creates the file: owner-only
    # A database that cannot be reached or used: one line saying why, never the password.
    with clean_failures(url):
        engine = make_engine(url)
        conn = engine.connect()
    with conn:
        if conn.dialect.name == "sqlite":
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign
            # keys on, that DROP would cascade-delete the rows that reference it (an invoice's
            # lines). The pragma only works outside a transaction: set it on the raw connection
            # before SQLAlchemy begins one.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
