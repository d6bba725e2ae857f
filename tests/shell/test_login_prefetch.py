"""The queue's read started during the password check (`ui.shell.login_dialog.log_in`, `ColumnsPrefetch`):
handed over only with a successful login into the cache it reads, dropped otherwise."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from app.cache import LocalCache
from app.cases import queue_columns, queue_prefetch
from app.cases.queue_prefetch import ColumnsPrefetch
from app.platform.settings import user_cache_dir
from app.sync.session import LoginError
from tests.support.ui import CaseMaker
from ui.shell import login_dialog
from ui.shell.login_dialog import LoginDialog, log_in

URL = "http://127.0.0.1:9"  # nothing listens on port 9: every login here is offline


def _console_cache(root, refdata, username: str, cases: int) -> list:
    """A cache `username` logged in online to before (its offline verifier), holding `cases` cases."""
    cache = LocalCache(user_cache_dir(root, URL, username))
    try:
        cache.store_refdata(refdata.to_dict())
        cache.store_credentials(username, f"pw-{username}", {"username": username, "display_name": username,
                                                            "role": "operator", "unit_id": None,
                                                            "jurisdictions": []}, datetime.now(UTC))
        maker = CaseMaker(cache, refdata)
        return sorted(maker.make() for _ in range(cases))
    finally:
        cache.close()


@pytest.fixture
def started(monkeypatch):
    """Every ColumnsPrefetch log_in starts, in order."""
    made: list[ColumnsPrefetch] = []

    class Recorded(ColumnsPrefetch):
        def __init__(self, cache):
            super().__init__(cache)
            made.append(self)

    monkeypatch.setattr(queue_prefetch, "ColumnsPrefetch", Recorded)
    return made


@pytest.fixture
def held_read(monkeypatch):
    """Holds every prefetch's read until `release.set()`, so a test can act while the read is running."""
    release = threading.Event()
    real = queue_columns.load_columns

    def slow(cache, names=None):
        assert release.wait(10)
        return real(cache, names)

    monkeypatch.setattr(queue_columns, "load_columns", slow)
    yield release
    release.set()


def _rows(cols) -> list:
    return sorted(cols.slot_of)


def test_a_refused_offline_login_drops_the_read_started_for_it(tmp_path, refdata, started, held_read):
    _console_cache(tmp_path, refdata, "operator1", 3)
    with pytest.raises(LoginError) as refused:
        log_in(URL, tmp_path, "operator1", "not-the-password")
    assert refused.value.code == "bad_password"
    [prefetch] = started
    assert prefetch.cancelled and not prefetch.done()  # the read was still running when the check failed
    held_read.set()
    assert prefetch.result() is None and prefetch._cols is None  # the rows it read are not kept either
    prefetch.forget([])  # a late prune's ids change nothing of a cancelled read


def test_a_read_that_finished_before_the_refusal_is_dropped_too(tmp_path, refdata, started):
    _console_cache(tmp_path, refdata, "operator1", 2)
    real_verify = LocalCache.verify_offline

    def verify_after_the_read(cache, username, password):
        assert started[0].result() is not None  # the read is complete before the password is refused
        return real_verify(cache, username, password)

    LocalCache.verify_offline = verify_after_the_read
    try:
        with pytest.raises(LoginError):
            log_in(URL, tmp_path, "operator1", "wrong")
    finally:
        LocalCache.verify_offline = real_verify
    assert started[0].cancelled and started[0].result() is None and started[0]._cols is None


def test_an_accepted_offline_login_hands_over_the_read_of_its_own_cache(tmp_path, refdata, started):
    mine = _console_cache(tmp_path, refdata, "operator1", 3)
    theirs = _console_cache(tmp_path, refdata, "operator2", 2)
    with pytest.raises(LoginError):
        log_in(URL, tmp_path, "operator1", "wrong")
    outcome = log_in(URL, tmp_path, "operator2", "pw-operator2")  # another user, another cache
    try:
        assert outcome.session.offline and outcome.queue_prefetch is started[1]
        assert outcome.queue_prefetch.cache is outcome.cache and _rows(outcome.queue_prefetch.result()) == theirs
        assert started[0].result() is None  # the refused login's read is nobody's
    finally:
        outcome.cache.close()
    again = log_in(URL, tmp_path, "operator1", "pw-operator1")
    try:
        assert _rows(again.queue_prefetch.result()) == mine and again.queue_prefetch is started[2]
    finally:
        again.cache.close()


def test_the_dialog_keeps_no_read_of_a_refused_login(qtbot, tmp_path, refdata, started):
    _console_cache(tmp_path, refdata, "operator1", 2)
    theirs = _console_cache(tmp_path, refdata, "operator2", 3)
    dialog = LoginDialog(URL, tmp_path, username="operator1")
    qtbot.addWidget(dialog)
    dialog.password_edit.setText("wrong")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=15000)
    assert dialog.outcome is None and "does not match" in dialog.message.text()
    assert started[0].cancelled and started[0].result() is None
    dialog.user_edit.setText("operator2")
    dialog.password_edit.setText("pw-operator2")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.buttons.accepted.emit()
    try:
        assert dialog.outcome.queue_prefetch is started[1]
        assert _rows(dialog.outcome.queue_prefetch.result()) == theirs
    finally:
        dialog.outcome.cache.close()


def test_a_login_to_a_new_cache_starts_no_read(tmp_path, started):
    with pytest.raises(login_dialog.ServerUnreachableNoCache):
        log_in(URL, tmp_path, "operator3", "secret")
    assert started == []


def test_cases_pruned_during_the_read_leave_its_rows(demo_cache, refdata, held_read):
    maker = CaseMaker(demo_cache, refdata)
    ids = [maker.make() for _ in range(4)]
    prefetch = ColumnsPrefetch(demo_cache)
    prefetch.forget([ids[0]])  # pruned while the read runs
    held_read.set()
    assert _rows(prefetch.result()) == sorted(ids[1:])
    prefetch.forget([ids[1]])  # pruned after it ended
    assert _rows(prefetch.result()) == sorted(ids[2:]) and len(prefetch.result()) == 2


def test_what_the_login_does_not_need_loads_after_it():
    """The login dialog's modules leave numpy (the queue's columns, the sensors' wire models), Pillow (photos)
    and the sync engine to after the password check, and the login's own libraries (SQLAlchemy for the
    cache, requests for the server) to a thread while the operator types: the dialog shows sooner, and
    at a start with --user the queue's read starts sooner."""
    import subprocess
    import sys

    late = ("numpy", "PIL", "app.cases.queue_columns", "app.wire.sensors", "app.sync.engine", "app.photos.store",
            "sqlalchemy", "requests", "app.cache", "app.sync.client")
    code = ("import sys, ui.shell.main, ui.shell.login_dialog; "
            f"print(sorted(m for m in {late!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_the_dialog_loads_the_login_while_the_operator_types():
    """The login's libraries load on a thread once the dialog is up, so Log in does not wait for them."""
    import subprocess
    import sys

    code = ("import sys, time, threading; from ui.shell.main import create_application; app = create_application(); "
            "from ui.shell.login_dialog import LoginDialog; before = 'app.sync.login' in sys.modules; "
            "d = LoginDialog('http://127.0.0.1:9', sys.argv[1]); "
            "[t.join(60) for t in threading.enumerate() if t.name == 'onegrid-login-import']; "
            "print(before, 'app.sync.login' in sys.modules, 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, "/nonexistent-cache-root"], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False True True", out.stderr
