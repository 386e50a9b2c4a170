"""Read models for the pages: one page of rows and SQL aggregates, never the whole table."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql import operators

from invoice_crm.db import data_version, read_connection, read_session
from invoice_crm.db_search import (
    contains_text,
    folded_like,
    number_contains,
    search_dialect,
    trigram_matches,
    uses_trigram,
)
from invoice_crm.db_types import ScaledDecimal
from invoice_crm.domain.leads import status_with_invoices
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today, countdown, credited_in_full
from invoice_crm.domain.money import CURRENCIES, format_money, format_quantity, line_total
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_date
from invoice_crm.domain.search import like_pattern, search_amount
from invoice_crm.domain.totals import ZERO
from invoice_crm.models import (
    Client,
    CreditNote,
    EmailMessage,
    Invoice,
    InvoiceEvent,
    Lead,
    LineItem,
    Payment,
    Project,
    Refund,
)
from invoice_crm.services import figures
from invoice_crm.services.business_settings import business_currency, business_locale, business_timezone
from invoice_crm.services.read_cache import MISSING, VersionedCache

PAGE_SIZE = 25
DRAFT_REF = re.compile(r"\bD-0*(\d{1,9})$", re.IGNORECASE)
SORTS = {"due_date": Invoice.due_date, "amount": Invoice.amount, "number": Invoice.number}
# The default order: current work first — open (sent, overdue) invoices by due date, soonest
# first — then every other invoice, newest first.
CURRENT = "current"


@dataclass(frozen=True)
class InvoiceQuery:
    search: str = ""
    status: str = ""
    sort: str = CURRENT
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE


def _today() -> date:
    return business_today(business_timezone())


def _search_term(search: str) -> str:
    # Only printable text is searched: no stored text holds control characters (domain.text),
    # and PostgreSQL refuses NUL in a query.
    return "".join(ch for ch in search if ch.isprintable()).strip()


def _search_values(term: str) -> dict:
    """The values a search term puts in the list's conditions, by their bound parameters'
    names. Which names there are is the term's shape: terms of one shape share statements
    (_reads_for), each executed with its own values."""
    if not term:
        return {}
    values: dict = {"search_like": like_pattern(term)}
    folded = folded_like(term)
    if folded is not None:  # a term with letters beyond A-Z, for the clients' names (db_search)
        values["search_folded"] = folded
    if uses_trigram(term):
        values["search_trigram"] = f"%{term}%"
    currency = business_currency()
    amount = search_amount(term, (currency, *sorted(set(CURRENCIES) - {currency})))
    if amount is not None:
        values["search_amount"] = amount
    draft = DRAFT_REF.search(term)
    if draft:  # a draft's reference (D-0012), which is not stored
        values["search_draft"] = int(draft.group(1))
    return values


def _filters(q: InvoiceQuery, numbers_at_most=None) -> list:
    """The list's conditions; ``numbers_at_most`` (a number or a bound parameter) cuts the
    trigram table's list of numbers (db_search.number_contains)."""
    conditions = []
    if q.status:
        conditions.append(Invoice.status == InvoiceStatus(q.status))
    term = _search_term(q.search)
    if term:
        values = _search_values(term)
        like = bindparam("search_like", values["search_like"], type_=String)
        folded = bindparam("search_folded", values["search_folded"], type_=String) if "search_folded" in values else None
        client_ids = select(Client.id).where(
            or_(*(contains_text(column, like, folded) for column in (Client.name, Client.company, Client.email)))
        )
        matches = [number_contains(term, like, numbers_at_most), Invoice.client_id.in_(client_ids)]
        if "search_amount" in values:
            amount = bindparam("search_amount", values["search_amount"], type_=Invoice.__table__.c.amount.type)
            matches.append(Invoice.amount == amount)
        if "search_draft" in values:
            draft_id = bindparam("search_draft", values["search_draft"], type_=Integer)
            matches.append((Invoice.id == draft_id) & (Invoice.status == InvoiceStatus.DRAFT))
        conditions.append(or_(*matches))
    return conditions


OPEN_ORDER = (Invoice.due_date.asc(), Invoice.id.asc())
REST_ORDER = (Invoice.id.desc(),)


