"""/clients and the client pickers at thousands of clients: one page of rows and a few
choices are read and sent, found by name, company or email whatever the case, the search
and the page are the URL's; and an edit into another client's name or email asks first.
Driven through the app's own events (tests/support/events.py) and the services."""

from __future__ import annotations

import pytest

from invoice_crm.db import read_session, write_session
from invoice_crm.models import Client
from invoice_crm.services import client_lists
from invoice_crm.services import clients as client_service
from invoice_crm.state.directory import clients_params, clients_url
from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, form, run, sent_text

SEEDED = 5_000


@pytest.fixture
def many_clients(app):
    """5,000 clients (every 500th archived), added in one transaction as an import would."""
    with write_session() as session:
        session.add_all(
            Client(
                name=f"Client {i:04d}", email=f"billing{i}@firm{i % 97}.example", company=f"Firm {i % 97}",
                archived_at=None if i % 500 else client_service.utcnow(),
            )
            for i in range(SEEDED)
        )
    client_service.create_client("Zephyr Ateliers", "Hello@Zephyr.Example", "Quartz Holdings")
    return SEEDED + 1


def test_the_clients_page_reads_one_page_and_finds_by_name_company_or_email(many_clients):
    first = client_lists.client_page()
    assert first.total == many_clients and len(first.rows) == client_lists.CLIENTS_PER_PAGE
    assert [r["name"] for r in first.rows] == sorted(r["name"] for r in first.rows)
    third = client_lists.client_page(page=3)
    assert third.rows[0]["name"] == "Client 0100"
    assert first.rows[0]["archived"] and not third.rows[0]["archived"]  # archived clients stay listed, marked
    last = client_lists.client_page(page=999)  # past the end: the last page
    assert last.page == client_lists.page_count(many_clients) and last.rows[-1]["name"] == "Zephyr Ateliers"
    for term in ("zephyr", "QUARTZ", "hello@zephyr", "ateliers"):
        found = client_lists.client_page(term)
        assert [r["name"] for r in found.rows] == ["Zephyr Ateliers"], term
    assert client_lists.client_page("firm7.example").total == len([i for i in range(SEEDED) if i % 97 == 7])
    none = client_lists.client_page("no such client")
    assert none.total == 0 and none.rows == [] and none.page == 1
    assert client_lists.client_page("100%").total == 0  # % is a character, not a wildcard


def test_a_picker_offers_at_most_its_limit_and_keeps_the_chosen_client(many_clients):
    newest = client_lists.client_choices()
    assert len(newest.options) == client_lists.PICKER_LIMIT and newest.more
    assert "Zephyr Ateliers" in [o["name"] for o in newest.options]  # the newest first
    found = client_lists.client_choices("client 01")
    assert len(found.options) == client_lists.PICKER_LIMIT and found.more
    assert all(o["name"].startswith("Client 01") for o in found.options)
    few = client_lists.client_choices("QUARTZ")
    assert [o["name"] for o in few.options] == ["Zephyr Ateliers"] and not few.more
    with read_session() as session:
        archived = session.query(Client).filter(Client.name == "Client 0500").one()
        chosen = session.query(Client).filter(Client.name == "Client 4321").one()
    assert client_lists.client_choices("Client 0500").options == []  # archived: not offered
    kept = client_lists.client_choices("zephyr", chosen=chosen.id)
    assert {o["name"] for o in kept.options} == {"Zephyr Ateliers", "Client 4321"} and kept.matched == 1
    assert archived.archived_at is not None


def test_the_url_names_the_search_and_the_page():
    assert clients_url("", 1) == "/clients"
    assert clients_url(" acme & co ", 3) == "/clients?q=acme+%26+co&page=3"
    assert clients_params({"q": "acme & co", "page": "3"}) == ("acme & co", 3)
    for bad in ("0", "-2", "two", "9" * 20, "٣"):
        assert clients_params({"page": bad}) == ("", 1)


