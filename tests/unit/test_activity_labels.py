"""The invoice page's Activity list shows words, not codes: every kind of activity the app logs
has a label (found in the source, so a new kind without one fails here), and a kind without a
label (a row from an older version) still reads as words, never blank."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from invoice_crm.domain.activity import EVENT_LABELS, event_label

PACKAGE = Path(__file__).resolve().parents[2] / "invoice_crm"


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _kinds_in(tree: ast.AST, where: str) -> set[str]:
    """Kinds written by ``log_event(session, invoice_id, kind, …)``, by ``InvoiceEvent(kind=…)``
    and by the rows of an ``insert(InvoiceEvent)``."""
    kinds: set[str] = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if _name(call) == "log_event" and len(call.args) >= 3:
            found = _strings(call.args[2])  # a literal, or "paid" if … else "payment"
            assert found, f"{where}:{call.lineno}: log_event's kind is not written out; label it and list it here"
            kinds |= found
        elif _name(call) == "InvoiceEvent":
            for keyword in call.keywords:
                if keyword.arg == "kind":  # log_event's own InvoiceEvent(kind=kind) adds nothing
                    kinds |= _strings(keyword.value)
        elif any(isinstance(a, ast.Call) and _name(a) == "insert" and "InvoiceEvent" in ast.unparse(a) for a in call.args):
            for row in (n for n in ast.walk(call) if isinstance(n, ast.Dict)):
                for key, value in zip(row.keys, row.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "kind":
                        kinds |= _strings(value)
    return kinds


def logged_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        kinds |= _kinds_in(ast.parse(path.read_text(encoding="utf-8")), str(path.relative_to(PACKAGE)))
    return kinds


def test_every_kind_the_app_logs_has_a_label():
    kinds = logged_kinds()
    # The scan finds the kinds written each way (a literal, a conditional, a bulk insert).
    assert {"sent", "payment_link", "paid", "payment", "overdue", "reminder_skipped"} <= kinds
    assert sorted(kinds - EVENT_LABELS.keys()) == []


@pytest.mark.parametrize("kind", sorted(EVENT_LABELS))
def test_a_label_keeps_the_words_of_its_code_and_no_underscore(kind):
    label = EVENT_LABELS[kind]
    assert "_" not in label and label[0].isupper()
    assert all(word in label.lower() for word in kind.split("_"))  # "paid" still finds the paid row


def test_labels_read_as_words():
    assert event_label("payment_link") == "Payment link"
    assert event_label("due_moved") == "Due date moved"
    assert event_label("sent") == "Sent"


def test_a_kind_without_a_label_reads_as_its_words_never_blank():
    assert event_label("late_fee_added") == "Late fee added"
    assert event_label("archived") == "Archived"
    assert event_label("_odd__code_") == "Odd code"
    assert event_label("") == "Event"
