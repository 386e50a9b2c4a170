"""Reflex's start-up check "does the database match the models?" sees the database as our
migrations do: at head, nothing to report (it used to say "Detected database schema changes.
Run reflex db makemigrations" on every start, taking the search index for stray tables); a
real difference is still reported, naming our migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from invoice_crm.db import get_engine

ROOT = Path(__file__).resolve().parents[2]
CHECK = "import rxconfig\nfrom reflex.utils import prerequisites\nprerequisites.check_schema_up_to_date()\n"


def _start_up_check(url: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_a_database_at_head_gives_no_schema_warning(database):
    output = _start_up_check(database)
    assert "Detected database schema changes" not in output and "schema differs" not in output, output


def test_a_real_difference_is_still_reported(database):
    with get_engine().begin() as connection:
        connection.execute(text("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)"))
    output = _start_up_check(database)
    assert "the database schema differs from the models" in output
    assert "make migrate" in output