def list_parts(q: InvoiceQuery) -> list[tuple[list, list]]:
    """The whole list in screen order, as parts read one after another, each (conditions,
    ORDER BY): the dashboard pages through them and the CSV export streams them, so the two
    cannot differ."""
    conditions = _filters(q)
    if q.sort not in SORTS:  # current work: open invoices by due date, then the rest newest first
        is_open = Invoice.status.in_(OPEN)
        return [([*conditions, is_open], list(OPEN_ORDER)), ([*conditions, ~is_open], list(REST_ORDER))]
    column = SORTS[q.sort]
    # The id tie-breaker runs the same way as the sort column, so the column's index
    # (which ends in the row id) yields rows already in order: no sort of the whole table.
    order = [column.desc(), Invoice.id.desc()] if q.descending else [column.asc(), Invoice.id.asc()]
    return [(conditions, order)]


@dataclass(frozen=True)
class DashboardData:
    summary: dict
    rows: list[dict]
    total: int


def dashboard_data(q: InvoiceQuery) -> DashboardData:
    """Everything the dashboard shows: aggregates and one page of rows, in one session."""
    with read_session() as session:
        rows, total = _list_invoices(session, q)
        return DashboardData(summary=_dashboard_summary(session), rows=rows, total=total)


def _money_sum(condition, column=Invoice.balance_due):
    """SUM of balances due (what is still owed) where ``condition`` holds, typed so the result
    comes back as Decimal."""
    return type_coerce(
        func.sum(case((condition, column), else_=type_coerce(0, ScaledDecimal(2)))),
        ScaledDecimal(2),
    )


def _text_date(value: date | None) -> str:
    return format_date(value)


# Only what a list row shows: plain rows, no ORM identity map to fill for 25 invoices.
ROW_COLUMNS = (
    Invoice.id, Invoice.number, Invoice.amount, Invoice.currency, Invoice.status, Invoice.due_date,
    Invoice.paid_at, Invoice.sheet_sync_status, Invoice.sheet_sync_error,
    Invoice.balance_due, Invoice.amount_paid, Invoice.view_count,
    Client.name.label("client"), Project.name.label("project"),
)
_ROW_NAMES = tuple(column.key for column in ROW_COLUMNS)


def badge_of(status, amount_paid) -> str:
    """The status badge key: PARTIAL for a sent or overdue invoice with some payment, CREDITED
    for a paid one settled by credit notes with nothing received (lifecycle.credited_in_full)."""
    status = InvoiceStatus(status)
    if status in OPEN and amount_paid and amount_paid > 0:
        return "PARTIAL"
    if credited_in_full(status, amount_paid):
        return "CREDITED"
    return status.value


def list_invoices(q: InvoiceQuery) -> tuple[list[dict], int]:
    """One page of invoice rows (as display-ready dicts) and the total matching count."""
    with read_session() as session:
        return _list_invoices(session, q)


@dataclass(frozen=True)
class Counts:
    """How many invoices a search and filter match, and how many of them are open (the
    "current work" order needs that). Another page of the same list has the same counts."""

    total: int
    open: int | None = None


# Pages of lists and their counts, kept while the database has not changed (read_cache):
# paging back and forth, a filter and back, another tab on the same list read nothing again.
_pages = VersionedCache(128)
_counts = VersionedCache(128)
_many = VersionedCache(128)  # searches found to match more than FEW_MATCHES invoices


def list_page(q: InvoiceQuery, *, quick_only: bool = False) -> tuple[tuple[dict, ...], Counts] | None:
    """One page of rows and the list's counts, as a read now would give them: kept from an
    earlier read only while no transaction has committed since (and on the same day, in the
    same locale). The rows are shared by every caller: copy one to change it. With
    ``quick_only``, None instead of a read that may scan: only a kept page, or a search's page
    read from its few matches (_few_page)."""
    version = data_version()
    today, locale = _today(), business_locale()
    list_key, page_key = _page_keys(q, today, locale)
    page = MISSING if version is None else _pages.get(page_key, version)
    if page is not MISSING:
        return page
    known = MISSING if version is None else _counts.get(list_key, version)
    few = (
        uses_trigram(_search_term(q.search))
        and (known is MISSING or known.total <= FEW_MATCHES)
        and (version is None or _many.get(list_key, version) is MISSING)
    )
    if not few and quick_only:
        return None
    with read_connection() as connection:
        found = _few_page(connection, q, today, locale) if few else None
        if found is None:
            if few and version is not None:
                _many.put(list_key, version, True)
            if quick_only:
                return None
            found = _list_page(connection, q, None if known is MISSING else known, today, locale)
    rows, counts = found
    page = (tuple(rows), counts)
    if version is not None:
        _pages.put(page_key, version, page)
        if known is MISSING or counts != known:  # the open count may have been added
            _counts.put(list_key, version, counts)
    return page


