"""The dashboard's one on_load shows the whole page in one event: the list and figures, and
its cards (the first run's question or the sample-data banner, reminders today)."""

from __future__ import annotations

from invoice_crm.services import auth, demo
from tests.support.events import EventRunner, deltas, form, run, sent_text

OWNER, PASSWORD = "owner@example.com", "correct horse"


def test_the_dashboards_on_load_fills_its_cards(database):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.dashboard import DashboardState
    from invoice_crm.state.reminder_settings import RemindersTodayState
    from invoice_crm.state.sample_data import SampleDataState

    auth.create_user(OWNER, PASSWORD)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", DashboardState.on_load, "/")
            assert (await runner.state("t", DashboardState)).loaded
            sample = await runner.state("t", SampleDataState)
            assert (sample.ask_start, sample.has_sample) == (True, False)  # a fresh install asks
            today = await runner.state("t", RemindersTodayState)
            assert today.reminders_today == 0
            assert today.reminders_note == "go out today" or today.reminders_note.startswith("inactive: ")

            demo.start_empty()  # the question answered (in another tab): the next load shows it
            await runner.send("t", DashboardState.on_load, "/")
            assert (await runner.state("t", SampleDataState)).ask_start is False
            assert runner.server_errors == []

    run(scenario())


def _loading_values(updates) -> list[bool]:
    """The dashboard's ``loading`` as each update set it, in order."""
    return [
        delta[key]["loading_rx_state_"]
        for delta in deltas(updates)
        for key in delta
        if key.endswith("dashboard_state") and "loading_rx_state_" in delta[key]
    ]


def test_a_quick_read_shows_no_loading_state_and_a_slow_one_does(database, monkeypatch):
    """Data read within QUIET_SECONDS arrives as one update with nothing shown as loading in
    between; a slower read first shows the loading state, then the data."""
    import time as clock

    from invoice_crm.invoice_crm import app
    from invoice_crm.services import dashboard as dashboard_service
    from invoice_crm.state import dashboard as dashboard_state
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.dashboard import DashboardState

    auth.create_user(OWNER, PASSWORD)
    demo.start_empty()
    quick = dashboard_service.load_dashboard

    # A roomier quiet time than the app's 0.1 s, so that a busy test machine cannot make the
    # quick read slow; the rule is the same.
    monkeypatch.setattr(dashboard_state, "QUIET_SECONDS", 0.5)

    def slow(query):
        clock.sleep(1.0)
        return quick(query)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            updates = await runner.send("t", DashboardState.on_load, "/")
            assert True not in _loading_values(updates)
            assert (await runner.state("t", DashboardState)).loaded

            monkeypatch.setattr(dashboard_state, "load_dashboard", slow)
            updates = await runner.send("t", DashboardState.on_load, "/?status=PAID")
            assert _loading_values(updates) == [True, False]
            assert runner.server_errors == []

    run(scenario())


def test_a_page_change_reads_its_rows_once_and_its_new_url_sends_nothing_again(database):
    """Next shows the next page's rows and puts the list in the URL; the URL change runs
    on_load, which finds that list already shown: no second read, no rows or cards sent again."""
    from invoice_crm.invoice_crm import app
    from invoice_crm.services import queries
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.dashboard import DashboardState, ListViewState
    from tests.integration.helpers import make_client, make_invoice

    auth.create_user(OWNER, PASSWORD)
    demo.start_empty()
    client = make_client()
    for _ in range(queries.PAGE_SIZE + 3):
        make_invoice(client.id)

    def rows_sent(updates) -> int:
        return sum(len(state["rows_rx_state_"]) for delta in deltas(updates) for state in delta.values() if "rows_rx_state_" in state)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", DashboardState.on_load, "/")
            updates = await runner.send("t", DashboardState.next_page, "/")
            assert rows_sent(updates) == 3  # the second page: the last three
            pushed = (await runner.state("t", ListViewState)).pushed
            assert "page=2" in pushed

            updates = await runner.send("t", DashboardState.on_load, pushed)
            assert rows_sent(updates) == 0
            assert "reminders_today" not in sent_text(updates)  # the cards are not read again
            dashboard = await runner.state("t", DashboardState)
            assert (dashboard.page, dashboard.loaded, len(dashboard.rows)) == (2, True, 3)
            assert runner.server_errors == []

    run(scenario())


