from datetime import timedelta

import argon2
import pytest
from sqlalchemy import event, select, update

from invoice_crm.db import get_engine, read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import SetupCode, SignInThrottle, User, UserSession
from invoice_crm.services import auth

OWNER, PASSWORD = "owner@example.com", "correct horse"
ATTACKER, OWNER_HOME = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def owner(database):
    auth.create_user(OWNER, PASSWORD)
    return OWNER


def test_owner_account_sign_in_and_out(database):
    assert not auth.has_users()
    auth.create_user("Owner@Example.com", "correct horse", only_if_first=True)
    with pytest.raises(ValidationError, match="already exists"):
        auth.create_user("other@example.com", "whatever123", only_if_first=True)
    token = auth.sign_in("owner@example.com", "correct horse")
    assert auth.user_for_token(token) == "owner@example.com"
    assert auth.user_for_token("forged") is None
    auth.sign_out(token)
    assert auth.user_for_token(token) is None


def test_password_is_hashed(database):
    auth.create_user("a@example.com", "s3cret-pass")
    with read_session() as s:
        stored = s.execute(select(User.password_hash)).scalar()
    assert "s3cret-pass" not in stored and stored.startswith("$argon2")


def test_guessing_slows_the_attacker_but_the_owner_signs_in_from_another_address(owner):
    for _ in range(auth.PAIR_FREE):
        with pytest.raises(ValidationError, match="wrong"):
            auth.sign_in(OWNER, "guess", ATTACKER)
    # The attacker's address waits now, even with the right password ...
    with pytest.raises(ValidationError, match="Try again in"):
        auth.sign_in(OWNER, PASSWORD, ATTACKER)
    # ... and the owner, from home, is not locked out.
    assert auth.user_for_token(auth.sign_in(OWNER, PASSWORD, OWNER_HOME)) == OWNER


def test_one_address_trying_many_emails_is_slowed_too(owner, monkeypatch):
    monkeypatch.setattr(auth, "ADDRESS_FREE", 6)  # the rule, not the number, is under test
    for n in range(auth.ADDRESS_FREE):
        with pytest.raises(ValidationError, match="wrong"):
            auth.sign_in(f"someone{n}@example.com", "guess", ATTACKER)
    with pytest.raises(ValidationError, match="Try again in"):
        auth.sign_in("fresh@example.com", "guess", ATTACKER)
    assert auth.user_for_token(auth.sign_in(OWNER, PASSWORD, OWNER_HOME)) == OWNER


def test_failed_sign_ins_at_the_same_moment_on_several_workers_each_count(owner):
    """Twelve failures from one new address recorded at the same moment (as several workers
    record them, each after its own slow password check): none fails, each is counted."""
    from tests.integration.helpers import at_once

    def record() -> None:
        with write_session() as s:
            auth._record_failure(s, "198.51.100.77", OWNER, utcnow())

    for round_ in range(1, 4):  # the race is a matter of timing: a few rounds
        at_once(record, 12)
        with read_session() as s:
            counted = dict(s.execute(select(SignInThrottle.key, SignInThrottle.failures)).all())
        assert counted == {"addr:198.51.100.77": 12 * round_, f"pair:198.51.100.77|{OWNER}": 12 * round_}
    with pytest.raises(ValidationError, match="Try again in"):
        auth.sign_in(OWNER, PASSWORD, "198.51.100.77")


def _answers(email: str, address: str) -> list[str]:
    answers = []
    for _ in range(auth.PAIR_FREE + 1):
        with pytest.raises(ValidationError) as err:
            auth.sign_in(email, "guess", address)
        answers.append(err.value.message.split(" in ")[0])
    return answers


def test_unknown_and_known_emails_get_the_same_answers(owner):
    known = _answers(OWNER, "192.0.2.1")
    unknown = _answers("nobody@example.com", "192.0.2.2")
    assert known == unknown
    assert known[-1].startswith("Too many attempts")
    assert all("@" not in a and "owner" not in a.lower() for a in known)


