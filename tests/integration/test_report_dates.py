"""/reports: a refused date is named beside its own field (a backwards range beside To), all
at once, and changing the date takes its refusal away. Driven through the app's own event
processing (tests/support/events.py), signed in."""

from __future__ import annotations

from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, run, sent_text


def test_each_refused_report_date_is_named_beside_its_field(app):
    from invoice_crm.state.reports import ReportsState as S

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, S.on_load, "/reports")
            await runner.send(tab, S.set_date, "/reports", name="start", value="2026-12-01")
            await runner.send(tab, S.set_date, "/reports", name="end", value="2026-11-01")
            await runner.send(tab, S.apply, "/reports")
            state = await runner.state(tab, S)
            assert state.errors == {"end": "The end date is before the start date"}
            assert state.error == ""  # not under the form as a whole (it showed under "Ageing as of")
            # Two unreadable dates: both named, each beside its own field.
            await runner.send(tab, S.set_date, "/reports", name="as_of", value="")
            await runner.send(tab, S.set_date, "/reports", name="start", value="")
            await runner.send(tab, S.apply, "/reports")
            state = await runner.state(tab, S)
            assert state.errors == {"as_of": "Choose a date", "start": "Choose a date"}
            # Changing a date takes away its own refusal only.
            await runner.send(tab, S.set_date, "/reports", name="as_of", value="2026-11-30")
            state = await runner.state(tab, S)
            assert state.errors == {"start": "Choose a date"}
            await runner.send(tab, S.set_date, "/reports", name="start", value="2026-10-01")
            await runner.send(tab, S.apply, "/reports")
            state = await runner.state(tab, S)
            assert state.errors == {} and state.error == ""
            assert runner.server_errors == []

    run(scenario())


def test_a_report_that_fails_ends_the_loading_state_with_a_message(app, monkeypatch):
    """An error nobody foresaw (a report's read failing) left "Loading reports…" forever."""
    from invoice_crm.services import reports
    from invoice_crm.state.reports import NOT_MADE
    from invoice_crm.state.reports import ReportsState as S

    def broken(*_args, **_kwargs):
        raise RuntimeError("read failed")

    monkeypatch.setattr(reports, "tax_report", broken)

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, S.on_load, "/reports")
            return await runner.state(tab, S)

    state = run(scenario())
    assert not state.loading and state.error == NOT_MADE


def test_a_download_is_the_report_on_screen_not_dates_typed_and_not_shown(app):
    """QA (stop 25): From and To changed without "Show reports", then "Download revenue CSV":
    the file held the typed dates' figures beside tables showing the others."""
    from invoice_crm.state.reports import ReportsState as S

    page = "/reports?as_of=2026-11-27&start=2026-11-01&end=2026-11-27&by=month"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, S.on_load, page)
            await runner.send(tab, S.set_date, page, name="start", value="2026-11-20")
            await runner.send(tab, S.set_by, page, value="client")
            files = [
                sent_text(await runner.send(tab, S.download, page, report=report, fmt=fmt))
                for report, fmt in (("revenue", "csv"), ("tax", "pdf"))
            ]
            assert runner.server_errors == []
            return files

    revenue, tax = run(scenario())
    assert "revenue-by-month-2026-11-01-to-2026-11-27.csv" in revenue
    assert "tax-2026-11-01-to-2026-11-27.pdf" in tax