def _in_view(updates) -> list[bool]:
    """Each value of the dashboard's "list in view" the updates carry, in order."""
    return [
        changes["list_in_view_rx_state_"]
        for delta in deltas(updates)
        for name, changes in delta.items()
        if name.endswith("list_view_state") and "list_in_view_rx_state_" in changes
    ]


def _first(updates, key: str, value=None) -> int:
    """The index of the first delta in which the dashboard's states set ``key`` (to ``value``, if given)."""
    for index, delta in enumerate(deltas(updates)):
        for name, changes in delta.items():
            if name.endswith(("dashboard_state", "list_view_state")) and key in changes and (value is None or changes[key] == value):
                return index
    raise AssertionError(f"no update sets {key}")


def test_a_reload_at_another_lists_url_never_shows_the_old_list(database):
    """Reloading the tab at another list's URL: Reflex's hydration sends the state as the tab
    left it, the old rows included. They are marked out of view in that same update, and the
    list the URL names comes in view once on_load has read it. A page change made by the
    page's own control stays in view throughout."""
    from reflex.state import State

    from invoice_crm.invoice_crm import app
    from invoice_crm.services import invoices
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.dashboard import DashboardState, ListViewState
    from tests.integration.helpers import make_client, make_invoice

    auth.create_user(OWNER, PASSWORD)
    demo.start_empty()
    client = make_client()
    drafts = [make_invoice(client.id) for _ in range(3)]
    sent = invoices.send_invoice(drafts[0].id)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            # (A read slower than QUIET_SECONDS, as on a busy machine, shows the loading state
            # first: the list comes in view with the last update either way.)
            assert _in_view(await runner.send("t", DashboardState.on_load, "/?status=DRAFT"))[-1] is True

            # The tab's storage, as the browser sends it with the hydration (the session).
            token = (await runner.state("t", AuthState)).auth_token
            storage = {"vars": {f"{AuthState.get_full_name()}.auth_token_rx_state_": token}}
            updates = await runner.send("t", State.hydrate_and_load, "/?status=SENT", **storage)
            assert _in_view(updates[:1]) == [False]  # the snapshot: the drafts held are not shown
            # Then the page's on_load (which the hydration has the browser send next): the list
            # comes in view with its rows, not before them.
            updates = await runner.send("t", DashboardState.on_load, "/?status=SENT")
            assert _in_view(updates)[-1] is True
            assert _first(updates, "rows_rx_state_") <= _first(updates, "list_in_view_rx_state_", True)
            dashboard = await runner.state("t", DashboardState)
            assert [row["number"] for row in dashboard.rows] == [sent.number]

            # The same URL again (a plain reload): the list held is the URL's, shown at once.
            assert _in_view((await runner.send("t", State.hydrate_and_load, "/?status=SENT", **storage))[:1]) == [True]

            # Status "All" by the page's control, then its URL: in view all along.
            updates = await runner.send("t", DashboardState.set_status, "/?status=SENT", value="ALL")
            assert False not in _in_view(updates)
            pushed = (await runner.state("t", ListViewState)).pushed
            assert False not in _in_view(await runner.send("t", DashboardState.on_load, pushed))
            dashboard = await runner.state("t", DashboardState)
            assert (await runner.state("t", ListViewState)).list_in_view and len(dashboard.rows) == 3
            assert runner.server_errors == []

    run(scenario())


def test_a_new_install_says_nothing_was_paid_rather_than_an_empty_chart(database):
    """A fresh install drew an empty grid with a $0-$4 axis; it says nothing was paid yet,
    and the chart appears with the first payment."""
    from datetime import date

    from invoice_crm.invoice_crm import app
    from invoice_crm.services import invoices, ledger
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.dashboard import DashboardState
    from tests.integration.helpers import make_invoice

    auth.create_user(OWNER, PASSWORD)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", DashboardState.on_load, "/")
            empty = (await runner.state("t", DashboardState)).paid_any
            inv = invoices.send_invoice(make_invoice().id)
            ledger.record_payment(inv.id, "100.00", date.today().isoformat())
            await runner.send("t", DashboardState.on_load, "/?q=x")  # another list: read again
            await runner.send("t", DashboardState.on_load, "/")
            return empty, (await runner.state("t", DashboardState)).paid_any

    assert run(scenario()) == (False, True)
