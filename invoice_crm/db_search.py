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

Names, companies and emails are compared and ordered here too (``folded``, ``name_key``,
``contains_text``), the same way for the client search, the pickers, the duplicate check and
the dashboard's search, whatever the case of their letters on either database.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, String, bindparam, case, cast, column, func, select, table

from invoice_crm.db import get_engine
from invoice_crm.domain.search import fold_case, like_pattern
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


def _ascii(expr):
    """Whether ``expr`` is all ASCII, asked of SQLite itself (its bytes are as many as its
    characters): such text needs no call to Python to be folded, SQLite's lower() is exact."""
    return func.length(cast(expr, LargeBinary)) == func.length(expr)


# PostgreSQL's lower() and ILIKE fold letters by the collation's rules: a database made with
# the C locale folds only A-Z too. ICU's root collation folds every letter and orders names
# as they are read, whatever the database's locale; a server built without ICU has none,
# and its database's own locale decides.
ICU_ROOT = "und-x-icu"
_collations: dict[str, str | None] = {}


def _unicode_collation() -> str | None:
    engine = get_engine()
    key = str(engine.url)
    if key not in _collations:
        with engine.connect() as connection:
            found = connection.execute(
                select(column("collname")).select_from(table("pg_collation")).where(column("collname") == ICU_ROOT)
            ).first()
        _collations[key] = ICU_ROOT if found else None
    return _collations[key]


def _people_text(expr):
    """A name, company or email as PostgreSQL is to fold and order it (``_unicode_collation``)."""
    collation = _unicode_collation()
    return expr.collate(collation) if collation else expr


def folded(expr):
    """``expr`` with its case set aside, the same way on both databases: lower() on
    PostgreSQL (by ICU's rules); on SQLite, whose lower() lowers only A-Z, text with other
    letters goes to ``fold_case``, which db.py gives every SQLite connection
    (domain.search.fold_case). Compare names, companies and emails through it ("Zoë" and
    "ZOË" are one name)."""
    if search_dialect() != "sqlite":
        return func.lower(_people_text(expr))
    return case((_ascii(expr), func.lower(expr)), else_=func.fold_case(expr))


def name_key(expr):
    """What names are listed by: case and accents set aside, so "acme" and "élodie" are found
    under A and E, not after Z (domain.search.name_order; for ASCII text, its lower()).
    PostgreSQL orders the lowered name by ICU's collation, which places accented letters."""
    if search_dialect() != "sqlite":
        return func.lower(_people_text(expr))
    return case((_ascii(expr), func.lower(expr)), else_=func.name_order(expr))


def folded_like(term: str) -> str | None:
    """The pattern that finds ``term`` in text folded by ``fold_case``, when SQLite's LIKE
    alone would miss some (the term holds letters beyond A-Z: "ünï" in "Ünïcode"), else None:
    for a term of A-Z, digits and signs LIKE's own folding is exact, and no row calls Python."""
    pattern = like_pattern(fold_case(term))
    return None if search_dialect() != "sqlite" or pattern.isascii() else pattern


def contains_text(column_, like, folded=None):
    """A name, company or email holds the escaped ``%term%`` pattern ``like``, whatever the
    case of any letter. ``folded`` is the term's ``folded_like`` pattern when it has one (a
    value or a bound parameter of it): only text beyond ASCII can hold such a term, so only
    that text is folded (a Python call per row would make a search of thousands of clients
    several times slower). PostgreSQL's ILIKE folds every letter (by ICU's rules)."""
    if search_dialect() != "sqlite":
        return _people_text(column_).ilike(like, escape="\\")
    if folded is None:
        return column_.like(like, escape="\\")
    return ~_ascii(column_) & func.fold_case(column_).like(folded, escape="\\")


def number_contains(term: str, like, at_most=None):
    """The condition "the invoice number contains ``term``" (case-insensitive); ``like`` is
    the escaped ``%term%`` pattern the plain query uses (a value, or a bound parameter of one).
    The trigram table's pattern is the bound parameter ``search_trigram``. With ``at_most`` (a
    number or a bound parameter), only that many of the numbers the trigram table finds are
    taken (SQLite lists them all before it reads an invoice)."""
    if uses_trigram(term):
        # The trigram index takes the term as it is (its LIKE has no ESCAPE to spare).
        return Invoice.id.in_(_trigram_ids(f"%{term}%", at_most))
    # A number's letters are its format's prefix, A-Z as a rule: LIKE's and ILIKE's own
    # folding, which PostgreSQL's trigram index serves as it is.
    if search_dialect() == "sqlite":
        return Invoice.number.like(like, escape="\\")
    return Invoice.number.ilike(like, escape="\\")


def trigram_matches(at_most):
    """How many invoice numbers the trigram table finds for the term's ``search_trigram``,
    counted no further than ``at_most`` (its index stops there)."""
    return select(func.count()).select_from(_trigram_ids(None, at_most).subquery())


def _trigram_ids(pattern: str | None, at_most):
    """The ids of the invoices whose number the trigram table finds for ``search_trigram``."""
    found = bindparam("search_trigram", pattern, type_=String)
    return select(_SEARCH.c.rowid).where(_SEARCH.c.number.like(found)).limit(at_most)