def test_the_clients_page_events_send_one_page_and_round_trip_the_url(app, many_clients):
    from invoice_crm.state.directory import ClientsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients?page=2")
            state = await runner.state(tab, ClientsState)
            assert state.page == 2 and state.total == many_clients
            assert len(state.clients) == client_lists.CLIENTS_PER_PAGE and state.clients[0]["name"] == "Client 0050"
            assert state.range_label == f"51–100 of {many_clients:,}"
            shown = await runner.send(tab, ClientsState.set_search, "/clients?page=2", value="firm7.EXAMPLE")
            state = await runner.state(tab, ClientsState)
            assert state.page == 1 and all("@firm7.example" in c["email"] for c in state.clients)
            assert "/clients?q=firm7.EXAMPLE" in sent_text(shown)  # put in the URL
            nxt = await runner.send(tab, ClientsState.next_page, "/clients?q=firm7.EXAMPLE")
            assert "/clients?q=firm7.EXAMPLE&page=2" in sent_text(nxt)
            # Typing ran ahead of the URL: the first search's URL arriving does not put its
            # text back in the box (nor its rows) while the later search is shown.
            await runner.send(tab, ClientsState.set_search, "/clients", value="zep")
            await runner.send(tab, ClientsState.set_search, "/clients", value="zephyr at")
            await runner.send(tab, ClientsState.on_load, "/clients?q=zep")
            state = await runner.state(tab, ClientsState)
            assert state.search == "zephyr at" and [c["name"] for c in state.clients] == ["Zephyr Ateliers"]
            await runner.send(tab, ClientsState.on_load, "/clients?q=zephyr+at")
            assert (await runner.state(tab, ClientsState)).search == "zephyr at"
            # Back, reload or a bookmark: the URL alone shows the same list.
            await runner.send(tab, ClientsState.on_load, "/clients?q=zephyr")
            state = await runner.state(tab, ClientsState)
            assert [c["name"] for c in state.clients] == ["Zephyr Ateliers"] and state.search == "zephyr"
            await runner.send(tab, ClientsState.on_load, "/clients?q=nobody+here")
            state = await runner.state(tab, ClientsState)
            assert state.clients == [] and state.total == 0 and state.range_label == "No clients"
            assert runner.server_errors == []

    run(scenario())


@pytest.mark.parametrize(("page", "state_name"), [("/projects", "ProjectsState"), ("/leads", "LeadsState"), ("/invoices/new", "")])
def test_each_picker_finds_clients_as_typed_and_sends_at_most_its_limit(app, many_clients, page, state_name):
    from invoice_crm.state import directory
    from invoice_crm.state.editor import EditorState

    state_cls = getattr(directory, state_name) if state_name else EditorState
    load = state_cls.load_new if state_cls is EditorState else state_cls.on_load

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, load, page)
            state = await runner.state(tab, state_cls)
            assert len(state.client_options) == client_lists.PICKER_LIMIT
            assert "type a name, company or email" in state.client_hint
            await runner.send(tab, state_cls.find_clients, page, text="quartz")
            state = await runner.state(tab, state_cls)
            assert [o["name"] for o in state.client_options] == ["Zephyr Ateliers"] and state.client_hint == ""
            await runner.send(tab, state_cls.find_clients, page, text="client 2")
            state = await runner.state(tab, state_cls)
            assert len(state.client_options) == client_lists.PICKER_LIMIT and "type more" in state.client_hint
            await runner.send(tab, state_cls.find_clients, page, text="nobody at all")
            state = await runner.state(tab, state_cls)
            assert state.client_options == [] and "No client" in state.client_hint
            assert runner.server_errors == []

    run(scenario())