class _Argon2Calls:
    """The service's argon2 hasher, wrapped: every hash and verify still runs for real, and each
    is recorded with the hash it checked and the transactions open on the engine at that moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = auth._hasher
        self.calls: list[tuple[str, str | None, int]] = []
        self.open: set[int] = set()
        self.begun = 0
        monkeypatch.setattr(auth, "_hasher", self)

    def hash(self, password: str) -> str:
        self.calls.append(("hash", None, len(self.open)))
        return self.real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append(("verify", password_hash, len(self.open)))
        return self.real.verify(password_hash, password)

    def begin(self, conn) -> None:
        self.begun += 1
        self.open.add(id(conn))

    def end(self, conn) -> None:
        self.open.discard(id(conn))


def test_unknown_and_known_emails_cost_the_same(owner, monkeypatch):
    """Not timed (speed is for benches): the same work instead, one argon2 verification each,
    the unknown email's against a dummy hash made with the same parameters as the owner's."""
    argon = _Argon2Calls(monkeypatch)
    for email, address in ((OWNER, "192.0.2.1"), ("nobody@example.com", "192.0.2.2")):
        with pytest.raises(ValidationError):
            auth.sign_in(email, "guess", address)
    assert [(kind, open_) for kind, _, open_ in argon.calls] == [("verify", 0), ("verify", 0)]
    [(_, known, _), (_, unknown, _)] = argon.calls
    with read_session() as s:
        assert known == s.execute(select(User.password_hash).where(User.email == OWNER)).scalar()
    assert unknown == auth._DUMMY_HASH
    assert argon2.extract_parameters(unknown) == argon2.extract_parameters(known)


def test_no_password_hashing_inside_a_transaction(owner, monkeypatch):
    """A flood of sign-ins must not hold the write lock for an argon2 hash each: no hash or
    verification runs while a transaction is open."""
    argon = _Argon2Calls(monkeypatch)
    engine = get_engine()
    event.listen(engine, "begin", argon.begin)
    event.listen(engine, "commit", argon.end)
    event.listen(engine, "rollback", argon.end)
    try:
        auth.sign_in(OWNER, PASSWORD, "192.0.2.1")
        for _ in range(3):
            with pytest.raises(ValidationError):
                auth.sign_in(OWNER, "wrong", "192.0.2.2")
        auth.create_user("second@example.com", "another-password")
    finally:
        event.remove(engine, "begin", argon.begin)
        event.remove(engine, "commit", argon.end)
        event.remove(engine, "rollback", argon.end)
    assert argon.begun >= 5  # the sign-ins and the new user did write
    assert [kind for kind, _, _ in argon.calls] == ["verify"] * 4 + ["hash"]
    assert [open_ for _, _, open_ in argon.calls] == [0] * 5, argon.calls


def test_the_owner_needs_the_set_up_code(database):
    code = auth.new_setup_code()
    with read_session() as s:
        assert code not in s.execute(select(SetupCode.code_hash)).scalar()  # stored hashed
    for wrong in ("", "AAAA-BBBB-CCCC-DDDD"):
        with pytest.raises(ValidationError, match="set-up code is wrong") as err:
            auth.create_owner(OWNER, PASSWORD, wrong, "192.0.2.1")
        assert err.value.field == "setup_code"
    assert not auth.has_users()
    auth.create_owner(OWNER, PASSWORD, code.lower(), "192.0.2.1")  # as typed, case and dashes aside
    assert auth.user_for_token(auth.sign_in(OWNER, PASSWORD)) == OWNER
    # Used up: it does not make a second account.
    with pytest.raises(ValidationError):
        auth.create_owner("second@example.com", PASSWORD, code, "192.0.2.1")


def test_set_up_code_guessing_is_throttled(database):
    auth.new_setup_code()
    for _ in range(auth.PAIR_FREE):
        with pytest.raises(ValidationError, match="wrong"):
            auth.create_owner(OWNER, PASSWORD, "GUESS", ATTACKER)
    with pytest.raises(ValidationError, match="Try again in"):
        auth.create_owner(OWNER, PASSWORD, "GUESS", ATTACKER)


def test_changing_admin_password_at_start_up_ends_sessions(database):
    auth.ensure_user("admin@example.com", "first-pass")
    old = auth.sign_in("admin@example.com", "first-pass")
    auth.ensure_user("admin@example.com", "first-pass")  # same password: sessions stay
    assert auth.user_for_token(old) == "admin@example.com"
    auth.ensure_user("admin@example.com", "second-pass")
    assert auth.user_for_token(old) is None
    assert auth.user_for_token(auth.sign_in("admin@example.com", "second-pass")) == "admin@example.com"


def test_changing_the_password_ends_the_other_sessions(owner):
    mine, other = auth.sign_in(OWNER, PASSWORD), auth.sign_in(OWNER, PASSWORD)
    with pytest.raises(ValidationError, match="current password is wrong"):
        auth.change_password(mine, "not it", "new-password-1")
    with pytest.raises(ValidationError, match="at least 8"):
        auth.change_password(mine, PASSWORD, "short")
    auth.change_password(mine, PASSWORD, "new-password-1")
    assert auth.user_for_token(mine) == OWNER and auth.user_for_token(other) is None


def test_the_same_minimum_length_everywhere(database):
    with pytest.raises(ValidationError, match="at least 8"):
        auth.create_user(OWNER, "1234567")
    with pytest.raises(ValidationError, match="at least 8"):
        auth.ensure_user(OWNER, "1234567")


def test_admin_password_too_short_stops_start_up(database, monkeypatch, capsys):
    from invoice_crm import cli
    from tests.conftest import reset_caches

    monkeypatch.setenv("ADMIN_EMAIL", OWNER)
    monkeypatch.setenv("ADMIN_PASSWORD", "x")
    reset_caches()
    assert cli.main(["bootstrap"]) == 1
    printed = capsys.readouterr()
    assert printed.err == "Cannot start: ADMIN_PASSWORD must be at least 8 characters\n"
    assert printed.out == ""
    monkeypatch.delenv("ADMIN_PASSWORD")
    reset_caches()
    assert not auth.has_users()


def test_first_run_prints_a_set_up_code(database, monkeypatch, capsys, tmp_path):
    from invoice_crm import cli
    from tests.conftest import reset_caches

    monkeypatch.delenv("ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("LOAD_DEMO_DATA", "false")
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path / "states"))
    reset_caches()
    assert cli.main(["bootstrap"]) == 0
    printed = capsys.readouterr().out
    code = next(line.strip() for line in printed.splitlines() if line.strip().count("-") == 3)
    auth.create_owner(OWNER, PASSWORD, code)
    assert auth.has_users()


def test_expired_sessions_are_pruned(owner):
    token = auth.sign_in(OWNER, PASSWORD)
    with write_session() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert auth.user_for_token(token) is None
    auth.sign_in(OWNER, PASSWORD)  # a new sign-in sweeps the expired ones
    with read_session() as s:
        assert len(s.execute(select(UserSession)).all()) == 1
    with write_session() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert auth.prune_expired_sessions() == 1


def test_the_current_password_check_is_throttled_as_sign_in_is(owner):
    """QA: a session left open (or a copied session token) could guess the password in Change
    password at one try a second, then set a new one and end every other session."""
    token = auth.sign_in(OWNER, PASSWORD, OWNER_HOME)
    for _ in range(auth.PAIR_FREE):
        with pytest.raises(ValidationError, match="The current password is wrong"):
            auth.change_password(token, "guess", "another-long-pass-1", ATTACKER)
    with write_session() as s:  # the locks made last a while (no race with a slow machine)
        s.execute(update(SignInThrottle).where(SignInThrottle.locked_until.is_not(None))
                  .values(locked_until=utcnow() + timedelta(minutes=5)))
    # The address waits now, even with the right password, in the words sign-in uses ...
    with pytest.raises(ValidationError, match=r"^Too many attempts from your address\. Try again in \d+ seconds?\.$"):
        auth.change_password(token, PASSWORD, "another-long-pass-1", ATTACKER)
    # ... the account too, from any other address, and in the form that names every mistake.
    with pytest.raises(ValidationError, match="Try again in"):
        auth.change_password(token, "guess", "another-long-pass-1", "192.0.2.55")
    assert auth.current_password_error(token, "guess", "192.0.2.56").startswith("Too many attempts")
    # ... and sign-in from that address with that email (the same throttle).
    with pytest.raises(ValidationError, match="Try again in"):
        auth.sign_in(OWNER, PASSWORD, ATTACKER)
    with write_session() as s:  # the lock is over
        s.execute(update(SignInThrottle).values(locked_until=None))
    assert auth.change_password(token, PASSWORD, "another-long-pass-1", ATTACKER) == 0
    with read_session() as s:  # a right password forgets the failures, as at sign-in
        assert not s.execute(select(SignInThrottle.key).where(SignInThrottle.key.contains(OWNER))).all()