def _page_keys(q: InvoiceQuery, today: date, locale: str) -> tuple[tuple, tuple]:
    """What a list's counts and a page's rows depend on besides the data: the list, the
    default currency and the locale (what an amount in the search reads as), and for the
    rows the order, the page and the day (a row's "due in 3 days")."""
    list_key = (q.search, q.status, business_currency(), locale, search_dialect())
    return list_key, (list_key, q.sort, q.descending, q.page, q.page_size, today)


# One page of a list is read by statements built once per list (search, filter, order) and
# reused for each of its pages with these parameters: building them (subqueries, a union, the
# joins) cost more than running them on an index.
_LIMIT = bindparam("page_limit", type_=Integer)
_OFFSET = bindparam("page_offset", type_=Integer)
_REACH = bindparam("page_reach", type_=Integer)  # offset + limit: each open status's share


def _rows(page_ids, order: list):
    """The display columns of the invoices whose ids ``page_ids`` (a subquery) selects."""
    return (
        select(*ROW_COLUMNS)
        .join(page_ids, page_ids.c.id == Invoice.id)
        .join(Client, Client.id == Invoice.client_id)
        .outerjoin(Project, Project.id == Invoice.project_id)
        .order_by(*order)
    )


def _page_ids(conditions: list, order: list):
    return select(Invoice.id).where(*conditions).order_by(*order).limit(_LIMIT).offset(_OFFSET).subquery()


def _open_page_ids(conditions: list):
    """Open invoices by due date: one index-ordered read per open status (the status + due date
    index holds each in order), merged; no sort of every open invoice."""
    parts = [
        select(Invoice.id, Invoice.due_date)
        .where(*conditions, Invoice.status == status)
        .order_by(Invoice.due_date.asc(), Invoice.id.asc())
        .limit(_REACH)
        .subquery()
        for status in OPEN
    ]
    merged = union_all(*(select(part.c.id, part.c.due_date) for part in parts)).subquery()
    return (
        select(merged.c.id).order_by(merged.c.due_date.asc(), merged.c.id.asc())
        .limit(_LIMIT).offset(_OFFSET).subquery()
    )


@dataclass(frozen=True)
class _ListReads:
    """The statements that read one list, whatever its page: ``rows`` are the page's rows of
    the ordered list (of the rest, after the open invoices, in the current-work order)."""

    count: Select
    rows: Select
    open_count: Select | None = None  # current work only
    open_rows: Select | None = None


def _list_reads(q: InvoiceQuery) -> _ListReads:
    conditions = _filters(q)
    count = select(func.count()).select_from(Invoice).where(*conditions)
    parts = list_parts(q)  # the export's parts too: the two orders cannot differ
    if q.sort in SORTS:
        [(_, order)] = parts
        return _ListReads(count, _rows(_page_ids(conditions, order), order))
    (open_where, open_order), (rest_where, rest_order) = parts
    return _ListReads(
        count,
        _rows(_page_ids(rest_where, rest_order), rest_order),
        select(func.count()).select_from(Invoice).where(*open_where),
        _rows(_open_page_ids(conditions), open_order),
    )


# A search on SQLite whose every part has an index (client, amount, draft id, and the number
# through the trigram table) is read from its matches when they are few: gathered by those
# indexes and sorted in the list's order, then the page's rows by id. SQLite's planner would
# otherwise walk the order's index and test every invoice until it has a page, which for a
# rare term is the whole table. A search matching more is read the usual way: its matches are
# common enough for the walk to find a page soon. (PostgreSQL weighs the two plans itself.)
FEW_MATCHES = 1000
_FEW_LIMIT = bindparam("few_limit", type_=Integer)  # FEW_MATCHES + 1: one more tells "more"