def test_editing_a_client_into_another_asks_first_and_saves_once(app):
    from invoice_crm.state.directory import ClientsState

    client_service.create_client("Blue Harbor Cafe", "owner@blueharbor.example")
    imp = client_service.create_client("Imp One", "imp@one.example")
    row = {"id": str(imp.id), "name": "Imp One", "email": "imp@one.example", "company": "", "address": "", "tax_number": ""}
    same = form(name="Blue Harbor Cafe", email="owner@blueharbor.example", company="", address="", tax_number="")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            await runner.send(tab, ClientsState.start_edit, "/clients", client=row)
            asked = await runner.send(tab, ClientsState.save_edit, "/clients", form=same)
            again = await runner.send(tab, ClientsState.save_edit, "/clients", form=same)  # a double click
            state = await runner.state(tab, ClientsState)
            assert state.duplicate_of == "Blue Harbor Cafe" and state.pending_edit and state.edit_open
            assert "Client saved" not in sent_text(asked) + sent_text(again)
            assert _name(imp.id) == "Imp One"  # nothing saved yet
            # Cancel: the dialog stays open with what was typed; nothing is saved.
            await runner.send(tab, ClientsState.cancel_duplicate, "/clients")
            assert _name(imp.id) == "Imp One"
            # Asked again, "Save anyway" saves it once; a second click finds nothing to save.
            await runner.send(tab, ClientsState.save_edit, "/clients", form=same)
            saved = await runner.send(tab, ClientsState.confirm_duplicate, "/clients")
            twice = await runner.send(tab, ClientsState.confirm_duplicate, "/clients")
            state = await runner.state(tab, ClientsState)
            assert "Client saved" in sent_text(saved) and "Client saved" not in sent_text(twice)
            assert not state.edit_open and state.duplicate_of == ""
            # An edit that keeps the name and email (an address) is not asked about again.
            await runner.send(tab, ClientsState.start_edit, "/clients", client={**row, "name": "Blue Harbor Cafe", "email": "owner@blueharbor.example"})
            kept = await runner.send(tab, ClientsState.save_edit, "/clients", form={**same, "address": "1 Quay"})
            assert "Client saved" in sent_text(kept)
            assert runner.server_errors == []

    run(scenario())
    assert _name(imp.id) == "Blue Harbor Cafe"


def _name(client_id: int) -> str:
    with read_session() as session:
        return session.get(Client, client_id).name


def test_a_page_keeps_only_its_rows_while_it_reads_the_names(many_clients):
    """SQLite's plan for the unsearched page and for its invoice counts. The name index is a
    byte order ("acme" after "Zoë"), so the page is sorted by the name as a person reads it
    (db_search.name_key), keeping the page's rows as it reads (a LIMIT sorter), not every
    client; the client index counts the invoices."""
    from sqlalchemy import text

    with read_session() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("the plan's words are SQLite's")

        def plan(statement) -> str:
            sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            return " ".join(str(row) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))

        page = plan(client_lists.page_statement([], 40))
        assert "SCAN client" in page and "TEMP B-TREE FOR ORDER BY" in page, page
        assert "name_order" in str(client_lists.page_statement([], 40)), "not the name's byte order"
        counts = plan(client_lists.invoice_counts([1, 2, 3]))
        assert "INDEX" in counts and "SCAN invoice" not in counts.replace("COVERING INDEX", ""), counts


# Written as a person would, in any case, with letters beyond A-Z (QA13 problems 2, 3 and 4).
NAMES = ["Zoë Ünïcode GmbH", "acme robotics", "Émile & Co", "Zulu Works", "ßeta 57", "Acme Zed", "élodie martin",
         "alpha gmbh 01", "Ärzte Praxis 10", "Blue Harbor"]
# As a person reads them: case and accents set aside (ß reads as ss).
READ_ORDER = ["acme robotics", "Acme Zed", "alpha gmbh 01", "Ärzte Praxis 10", "Blue Harbor", "élodie martin",
              "Émile & Co", "ßeta 57", "Zoë Ünïcode GmbH", "Zulu Works"]


