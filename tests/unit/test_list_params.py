"""The invoice list's state in the URL: every parameter is read defensively, and written back."""

from invoice_crm.state.dashboard import list_params, list_url, rows_shown

DEFAULT = {"search": "", "status": "", "sort": "current", "descending": False, "page": 1}


def test_no_parameters_is_the_default_list():
    assert list_params({}) == DEFAULT


def test_good_parameters_are_read():
    got = list_params({"q": "acme", "status": "paid", "sort": "amount", "dir": "asc", "page": "3"})
    assert got == {"search": "acme", "status": "PAID", "sort": "amount", "descending": False, "page": 3}


def test_bad_values_fall_back_to_defaults():
    bad = {"status": "LOST", "sort": "drop table", "dir": "sideways", "page": "-2"}
    assert list_params(bad) == DEFAULT
    for page in ("0", "abc", "1e3", "٣", "", "2.5"):
        assert list_params({"page": page})["page"] == 1, page
    assert list_params({"page": "99999999999999"})["page"] == 1_000_000
    assert len(list_params({"q": "x" * 5000})["search"]) == 200


def test_direction_defaults_follow_the_sort():
    assert list_params({"sort": "amount"})["descending"] is True
    assert list_params({"sort": "due_date"})["descending"] is False


def test_the_url_round_trips():
    url = list_url("50% off & more", "OVERDUE", "number", True, 4)
    assert url.startswith("/?")
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(url[2:]))
    assert params == {"q": "50% off & more", "status": "OVERDUE", "sort": "number", "dir": "desc", "page": "4"}
    assert list_params(params) == {
        "search": "50% off & more", "status": "OVERDUE", "sort": "number", "descending": True, "page": 4,
    }


def test_the_rows_a_page_shows_are_written_as_the_business_locale_groups_numbers():
    """"99976–100000 of 100,000" mixed two ways on one line (and en_US grouping under de_DE)."""
    from invoice_crm.domain import numbers

    assert rows_shown(4000, 100_000) == "99,976–100,000 of 100,000"
    assert rows_shown(1, 7) == "1–7 of 7"
    numbers.use_business_locale("de_DE")
    try:
        assert rows_shown(4000, 100_000) == "99.976–100.000 of 100.000"
    finally:
        numbers.use_business_locale("en_US")
