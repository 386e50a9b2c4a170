"""Business profile rules that need no database: the website and the country printed on every PDF."""

from __future__ import annotations

import pytest

from invoice_crm.domain import business, numbers
from invoice_crm.domain.business import clean_country, clean_website
from invoice_crm.domain.errors import ValidationError


@pytest.mark.parametrize("typed, kept", [
    ("northwind.example", "https://northwind.example"),
    ("http://northwind.example/about?x=1", "http://northwind.example/about?x=1"),
    ("HTTPS://www.my-site.co.uk", "HTTPS://www.my-site.co.uk"),
    ("northwind.example:8080/shop", "https://northwind.example:8080/shop"),
    ("bücher.de", "https://bücher.de"),
    ("", ""),
])
def test_a_plausible_web_address_is_kept(typed, kept):
    assert clean_website(typed) == kept


@pytest.mark.parametrize("typed", [
    "javascript:alert(1)", "JavaScript:alert(1)", "https://javascript:alert(1)", "data:text/html,hi",
    "mailto:me@northwind.example", "ftp://northwind.example", "localhost", "http://localhost:3000",
    "https://user:secret@northwind.example", "https://-northwind.example", "https://north wind.example",
    "northwind.", "https://northwind.example:port",
])
def test_anything_else_is_refused_beside_the_website_field(typed):
    with pytest.raises(ValidationError) as refused:
        clean_website(typed)
    assert refused.value.field == "website"


@pytest.mark.parametrize("typed, kept", [
    ("de", "DE"), (" gb ", "GB"), ("US", "US"), ("", ""),
    ("Germany", "DE"), ("germany", "DE"), ("United  Kingdom", "GB"), ("Switzerland", "CH"),
])
def test_a_country_is_kept_as_its_code_typed_as_the_code_or_by_name(typed, kept):
    assert clean_country(typed) == kept


def test_a_country_is_also_known_by_its_name_in_the_business_locale():
    numbers.use_business_locale("de_DE")
    try:
        assert clean_country("Deutschland") == "DE" and clean_country("Schweiz") == "CH"
    finally:
        numbers.use_business_locale("en_US")


@pytest.mark.parametrize("typed", ["XX", "QQ", "Germanyland", "D", "1A"])
def test_a_code_that_names_no_country_is_refused_beside_the_country_field(typed):
    with pytest.raises(ValidationError) as refused:
        clean_country(typed)
    assert refused.value.field == "country"


@pytest.mark.parametrize("code, locale, name", [
    ("DE", "en_US", "Germany"), ("DE", "de_DE", "Deutschland"), ("CH", "fr_FR", "Suisse"),
    ("gb", "en_GB", "United Kingdom"), ("", "en_US", ""),
])
def test_an_address_names_its_country_in_the_business_locale(code, locale, name):
    assert numbers.country_name(code, locale) == name


def test_a_file_the_browser_keeps_back_is_named_in_the_fields_words():
    from invoice_crm.domain.business import LOGO_TOO_LARGE, rejected_upload_message

    assert rejected_upload_message("file-too-large", LOGO_TOO_LARGE) == "The logo must be at most 512 KB"
    assert rejected_upload_message("too-many-files,file-too-large", LOGO_TOO_LARGE) == LOGO_TOO_LARGE
    assert rejected_upload_message("too-many-files", LOGO_TOO_LARGE) == "Drop one file at a time"
    assert rejected_upload_message("", LOGO_TOO_LARGE) == "That file could not be taken; choose another"


def test_the_request_bound_lets_the_largest_upload_through_with_its_envelope():
    from invoice_crm.api.hardening import MAX_BODY
    from invoice_crm.domain.business import MAX_LOGO_BYTES
    from invoice_crm.domain.imports import MAX_FILE_BYTES

    assert max(MAX_LOGO_BYTES, MAX_FILE_BYTES) + 16 * 1024 <= MAX_BODY


@pytest.mark.parametrize("typed", ["fr", "xx_YY", "english", "pt_BR"])
def test_a_refused_locale_names_the_ones_that_are_taken(typed):
    # It said "must look like en_US, de_DE or fr" and then refused fr.
    with pytest.raises(ValidationError) as refused:
        business.clean_locale(typed)
    assert refused.value.message == "Locale must be one of " + ", ".join(numbers.SUPPORTED_LOCALES)
    assert "fr_FR" in refused.value.message and refused.value.field == "locale"
