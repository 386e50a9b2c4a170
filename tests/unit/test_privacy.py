"""State files are the owner's alone and tokens never reach the log."""

import logging
import stat
import subprocess
import sys
import uuid

from invoice_crm import privacy


def test_state_files_become_owner_only(tmp_path):
    states = tmp_path / ".states"
    states.mkdir(mode=0o755)
    token_file = states / f"{uuid.uuid4()}_state.pkl"
    token_file.write_bytes(b"pickled session token")
    token_file.chmod(0o644)
    privacy.make_private(states)
    assert stat.S_IMODE(states.stat().st_mode) == 0o700
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_the_backend_creates_new_files_owner_only(tmp_path):
    """As Reflex's disk state manager writes them (Path.write_bytes), after start-up."""
    script = (  # from the usual umask 022: under an inherited 077 the check would hold without the call
        "import os; os.umask(0o022); "
        "from pathlib import Path; from invoice_crm import privacy; privacy.restrict_new_files(); "
        f"Path({str(tmp_path / 'new.pkl')!r}).write_bytes(b'x')"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert stat.S_IMODE((tmp_path / "new.pkl").stat().st_mode) == 0o600


def test_tokens_are_blanked_in_every_log_record(caplog):
    privacy.redact_tokens_in_logs()
    client_token = str(uuid.uuid4())
    session_token = "Zx" * 21 + "Q"  # 43 url-safe characters, like secrets.token_urlsafe(32)
    with caplog.at_level(logging.WARNING):
        # Reflex's own warning, word for word (reflex/app.py), and one with %-style arguments.
        logging.getLogger("reflex.app").warning(f"Attempting to send delta to disconnected client {client_token!r}")
        logging.getLogger("anything").warning("session %s for %s", session_token, client_token)
    assert client_token not in caplog.text and session_token not in caplog.text
    assert caplog.text.count(privacy.REDACTED) == 3
    assert "Attempting to send delta to disconnected client" in caplog.text