@dataclass(frozen=True)
class _FewReads:
    matches: Select  # (id, open) of at most ``few_limit`` matches, in the list's order
    rows: Select  # the display columns of the invoices of ``page_ids``
    numbers: Select | None  # how many numbers the trigram table finds, up to ``few_limit``


def _few_reads(q: InvoiceQuery) -> _FewReads:
    # SQLite lists every number the trigram table finds before it reads an invoice: a term in
    # most numbers ("INV") would list them all. Taking FEW_MATCHES + 1 of them is exact
    # without a filter, each being a match: a list that long is more than few. With a
    # filter, the numbers are counted first (up to as many), as the matches may then be fewer.
    numbers = None if q.status else _FEW_LIMIT
    parts = list_parts(q)  # the order is the list's, as the export and the usual read have it
    keys = {o.element for _, order in parts for o in order}
    # OR of equalities, not IN: an IN of values is rewritten for its values at every execution.
    is_open = case((or_(*(Invoice.status == status for status in OPEN)), 1), else_=0)
    matches = (
        select(*keys, is_open.label("open")).where(*_filters(q, numbers)).limit(_FEW_LIMIT).subquery()
    )
    if len(parts) == 1:
        [(_, order)] = parts
        order = _on(matches, order)
    else:  # current work: the open ones in their order, then the rest in theirs
        (_, open_order), (_, rest_order) = parts
        opened = matches.c.open == 1
        order = [matches.c.open.desc(), *_on(matches, open_order, opened), *_on(matches, rest_order, ~opened)]
    rows = (
        select(*ROW_COLUMNS)
        .join(Client, Client.id == Invoice.client_id)
        .outerjoin(Project, Project.id == Invoice.project_id)
        .where(Invoice.id.in_(bindparam("page_ids", expanding=True)))
    )
    counted = trigram_matches(_FEW_LIMIT) if numbers is None else None
    return _FewReads(select(matches.c.id, matches.c.open).order_by(*order), rows, counted)


def _on(matches, order: list, where=None) -> list:
    """``order`` (of invoice columns) on the matches' columns, applied only to the rows
    ``where`` holds for (the others tie, as NULL)."""
    terms = []
    for o in order:
        column = matches.c[o.element.key]
        column = column if where is None else case((where, column))
        terms.append(column.desc() if o.modifier is operators.desc_op else column.asc())
    return terms


_few: dict[tuple, _FewReads] = {}


def _few_page(connection: Connection, q: InvoiceQuery, today: date, locale: str) -> tuple[list[dict], Counts] | None:
    """The page and counts of a search read from its matches, or None when it has more than
    FEW_MATCHES of them."""
    values = _search_values(_search_term(q.search))
    key = (tuple(sorted(values)), q.status, q.sort, q.descending)
    reads = _few.get(key)
    if reads is None:
        reads = _few[key] = _few_reads(q)
    run = connection.execute
    values = {**values, "few_limit": FEW_MATCHES + 1}
    if reads.numbers is not None and "search_trigram" in values and run(reads.numbers, values).scalar_one() > FEW_MATCHES:
        return None
    matches = run(reads.matches, values).all()
    if len(matches) > FEW_MATCHES:
        return None
    offset = (max(q.page, 1) - 1) * q.page_size
    page_ids = [invoice_id for invoice_id, _ in matches[offset:offset + q.page_size]]
    found = {row.id: row for row in run(reads.rows, {"page_ids": page_ids}).all()} if page_ids else {}
    counts = Counts(len(matches), sum(is_open for _, is_open in matches))
    return [invoice_row(found[invoice_id], today, locale) for invoice_id in page_ids], counts


# The list's statements by what they are made of: the search term's shape (not its values),
# the filter, the order and the database's kind. A few hundred at most.
_reads: dict[tuple, _ListReads] = {}


def _reads_for(q: InvoiceQuery) -> tuple[_ListReads, dict]:
    """The statements that read ``q``'s list, built once per shape of list, and the search
    values to execute them with (an amount is read in the business locale and currency now)."""
    values = _search_values(_search_term(q.search))
    key = (tuple(sorted(values)), q.status, q.sort, q.descending, search_dialect())
    reads = _reads.get(key)
    if reads is None:
        reads = _reads[key] = _list_reads(q)
    return reads, values


