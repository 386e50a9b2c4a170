"""A recurring profile's page (/recurring/<id>) driven through the app's own events: Stop asks
first, a tab refused because the profile changed elsewhere shows it as it is now, a finished
profile offers only Edit, and each issued invoice says what became of it."""

from __future__ import annotations

from datetime import date

import pytest

from invoice_crm.domain.errors import ValidationError
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services import recurring, recurring_issue, recurring_views
from tests.integration.helpers import make_client
from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, run, sent_text

LINES = [{"description": "Retainer", "quantity": "1", "unit_price": "1000.00"}]
START = date(2027, 1, 10)


def _profile(**kw) -> int:
    client = make_client()
    data = recurring.ProfileInput(client_id=client.id, start_date=START, lines=LINES, **kw)
    return recurring.save_profile(data, today=START).id


def _finished(profile_id: int) -> None:
    """Issue the first period, then lower the number of invoices to 1: its end is reached."""
    recurring_issue.issue_due(START)
    saved = recurring.get_profile(profile_id)
    recurring.save_profile(
        recurring.ProfileInput(client_id=saved.client_id, start_date=START, lines=LINES, occurrences="1"),
        profile_id=profile_id, today=START, expected_version=saved.version,
    )


def test_stop_is_asked_first_and_stops_once(app):
    from invoice_crm.state.recurring import RecurringDetailState

    profile_id = _profile()
    page = f"/recurring/{profile_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringDetailState.on_load, page)
            # Stop is not one of the one-click status changes any more.
            await runner.send(tab, RecurringDetailState.change_status, page, action="stop")
            # The confirmation without the question opened (an old page, a forged event) does nothing.
            await runner.send(tab, RecurringDetailState.confirm_stop, page)
            assert recurring_views.profile_view(profile_id)["status"] == "Active"
            await runner.send(tab, RecurringDetailState.open_stop, page)
            first = await runner.send(tab, RecurringDetailState.confirm_stop, page)
            second = await runner.send(tab, RecurringDetailState.confirm_stop, page)  # queued behind it
            assert "Profile stopped" in sent_text(first)
            assert "Profile stopped" not in sent_text(second) and "stopped for good" not in sent_text(second)
            shown = (await runner.state(tab, RecurringDetailState)).profile
            assert shown["status"] == "Stopped"
            assert (shown["can_pause"], shown["can_resume"], shown["can_stop"], shown["can_edit"]) == ("", "", "", "")
            assert runner.server_errors == []

    run(scenario())


def test_a_tab_refused_because_the_profile_changed_shows_it_as_it_is_now(app):
    from invoice_crm.state.recurring import RecurringDetailState

    profile_id = _profile()
    page = f"/recurring/{profile_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            first, second = await signed_in(runner, "first"), await signed_in(runner, "second")
            for tab in (first, second):
                await runner.send(tab, RecurringDetailState.on_load, page)
            await runner.send(first, RecurringDetailState.open_stop, page)
            await runner.send(first, RecurringDetailState.confirm_stop, page)
            # The second tab still shows Active with Pause and Stop; Pause is refused ...
            said = await runner.send(second, RecurringDetailState.change_status, page, action="pause")
            assert "stopped for good" in sent_text(said)
            # ... and the tab now shows the profile as it is: stopped, nothing to pause or stop.
            shown = await runner.state(second, RecurringDetailState)
            assert shown.profile["status"] == "Stopped"
            assert (shown.profile["can_pause"], shown.profile["can_stop"]) == ("", "")
            assert not shown.busy
            assert runner.server_errors == []

    run(scenario())


def test_a_finished_profile_offers_only_edit_and_cannot_be_paused(app):
    from invoice_crm.state.recurring import RecurringDetailState

    profile_id = _profile(occurrences="2")
    _finished(profile_id)
    view = recurring_views.profile_view(profile_id)
    assert view["status"] == "Finished" and view["next_issue"] == "—"
    assert (view["can_pause"], view["can_resume"], view["can_stop"], view["can_edit"]) == ("", "", "", "yes")
    assert view["ends"] == "1 invoice in all"
    for change in (recurring.pause_profile, recurring.resume_profile, recurring.stop_profile):
        with pytest.raises(ValidationError) as err:
            change(profile_id)
        assert "finished" in err.value.message and "number of invoices" in err.value.message
    assert recurring_views.profile_view(profile_id)["status"] == "Finished"
    page = f"/recurring/{profile_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringDetailState.on_load, page)
            said = await runner.send(tab, RecurringDetailState.change_status, page, action="pause")  # a stale tab
            assert "finished" in sent_text(said)
            assert (await runner.state(tab, RecurringDetailState)).profile["status"] == "Finished"

    run(scenario())
    # Raising the number of invoices brings it back, with its actions.
    saved = recurring.get_profile(profile_id)
    recurring.save_profile(
        recurring.ProfileInput(client_id=saved.client_id, start_date=START, lines=LINES, occurrences="3"),
        profile_id=profile_id, today=START, expected_version=saved.version,
    )
    view = recurring_views.profile_view(profile_id)
    assert view["status"] == "Active" and view["can_pause"] == "yes" and view["ends"] == "3 invoices in all"


