"""Start-up: the demo server starts on its own thread while the GUI thread works, and a status window says
what the console waits for."""
from __future__ import annotations

import threading

import pytest

from ui.shell import embedded_server, startup

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def test_the_demo_server_starts_on_a_thread_and_the_gui_keeps_running(tmp_path, monkeypatch):
    release, threads, stopped = threading.Event(), [], []

    def fake_start(directory):
        threads.append(threading.current_thread().name)
        release.wait(5)
        return "http://127.0.0.1:1", lambda: stopped.append(directory)

    monkeypatch.setattr(embedded_server, "start_embedded_server", fake_start)
    pending = startup.DemoServerStart(tmp_path / "demo")
    pumped = []

    def pump():  # the GUI thread's events while it waits
        pumped.append(1)
        if len(pumped) == 3:
            release.set()

    assert pending.result(pump=pump) == ("http://127.0.0.1:1", pending.result()[1])
    assert threads == ["onegrid-demo-start"] and len(pumped) >= 3 and pending.done()
    pending.discard()
    assert stopped == [tmp_path / "demo"] and not (tmp_path / "demo").exists()


def test_a_server_that_cannot_start_raises_on_the_gui_thread(tmp_path, monkeypatch):
    def broken(directory):
        raise RuntimeError("port taken")

    monkeypatch.setattr(embedded_server, "start_embedded_server", broken)
    with pytest.raises(RuntimeError, match="port taken"):
        startup.DemoServerStart(tmp_path).result()


@SHOWN
def test_the_status_window_says_what_is_awaited(qtbot):
    status = startup.status_window()
    qtbot.addWidget(status)
    status.say("Starting the demo server and preparing the demo city…")
    assert status.isVisible() and status.label.text().startswith("Starting the demo server")
    status.say("Logging in as lead1 at http://127.0.0.1:1…")
    assert status.label.text() == "Logging in as lead1 at http://127.0.0.1:1…"


# ---------------------------------------------------------------------- the early login (onegrid --user)

class _Outcome:
    """What a login hands over, with the closers EarlyLogin.discard calls."""

    def __init__(self):
        self.closed: list[str] = []
        self.cache = type("Cache", (), {"close": lambda _self: self.closed.append("cache")})()
        self.client = type("Client", (), {"close": lambda _self: self.closed.append("client")})()
        self.queue_prefetch = type("Read", (), {"cancel": lambda _self: self.closed.append("read")})()


def test_the_early_login_runs_on_its_own_thread_and_hands_over_its_outcome(tmp_path):
    release, calls, outcome = threading.Event(), [], _Outcome()

    def log_in(server_url, cache_root, username, password):
        calls.append((threading.current_thread().name, server_url, cache_root, username, password))
        release.wait(5)
        return outcome

    pending = startup.EarlyLogin(log_in, "http://127.0.0.1:9", tmp_path, "operator1", "secret")
    pumped = []

    def pump():  # the GUI thread goes on while the password is checked
        pumped.append(1)
        if len(pumped) == 3:
            release.set()

    assert pending.result(pump=pump) is outcome and len(pumped) >= 3 and pending.done()
    assert calls == [("onegrid-login", "http://127.0.0.1:9", tmp_path, "operator1", "secret")]
    pending.discard()  # taken: what it opened belongs to the console now
    assert outcome.closed == []


def test_a_refused_early_login_raises_on_the_gui_thread(tmp_path):
    from app.sync.session import LoginError

    def log_in(*_args):
        raise LoginError("bad_password", "wrong password for 'operator1'")

    with pytest.raises(LoginError, match="wrong password"):
        startup.EarlyLogin(log_in, "http://127.0.0.1:9", tmp_path, "operator1", "nope").result()


def test_an_early_login_the_console_never_took_closes_what_it_opened(tmp_path):
    outcome = _Outcome()
    pending = startup.EarlyLogin(lambda *_args: outcome, "http://127.0.0.1:9", tmp_path, "operator1", "pw")
    pending.discard()
    assert outcome.closed == ["read", "cache", "client"]
    pending.discard()  # once
    assert outcome.closed == ["read", "cache", "client"]