def _current_work_rows(
    connection: Connection, reads: _ListReads, values: dict, q: InvoiceQuery, open_count: int | None = None
) -> tuple[list, int]:
    """Open invoices by due date, then the rest newest first: index-ordered reads that meet
    at the page boundary, rather than one sort of the whole table by a computed key."""
    run = connection.execute
    offset = (max(q.page, 1) - 1) * q.page_size
    if open_count is None:
        open_count = run(reads.open_count, values).scalar_one()
    rows = []
    if offset < open_count:
        page = {"page_limit": q.page_size, "page_offset": offset, "page_reach": offset + q.page_size}
        rows = run(reads.open_rows, {**values, **page}).all()
    room = q.page_size - len(rows)
    if room > 0:
        rows += run(reads.rows, {**values, "page_limit": room, "page_offset": max(0, offset - open_count)}).all()
    return rows, open_count


def _list_invoices(session, q: InvoiceQuery) -> tuple[list[dict], int]:
    rows, counts = _list_page(session.connection(), q)
    return rows, counts.total


def _list_page(
    connection: Connection, q: InvoiceQuery, counts: Counts | None = None, today: date | None = None, locale: str | None = None
) -> tuple[list[dict], Counts]:
    reads, values = _reads_for(q)
    today = today or _today()
    if counts is None:
        counts = Counts(connection.execute(reads.count, values).scalar_one())
    if q.sort not in SORTS:
        rows, open_count = _current_work_rows(connection, reads, values, q, counts.open)
        counts = Counts(counts.total, open_count)
    else:
        offset = (max(q.page, 1) - 1) * q.page_size
        page = {"page_limit": q.page_size, "page_offset": offset}
        rows = connection.execute(reads.rows, {**values, **page}).all()
    locale = locale or business_locale()
    return [invoice_row(row, today, locale) for row in rows], counts


def invoice_row(inv, today: date, locale: str) -> dict:
    """A list row for display, in ``locale``; ``inv`` is a row of ROW_COLUMNS."""
    return dict(_invoice_row(tuple(inv), today, locale))


@functools.lru_cache(maxsize=4096)
def _invoice_row(values: tuple, today: date, locale: str) -> dict:
    """Remembered by everything the row's texts are made of (its columns, the day, the
    locale): a page change shows rows seen a moment ago, and formatting them was a fifth
    of its work. Callers get a copy."""
    inv = dict(zip(_ROW_NAMES, values, strict=True))
    status = InvoiceStatus(inv["status"])
    return {
        "id": inv["id"],
        "number": display_number(inv["number"], inv["id"]),
        "client": inv["client"],
        "project": inv["project"] or "",
        "amount": format_money(inv["amount"], inv["currency"]),
        # Said under the amount only when it is not the amount: a payment or a credit note.
        "balance": format_money(inv["balance_due"], inv["currency"]) if _owes_less(status, inv) else "",
        "status": status.value,
        "badge": badge_of(status, inv["amount_paid"]),
        "due_date": _text_date(inv["due_date"]),
        "paid_at": _text_date(inv["paid_at"]),
        "countdown": countdown(status, inv["due_date"], today),
        "sync": inv["sheet_sync_status"],
        "sync_error": inv["sheet_sync_error"],
        "viewed": "yes" if inv["view_count"] else "",
    }


def _owes_less(status: InvoiceStatus, inv: dict) -> bool:
    return status in OPEN and inv["balance_due"] is not None and inv["balance_due"] != inv["amount"]


def _sum_by_currency(rows) -> str:
    parts = [format_money(amount or Decimal(0), cur) for cur, amount in rows if amount]
    return " + ".join(parts) if parts else format_money(Decimal(0), business_currency())


def dashboard_summary() -> dict:
    """Outstanding, overdue and paid-in-30-days figures plus a 12-month paid chart."""
    with read_session() as session:
        return _dashboard_summary(session)


def _chart_start(today: date) -> date:
    return date(today.year - 1, today.month, 1)


