"""Finding invoices by any part of their number without reading every invoice.

A search box term is matched anywhere in the number (``LIKE '%term%'``), which no ordinary
index serves: at 100,000 invoices that is a scan of the whole table on every keystroke. Both
databases have a trigram index for it, made by migration 0011:

- SQLite: ``invoice_number_search``, an FTS5 table with the trigram tokenizer over
  ``invoice.number`` (external content, kept in step by triggers on ``invoice``). Its index
  answers ``LIKE`` for terms of three characters or more, without an ``ESCAPE`` clause.
- PostgreSQL: a GIN index with pg_trgm's operator class on ``invoice.number``, which the
  planner uses for the same ``ILIKE`` the query already says (when the extension could be
  created; without it the query is the same, only slower).

Neither is in the models' metadata (SQLModel cannot declare them): ``include_object`` keeps
Alembic's comparison from reporting them as tables and indexes to drop. A later migration that
rebuilds ``invoice`` on SQLite (batch mode copies and drops the table) drops the triggers with
it and must make them again: ``SQLITE_TRIGGERS`` (as 0015 does).
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, column, func, select, table

from invoice_crm.db import get_engine
from invoice_crm.models import Invoice

SQLITE_TABLE = "invoice_number_search"
POSTGRESQL_INDEX = "ix_invoice_number_trgm"
_SEARCH = table(SQLITE_TABLE, column("rowid"), column("number"))

# What keeps the SQLite table in step with invoice.number: made by migration 0011, and again by
# any migration that rebuilds invoice (dropping a table drops its triggers).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER invoice_number_search_insert AFTER INSERT ON invoice BEGIN "
    "INSERT INTO invoice_number_search(rowid, number) VALUES (new.id, new.number); END",
    "CREATE TRIGGER invoice_number_search_delete AFTER DELETE ON invoice BEGIN "
    "INSERT INTO invoice_number_search(invoice_number_search, rowid, number) VALUES ('delete', old.id, old.number); END",
    "CREATE TRIGGER invoice_number_search_update AFTER UPDATE OF number ON invoice BEGIN "
    "INSERT INTO invoice_number_search(invoice_number_search, rowid, number) VALUES ('delete', old.id, old.number); "
    "INSERT INTO invoice_number_search(rowid, number) VALUES (new.id, new.number); END",
)
SQLITE_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS invoice_number_search_update",
    "DROP TRIGGER IF EXISTS invoice_number_search_delete",
    "DROP TRIGGER IF EXISTS invoice_number_search_insert",
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparison: the search index is not a model's table or index."""
    if type_ == "table" and reflected and name.startswith(SQLITE_TABLE):
        return False
    return not (type_ == "index" and name == POSTGRESQL_INDEX)


def search_dialect() -> str:
    """The database's kind, which decides how a number is searched (number_contains)."""
    return get_engine().dialect.name


def uses_trigram(term: str) -> bool:
    """Whether number_contains asks SQLite's trigram table for ``term``."""
    return search_dialect() == "sqlite" and len(term) >= 3 and not any(ch in term for ch in "%_")


def contains_text(column_, like):
    """``column_`` holds the escaped ``%term%`` pattern ``like``, whatever the case. On SQLite,
    LIKE already ignores the case of ASCII letters, and lower() changes only those: ILIKE's
    ``lower(x) LIKE lower(y)`` gives the same answer at twice the cost per row (a search's
    scan of every client's name, company and email)."""
    if search_dialect() == "sqlite":
        return column_.like(like, escape="\\")
    return column_.ilike(like, escape="\\")


def number_contains(term: str, like, at_most=None):
    """The condition "the invoice number contains ``term``" (case-insensitive); ``like`` is
    the escaped ``%term%`` pattern the plain query uses (a value, or a bound parameter of one).
    The trigram table's pattern is the bound parameter ``search_trigram``. With ``at_most`` (a
    number or a bound parameter), only that many of the numbers the trigram table finds are
    taken (SQLite lists them all before it reads an invoice)."""
    if uses_trigram(term):
        # The trigram index takes the term as it is (its LIKE has no ESCAPE to spare).
        return Invoice.id.in_(_trigram_ids(f"%{term}%", at_most))
    return contains_text(Invoice.number, like)


def trigram_matches(at_most):
    """How many invoice numbers the trigram table finds for the term's ``search_trigram``,
    counted no further than ``at_most`` (its index stops there)."""
    return select(func.count()).select_from(_trigram_ids(None, at_most).subquery())


def _trigram_ids(pattern: str | None, at_most):
    """The ids of the invoices whose number the trigram table finds for ``search_trigram``."""
    found = bindparam("search_trigram", pattern, type_=String)
    return select(_SEARCH.c.rowid).where(_SEARCH.c.number.like(found)).limit(at_most)