def test_a_profile_paused_and_then_finished_reads_finished(database):
    profile_id = _profile(occurrences="2")
    recurring_issue.issue_due(START)
    recurring.pause_profile(profile_id)
    _finished(profile_id)
    view = recurring_views.profile_view(profile_id)
    assert (view["status"], view["next_issue"], view["can_resume"], view["can_stop"]) == ("Finished", "—", "", "")
    assert recurring_views.list_profiles()[0]["status"] == "Finished"


def test_counts_on_the_profile_page_agree_in_number(database):
    profile_id = _profile(payment_terms_days="1")
    assert recurring_views.profile_view(profile_id)["terms"] == "Due 1 day after issue"
    other = _profile(payment_terms_days="0")
    assert recurring_views.profile_view(other)["terms"] == "Due on the day of issue"


def test_each_issued_draft_says_what_became_of_it(database):
    profile_id = _profile()
    recurring_issue.issue_due(date(2027, 2, 10))  # January and February
    rows = recurring_views.profile_invoices(profile_id)
    assert [r["note"] for r in rows] == ["Draft (not sent)", "Draft (not sent)"]
    invoice_service.send_invoice(int(rows[0]["invoice_id"]))  # marked as sent by hand, no email
    invoice_service.delete_draft(int(rows[1]["invoice_id"]), "owner@example.com")
    rows = recurring_views.profile_invoices(profile_id)
    assert [r["note"] for r in rows] == ["Marked as sent (not emailed)", "Deleted before it was sent"]


def test_archiving_a_client_names_the_profiles_that_keep_issuing_and_the_profile_says_so(app):
    """The rule (README, Recurring invoices): an archived client's active profiles keep issuing
    until paused or stopped; archiving says which, and the profile and the list show it."""
    from invoice_crm.domain.numbers import format_date
    from invoice_crm.state.client_page import ClientPageState
    from invoice_crm.state.recurring import RecurringDetailState, RecurringListState

    profile_id = _profile()
    client_id = recurring.get_profile(profile_id).client_id
    paused = recurring.save_profile(recurring.ProfileInput(client_id=client_id, start_date=START, lines=LINES,
                                                           frequency="weekly"), today=START)
    recurring.pause_profile(paused.id)  # issues nothing: not named
    other = make_client("Quiet Ltd", "q@quiet.example")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientPageState.on_load, f"/clients/{client_id}")
            archived = sent_text(await runner.send(tab, ClientPageState.set_archived, f"/clients/{client_id}", archived=True))
            assert (f"Client archived. Its recurring profile keeps issuing invoices (Monthly, next {format_date(START)}): "
                    "pause or stop it under Recurring if that is not wanted") in archived
            await runner.send(tab, RecurringDetailState.on_load, f"/recurring/{profile_id}")
            assert (await runner.state(tab, RecurringDetailState)).profile["client_archived"] == "yes"
            await runner.send(tab, RecurringListState.on_load, "/recurring")
            assert {p["client_archived"] for p in (await runner.state(tab, RecurringListState)).profiles} == {"yes"}
            # A client without running profiles is archived with the plain message.
            await runner.send(tab, ClientPageState.on_load, f"/clients/{other.id}")
            plain = sent_text(await runner.send(tab, ClientPageState.set_archived, f"/clients/{other.id}", archived=True))
            assert "Client archived" in plain and "recurring" not in plain
            # Restored: the profile page no longer says archived.
            await runner.send(tab, ClientPageState.on_load, f"/clients/{client_id}")
            await runner.send(tab, ClientPageState.set_archived, f"/clients/{client_id}", archived=False)
            await runner.send(tab, RecurringDetailState.on_load, f"/recurring/{profile_id}")
            assert (await runner.state(tab, RecurringDetailState)).profile["client_archived"] == ""
            assert runner.server_errors == []

    run(scenario())


def test_an_archived_clients_active_profile_keeps_issuing(database):
    from invoice_crm.services import client_accounts

    profile_id = _profile()
    client_accounts.set_archived(recurring.get_profile(profile_id).client_id, True)
    recurring_issue.issue_due(START)
    assert recurring.get_profile(profile_id).issued_count == 1