def _paid_figures(session, today: date) -> tuple[list, list, list]:
    """Money received in the last 30 days by currency (with how many invoices it paid), per
    month (default currency), and what the chart's months hold in other currencies (so the
    chart can say what it leaves out). Received is as the Reports' revenue counts it: payments
    (not removed) on their date, less refunds on theirs; a part payment counts when it comes.

    Read on every load, never cached in the process: with several workers a process-level
    cache would show figures another worker's payment (or refund) has changed. The covering
    indexes ix_payment_received and ix_refund_given make the reads index-only."""
    currency = business_currency()
    since = today - timedelta(days=30)
    live = Payment.removed_at.is_(None)
    received: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for cur, count, amount in session.execute(
        select(Payment.currency, func.count(distinct(Payment.invoice_id)), func.sum(Payment.amount))
        .where(Payment.paid_on >= since, live)
        .group_by(Payment.currency)
    ).all():
        received[cur] = [count, amount or ZERO]
    for cur, amount in session.execute(
        select(Refund.currency, func.sum(Refund.amount)).where(Refund.refunded_on >= since).group_by(Refund.currency)
    ).all():
        received[cur][1] -= amount or ZERO
    # One read of the chart's months in every currency: the default currency is plotted,
    # the others are named under the chart.
    by_month: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    start = _chart_start(today)
    for model, day, where in ((Payment, Payment.paid_on, [live]), (Refund, Refund.refunded_on, [])):
        month = func.substr(cast(day, String), 1, 7)
        sign = 1 if model is Payment else -1
        for m, cur, amount in session.execute(
            select(month, model.currency, func.sum(model.amount)).where(day >= start, *where).group_by(month, model.currency)
        ).all():
            by_month[(m, cur)] += sign * (amount or ZERO)
    monthly = sorted((m, amount) for (m, cur), amount in by_month.items() if cur == currency)
    others: dict[str, Decimal] = defaultdict(Decimal)
    for (_, cur), amount in by_month.items():
        if cur != currency and amount:
            others[cur] += amount
    paid = [(cur, count, amount) for cur, (count, amount) in sorted(received.items())]
    return paid, monthly, sorted(others.items())


