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