def test_names_are_found_listed_and_compared_whatever_the_case_of_their_letters(app):
    from invoice_crm.services import client_accounts, queries
    from tests.integration.helpers import make_invoice

    made = {name: client_service.create_client(name, f"c{i}@x.example") for i, name in enumerate(NAMES)}
    zoe = made["Zoë Ünïcode GmbH"]
    make_invoice(zoe.id, lines=[{"description": "Work", "quantity": "1", "unit_price": "10"}])
    for term in ("Ünï", "ünï", "ÜNÏ", "ZOË", "zoë", "ë ü", "ïcode gmbh"):
        assert [r["name"] for r in client_lists.client_page(term).rows] == ["Zoë Ünïcode GmbH"], term
        assert [o["name"] for o in client_lists.client_choices(term).options] == ["Zoë Ünïcode GmbH"], term
        # The dashboard's search finds the client's invoices by the same words.
        assert len(queries.list_invoices(queries.InvoiceQuery(search=term))[0]) == 1, term
    assert [r["name"] for r in client_lists.client_page("ärzte").rows] == ["Ärzte Praxis 10"]
    assert client_lists.client_page("Ü_").total == 0  # _ is a character, not a wildcard
    # The similar-client question: the same name in any case, or the same email.
    for name in ("Zoë Ünïcode GmbH", "ZOË ÜNÏCODE GMBH", " zoë ünïcode gmbh "):
        assert client_accounts.find_duplicate(name, "third@zoe.example") == "Zoë Ünïcode GmbH", name
    assert client_accounts.find_duplicate("ÄRZTE PRAXIS 10", "") == "Ärzte Praxis 10"
    assert client_accounts.find_duplicate("Someone", "C0@X.EXAMPLE") == "Zoë Ünïcode GmbH"
    assert client_accounts.find_duplicate("ZOË ÜNÏCODE GMBH", "", exclude_id=zoe.id) == ""
    assert client_accounts.find_duplicate("Zoe Unicode GmbH", "") == ""  # accents are letters of their own
    # Listed as read, on every page, and a client is looked for on the page that shows it.
    assert [r["name"] for r in client_lists.client_page(per_page=50).rows] == READ_ORDER
    pages = [client_lists.client_page(page=n, per_page=3).rows for n in (1, 2, 3, 4)]
    assert [r["name"] for rows in pages for r in rows] == READ_ORDER
    for i, name in enumerate(READ_ORDER):
        assert client_lists.page_holding(made[name].id, per_page=3) == ("", i // 3 + 1), name
    assert [o["name"] for o in client_lists.client_choices("x.example").options] == READ_ORDER  # every email


def test_a_name_in_another_case_is_asked_about_before_it_is_added(app):
    from invoice_crm.state.directory import ClientsState

    client_service.create_client("Zoë Ünïcode GmbH", "zoe@example.com")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            key = (await runner.state(tab, ClientsState)).form_key
            asked = await runner.send(
                tab, ClientsState.create, "/clients", form=form(form_key=key, name="ZOË ÜNÏCODE GMBH", email="third@zoe.example")
            )
            state = await runner.state(tab, ClientsState)
            assert state.duplicate_of == "Zoë Ünïcode GmbH" and "added" not in sent_text(asked)
            assert runner.server_errors == []

    run(scenario())
    assert client_lists.client_page().total == 1


def test_a_client_just_added_is_shown_on_its_page(app, many_clients):
    from invoice_crm.state.directory import ClientsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            key = (await runner.state(tab, ClientsState)).form_key
            added = await runner.send(tab, ClientsState.create, "/clients", form=form(form_key=key, name="Client 2500b"))
            state = await runner.state(tab, ClientsState)
            assert state.page == 2501 // client_lists.CLIENTS_PER_PAGE + 1 and state.search == ""
            assert "Client 2500b" in [c["name"] for c in state.clients]
            assert f"/clients?page={state.page}" in sent_text(added) and "Client 2500b added" in sent_text(added)
            # A search that does not find the new client is left for the page that shows it.
            await runner.send(tab, ClientsState.on_load, "/clients?q=zephyr")
            key = (await runner.state(tab, ClientsState)).form_key
            await runner.send(tab, ClientsState.create, "/clients?q=zephyr", form=form(form_key=key, name="Aardvark Works"))
            state = await runner.state(tab, ClientsState)
            assert state.search == "" and state.page == 1 and state.clients[0]["name"] == "Aardvark Works"
            # One it finds is kept: both Zephyrs are in view.
            await runner.send(tab, ClientsState.on_load, "/clients?q=zephyr")
            key = (await runner.state(tab, ClientsState)).form_key
            await runner.send(tab, ClientsState.create, "/clients?q=zephyr", form=form(form_key=key, name="Zephyr Two"))
            state = await runner.state(tab, ClientsState)
            assert state.search == "zephyr" and [c["name"] for c in state.clients] == ["Zephyr Ateliers", "Zephyr Two"]
            assert runner.server_errors == []

    run(scenario())


def test_the_add_forms_refusals_are_each_beside_their_field_and_go_when_a_similar_client_is_asked_about(app):
    from invoice_crm.state.directory import ClientsState

    client_service.create_client("Blue Harbor Cafe", "owner@blueharbor.example")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            key = (await runner.state(tab, ClientsState)).form_key
            await runner.send(tab, ClientsState.create, "/clients", form=form(form_key=key, name="x", email="a@b"))
            state = await runner.state(tab, ClientsState)
            assert list(state.errors) == ["email"] and state.errors["email"].startswith("Email must look like")
            assert state.add_error == ""  # not repeated under the whole form
            await runner.send(tab, ClientsState.create, "/clients", form=form(form_key=key, name="   ", email="a@b"))
            state = await runner.state(tab, ClientsState)
            assert state.errors["name"] == "Name is required" and "email" in state.errors and state.add_error == ""
            # Put right, but the name is taken: the question is asked, the old refusals are gone.
            await runner.send(tab, ClientsState.create, "/clients",
                              form=form(form_key=key, name="Blue Harbor Cafe", email="free@blue.example"))
            state = await runner.state(tab, ClientsState)
            assert state.duplicate_of == "Blue Harbor Cafe" and state.errors == {} and state.add_error == ""
            assert runner.server_errors == []

    run(scenario())


def test_an_edit_of_a_client_deleted_elsewhere_is_refused_once_in_the_dialog_and_the_list_drops_it(app):
    from invoice_crm.services import client_accounts
    from invoice_crm.state.directory import DELETED_ELSEWHERE, ClientsState

    temp = client_service.create_client("Temp Client", "temp@client.example")
    client_service.create_client("Kept Client")
    row = {"id": str(temp.id), "name": "Temp Client", "email": "temp@client.example", "company": "", "address": "",
           "tax_number": ""}

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            await runner.send(tab, ClientsState.start_edit, "/clients", client=row)
            client_accounts.delete_client(temp.id)  # in another tab
            saved = await runner.send(tab, ClientsState.save_edit, "/clients", form={**row, "company": "Typed Co"})
            state = await runner.state(tab, ClientsState)
            assert state.edit_open and state.edit_errors == {"": DELETED_ELSEWHERE} and state.edit_error == DELETED_ELSEWHERE
            assert state.errors == {} and state.add_error == "" and state.error == ""  # the add form says nothing
            assert "not found" not in sent_text(saved) and "Client saved" not in sent_text(saved)  # no toast besides
            assert [c["name"] for c in state.clients] == ["Kept Client"]  # the list is read again
            # Closed, the dialog forgets it: the next edit opens clean.
            await runner.send(tab, ClientsState.set_edit_open, "/clients", value=False)
            state = await runner.state(tab, ClientsState)
            assert state.edit_errors == {} and not state.edit_open
            assert runner.server_errors == []

    run(scenario())