def _dashboard_summary(session) -> dict:
    today = _today()
    chart_start = _chart_start(today)
    figures = session.execute(
        select(
            Invoice.currency,
            func.sum(case((Invoice.status.in_(OPEN), 1), else_=0)),
            _money_sum(Invoice.status.in_(OPEN)),
            func.sum(case((Invoice.status == InvoiceStatus.OVERDUE, 1), else_=0)),
            _money_sum(Invoice.status == InvoiceStatus.OVERDUE),
        )
        .where(Invoice.status.in_(OPEN))
        .group_by(Invoice.currency)
    ).all()
    paid, monthly, others = _paid_figures(session, today)
    by_month = defaultdict(Decimal, dict(monthly))
    months = []
    cursor, currency = chart_start, business_currency()
    while cursor <= today:
        key = f"{cursor.year:04d}-{cursor.month:02d}"
        # Chart points only: recharts plots JSON numbers; every figure shown as text stays Decimal.
        # "Nov 2026": month and full year, in the business locale.
        # "amount": the same figure as text, for the table a screen reader reads instead of the bars.
        months.append({"month": format_date(cursor, style="MMM y"), "paid": float(by_month[key]),
                       "amount": format_money(by_month[key], currency)})
        cursor = date(cursor.year + (cursor.month // 12), cursor.month % 12 + 1, 1)
    return {
        "outstanding_count": int(sum(r[1] or 0 for r in figures)),
        "outstanding": _sum_by_currency([(r[0], r[2]) for r in figures]),
        "overdue_count": int(sum(r[3] or 0 for r in figures)),
        "overdue": _sum_by_currency([(r[0], r[4]) for r in figures]),
        "paid_30d_count": int(sum(r[1] or 0 for r in paid)),
        "paid_30d": _sum_by_currency([(r[0], r[2]) for r in paid]),
        "monthly": months,
        "chart_note": _chart_note(others),
        "chart_locale": business_locale().replace("_", "-"),  # the chart's own number format
        "chart_currency": business_currency(),
    }


def _chart_note(others: list) -> str:
    """Payments the chart does not plot (it plots the default currency only), said in words."""
    amounts = [format_money(amount, cur) for cur, amount in others if amount]
    if not amounts:
        return ""
    currency = business_currency()
    return f"Shown in {currency} only; also paid in these months: {' + '.join(amounts)}."


def invoice_detail(invoice_id: int) -> dict | None:
    """Everything the invoice page shows, display-ready; ``timezone``: the business's, for its times."""
    timezone = business_timezone()
    today = business_today(timezone)
    with read_session() as session:
        found = session.execute(
            select(Invoice, Client, Project)
            .join(Client, Client.id == Invoice.client_id)
            .outerjoin(Project, Project.id == Invoice.project_id)
            .where(Invoice.id == invoice_id)
        ).first()
        if found is None:
            return None
        inv, client, project = found
        lines = session.execute(
            select(LineItem).where(LineItem.invoice_id == inv.id).order_by(LineItem.position)
        ).scalars().all()
        events = session.execute(
            select(InvoiceEvent)
            .where(InvoiceEvent.invoice_id == inv.id)
            .order_by(InvoiceEvent.created_at.desc(), InvoiceEvent.id.desc())
        ).scalars().all()
        payments = session.execute(
            select(Payment).where(Payment.invoice_id == inv.id).order_by(Payment.id)
        ).scalars().all()
        emails = session.execute(
            select(EmailMessage).where(EmailMessage.invoice_id == inv.id).order_by(EmailMessage.id.desc())
        ).scalars().all()
        credit_notes = session.execute(
            select(CreditNote).where(CreditNote.invoice_id == inv.id).order_by(CreditNote.id)
        ).scalars().all()
        refunds = session.execute(select(Refund).where(Refund.invoice_id == inv.id).order_by(Refund.id)).scalars().all()
        totals = figures.invoice_totals(session, inv, lines)
    return {
        "totals": totals,
        "credit_notes": credit_notes,
        "refunds": refunds,
        "invoice": inv,
        "client": client,
        "project": project,
        "lines": lines,
        "events": events,
        "payments": payments,
        "emails": emails,
        "countdown": countdown(inv.status, inv.due_date, today),
        "timezone": timezone,
    }


def line_rows(lines, currency: str) -> list[dict[str, str]]:
    """Line items for display (the invoice page, the pay page, the PDF): one shape, one total
    rule. ``total`` is quantity x unit price; ``discount`` and ``taxes`` say what applies."""
    return [
        {
            "description": li.description,
            "quantity": format_quantity(li.quantity),
            "unit_price": format_money(li.unit_price, currency),
            "total": format_money(line_total(li.quantity, li.unit_price, currency), currency),
            "discount": figures.line_discount_text(li, currency),
            "taxes": figures.line_tax_text(li),
        }
        for li in lines
    ]


def client_options() -> list[dict]:
    with read_session() as session:
        rows = session.execute(  # archived clients are kept, but not offered for new work
            select(Client.id, Client.name).where(Client.archived_at.is_(None)).order_by(Client.name)
        ).all()
    return [{"id": str(i), "name": n} for i, n in rows]


def project_options(client_id: int | None) -> list[dict]:
    if client_id is None:
        return []
    with read_session() as session:
        rows = session.execute(
            select(Project.id, Project.name).where(Project.client_id == client_id).order_by(Project.name)
        ).all()
    return [{"id": str(i), "name": n} for i, n in rows]


def list_projects() -> list[dict]:
    with read_session() as session:
        rows = session.execute(
            select(Project, Client.name).join(Client, Client.id == Project.client_id).order_by(Client.name, Project.name)
        ).all()
    return [{"id": p.id, "name": p.name, "client": c, "client_id": p.client_id} for p, c in rows]


def list_leads() -> list[dict]:
    """Leads with their status as the invoices tied to them (``invoice.lead_id``) allow."""
    open_count = (
        select(func.count(Invoice.id))
        .where(Invoice.lead_id == Lead.id, Invoice.status.in_(OPEN))
        .scalar_subquery()
    )
    with read_session() as session:
        rows = session.execute(
            select(Lead, Client.name, open_count).join(Client, Client.id == Lead.client_id).order_by(Lead.id.desc())
        ).all()
    return [
        {"id": lead.id, "title": lead.title, "client": c, "status": status_with_invoices(lead.status, n).value}
        for lead, c, n in rows
    ]

