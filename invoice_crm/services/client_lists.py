"""Clients as the pages read them: one page of /clients, and the few a client picker offers.

Neither sends the whole table. A page is read in name order as a person reads it, case and
accents set aside (db_search.name_key: "acme" under A, not after "Zoë"), which the index on
``client.name`` (a byte order) cannot hand over: the database keeps the page's few best rows
while it reads the names, a few milliseconds at thousands of clients, and sends only those. A
search matches any part of the name, company or email, whatever the case of any letter (as
the dashboard's search finds invoices by their client), which no ordinary index serves either;
it reads the three short columns of each client, and still sends only one page (or the
picker's few matches).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, bindparam, func, or_, select

from invoice_crm.db import read_session
from invoice_crm.db_search import contains_text, folded_like, name_key
from invoice_crm.domain.search import like_pattern, name_order
from invoice_crm.models import Client, Invoice

CLIENTS_PER_PAGE = 50
PICKER_LIMIT = 30  # the most a client picker offers at once; typing finds the others
MAX_SEARCH = 200


def search_term(text: str) -> str:
    """What a search box's text searches for: printable, trimmed, not longer than a name."""
    return "".join(ch for ch in str(text or "") if ch.isprintable()).strip()[:MAX_SEARCH]


def _matching(term: str) -> list:
    if not term:
        return []
    like = bindparam("client_like", like_pattern(term), type_=String)
    folded = folded_like(term)
    folded = None if folded is None else bindparam("client_folded", folded, type_=String)
    return [or_(*(contains_text(column, like, folded) for column in (Client.name, Client.company, Client.email)))]


@dataclass(frozen=True)
class ClientPage:
    rows: list[dict]
    total: int  # the clients the search finds (all of them without one)
    page: int  # the page read: the last one when the page asked for was past the end


def page_count(total: int, per_page: int = CLIENTS_PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def page_statement(conditions: list, page: int, per_page: int = CLIENTS_PER_PAGE):
    """The clients of one page in name order (the id orders clients of one name)."""
    return (
        select(Client).where(*conditions).order_by(name_key(Client.name), Client.id)
        .limit(per_page).offset((page - 1) * per_page)
    )


def invoice_counts(client_ids: list[int]):
    """How many invoices each of these clients has (the index on invoice.client_id counts them)."""
    return select(Invoice.client_id, func.count()).where(Invoice.client_id.in_(client_ids)).group_by(Invoice.client_id)


def client_page(search: str = "", page: int = 1, per_page: int = CLIENTS_PER_PAGE) -> ClientPage:
    """One page of /clients in name order, archived clients included (marked), with each
    one's number of invoices; ``page`` past the end reads the last page."""
    conditions = _matching(search_term(search))
    with read_session() as session:
        total = session.execute(select(func.count(Client.id)).where(*conditions)).scalar_one()
        page = min(max(1, page), page_count(total, per_page))
        clients = session.execute(page_statement(conditions, page, per_page)).scalars().all()
        ids = [c.id for c in clients]
        counts = dict(session.execute(invoice_counts(ids)).all()) if ids else {}
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "email": c.email,
            "company": c.company,
            "address": c.address,
            "tax_number": c.tax_number,
            "archived": "yes" if c.archived_at else "",
            "invoices": int(counts.get(c.id, 0)),
        }
        for c in clients
    ]
    return ClientPage(rows=rows, total=total, page=page)


def page_holding(client_id: int, search: str = "", per_page: int = CLIENTS_PER_PAGE) -> tuple[str, int]:
    """The search and page of /clients that show this client (a client just added): the
    search kept when it finds the client, else none."""
    term = search_term(search)
    with read_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            return search, 1
        conditions = _matching(term)
        if term and session.execute(select(Client.id).where(Client.id == client_id, *conditions)).first() is None:
            search, conditions = "", []
        key, its_key = name_key(Client.name), name_key(bindparam("name", client.name, type_=String))
        before = session.execute(
            select(func.count(Client.id)).where(
                *conditions, or_(key < its_key, and_(key == its_key, Client.id < client.id))
            )
        ).scalar_one()
    return search, before // per_page + 1


@dataclass(frozen=True)
class ClientChoices:
    options: list[dict[str, str]]  # id and name, in name order
    more: bool  # more clients match than are offered: typing more finds them
    matched: int  # how many of the options the search found (the chosen client aside)


def client_choices(search: str = "", chosen: int | None = None, limit: int = PICKER_LIMIT) -> ClientChoices:
    """What a client picker offers: at most ``limit`` active clients whose name, company or
    email holds ``search`` — without a search, the newest ones (the clients being worked
    with) — in name order. The ``chosen`` client is always among them, so the picker shows
    its name. Archived clients are kept with their invoices but not offered for new work."""
    term = search_term(search)
    active = [Client.archived_at.is_(None)]
    order = [name_key(Client.name), Client.id] if term else [Client.id.desc()]
    with read_session() as session:
        found = session.execute(
            select(Client.id, Client.name).where(*active, *_matching(term)).order_by(*order).limit(limit + 1)
        ).all()
        more, found = len(found) > limit, list(found[:limit])
        matched = len(found)
        if chosen is not None and all(row.id != chosen for row in found):
            found += session.execute(select(Client.id, Client.name).where(Client.id == chosen)).all()
    found.sort(key=lambda row: (name_order(row.name), row.id))
    return ClientChoices(options=[{"id": str(row.id), "name": row.name} for row in found], more=more, matched=matched)
