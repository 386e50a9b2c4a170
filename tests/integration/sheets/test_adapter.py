"""The Google Sheets adapter against the fake: what it reads and writes, and how each
failure is reported (retryable or not, with a message that is safe to show)."""

from __future__ import annotations

import json
import socket
from datetime import date
from decimal import Decimal

import pytest

from invoice_crm.integrations.google_sheets import GoogleSheetsClient, SheetsConfig, SheetsError
from tests.fakes.fake_sheets import TIMEOUT
from tests.fakes.sheets_fixture import write_service_account_key


@pytest.fixture
def fake(sheets_server):
    fake, _env = sheets_server
    fake.reset()
    fake.late_answer_seconds = 1.5
    return fake


def _client(fake, env, **changes) -> GoogleSheetsClient:
    config = {
        "spreadsheet_id": env["GOOGLE_SHEETS_ID"],
        "tab": fake.default_tab,
        "credentials_file": env["GOOGLE_APPLICATION_CREDENTIALS"],
        "api_endpoint": fake.url,
        "timeout_seconds": 1,
        **changes,
    }
    return GoogleSheetsClient(SheetsConfig(**config))


def _error(call) -> SheetsError:
    with pytest.raises(SheetsError) as caught:
        call()
    return caught.value


def test_reads_column_a_writes_rows_and_appends(fake, sheets_server):
    client = _client(fake, sheets_server[1])
    assert client.read_column_a() == []
    assert client.append_rows([["Invoice #", "Amount"], ["'INV-1", "12.50", "2025-01-31"]]) == 1
    assert client.append_rows([["'INV-2", "7"]]) == 3
    client.write_rows([(2, ["'INV-1", "13.00", "2025-02-01"])])
    assert client.read_column_a() == ["Invoice #", "INV-1", "INV-2"]
    assert fake.cells() == [
        ["Invoice #", "Amount"],
        ["INV-1", Decimal("13.00"), date(2025, 2, 1)],
        ["INV-2", Decimal("7")],
    ]
    assert [r.op for r in fake.log] == ["token", "get", "append", "append", "batchUpdate", "get"]


def test_column_a_keeps_blank_rows_in_place(fake, sheets_server):
    fake.insert_rows(1, [["'A"], [], ["", "only B"], ["'D"]])
    assert _client(fake, sheets_server[1]).read_column_a() == ["A", "", "", "D"]


def test_a_tab_name_with_spaces_and_quotes_is_quoted(fake, sheets_server):
    fake.tabs["Bob's Invoices 2025"] = []
    client = _client(fake, sheets_server[1], tab="Bob's Invoices 2025")
    client.append_rows([["'X"]])
    assert fake.cells("Bob's Invoices 2025") == [["X"]]


@pytest.mark.parametrize(("status", "retryable", "words"), [
    (429, True, "quota"),
    (500, True, "unavailable"),
    (503, True, "unavailable"),
    (400, False, "refused"),
])
def test_http_failures_say_whether_a_retry_can_help(fake, sheets_server, status, retryable, words):
    fake.fail_next = [status]
    err = _error(_client(fake, sheets_server[1]).read_column_a)
    assert (err.status, err.retryable) == (status, retryable)
    assert words in err.message and f"HTTP {status}" in err.message


def test_a_wrong_spreadsheet_id_is_not_retried_soon(fake, sheets_server):
    err = _error(_client(fake, sheets_server[1], spreadsheet_id="no-such-sheet").read_column_a)
    assert (err.status, err.retryable) == (404, False)
    assert "spreadsheet id in the server settings" in err.message


def test_a_late_answer_is_a_retryable_timeout(fake, sheets_server):
    fake.fail_next = [TIMEOUT]
    err = _error(lambda: _client(fake, sheets_server[1]).append_rows([["'INV-9"]]))
    assert err.retryable and "did not answer within 1s" in err.message
    assert fake.data_rows() == [] and fake.cells() == [["INV-9"]]  # made, though unanswered


def test_an_unreachable_server_is_retryable(fake, sheets_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    err = _error(_client(fake, sheets_server[1], api_endpoint=f"http://127.0.0.1:{closed_port}").read_column_a)
    assert err.retryable and "Could not reach Google Sheets" in err.message


def test_an_unreadable_key_file_is_reported_without_its_contents(fake, sheets_server, tmp_path):
    bad = tmp_path / "key.json"
    bad.write_text(json.dumps({"type": "service_account", "private_key": "-----BEGIN secret-material"}))
    for path in (bad, tmp_path / "missing.json"):
        err = _error(_client(fake, sheets_server[1], credentials_file=str(path)).read_column_a)
        assert not err.retryable and "key file named in the server settings" in err.message
        assert "secret-material" not in err.message


def test_a_key_google_does_not_know_is_refused_at_sign_in(fake, sheets_server, tmp_path):
    key_file = write_service_account_key(fake, tmp_path)
    fake.public_keys.pop(json.loads(key_file.read_text())["client_email"])  # an unknown key
    err = _error(_client(fake, sheets_server[1], credentials_file=str(key_file)).read_column_a)
    assert not err.retryable and "sign-in failed" in err.message
    assert "PRIVATE KEY" not in err.message


def test_an_unknown_tab_is_refused_and_not_retried_soon(fake, sheets_server):
    err = _error(_client(fake, sheets_server[1], tab="No Such Tab").read_column_a)
    assert (err.status, err.retryable) == (400, False)
    assert "Unable to parse range" in err.message and "'No Such Tab'" in err.message
    assert "tab is chosen in the server settings" in err.message
