"""The README's settings table: one table (no blank line inside) naming every setting."""

import re
from pathlib import Path

from invoice_crm.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_table() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| setting"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    assert all(not line.startswith("|") for line in lines[start + len(table):]), "the table is broken in two"
    return table


def test_the_settings_table_is_one_table_with_every_setting():
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(_settings_table())))
    every = {name.upper() for name in Settings.model_fields}
    assert every - named == set()
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert example - named == set()
