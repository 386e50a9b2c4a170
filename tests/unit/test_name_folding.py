"""How names are compared and ordered whatever the case of their letters (domain.search):
what SQLite is given on each connection (db.py), since its own lower() and LIKE fold only A-Z."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain.search import fold_case, name_order


def test_fold_case_lowers_every_letter_as_postgresql_does():
    assert fold_case("ZOË ÜNÏCODE GmbH") == "zoë ünïcode gmbh" == fold_case("Zoë Ünïcode GmbH")
    assert fold_case("ÄRZTE") == "ärzte" and fold_case(None) is None


def test_names_are_ordered_as_read_case_and_accents_set_aside():
    names = ["Zoë", "acme robotics", "Émile & Co", "ßeta 57", "Acme Zed", "élodie", "Ärzte", "Zulu", "Blue"]
    assert sorted(names, key=name_order) == [
        "acme robotics", "Acme Zed", "Ärzte", "Blue", "élodie", "Émile & Co", "ßeta 57", "Zoë", "Zulu",
    ]
    assert name_order(None) is None


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30))
def test_ascii_names_are_ordered_by_their_lower_case(text):
    # What db_search.name_key hands SQLite's own lower() instead of a call to Python.
    assert name_order(text) == text.lower()
