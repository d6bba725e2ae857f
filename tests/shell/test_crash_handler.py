"""The console's crash hooks (ui.shell.crash_handler): a report in the log folder, and the operator told where."""
from __future__ import annotations

import sys
import threading

from PySide6.QtWidgets import QMessageBox

from ui.shell.crash_handler import MAX_REPORTS_PER_RUN, CrashHandler


def _raise_in_thread(name: str) -> None:
    def work():
        raise RuntimeError("tile cache disk full")

    thread = threading.Thread(target=work, name=name)
    thread.start()
    thread.join()


def test_worker_thread_crash_writes_a_report_and_tells_stderr(qapp, tmp_path, capsys):
    handler = CrashHandler(tmp_path, interactive=False)
    handler.install()
    try:
        _raise_in_thread("tile-fetcher")
    finally:
        handler.uninstall()
    assert threading.excepthook is threading.__excepthook__
    [report] = handler.reports
    assert report.parent == tmp_path and report.name.startswith("crash-")
    text = report.read_text(encoding="utf-8")
    assert "Thread: tile-fetcher" in text and "RuntimeError: tile cache disk full" in text
    assert "  Qt: " in text and "  PySide6: " in text
    err = capsys.readouterr().err
    assert f"crash report written to {report}" in err


def test_gui_crash_shows_where_the_report_is(qapp, qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.text(), box.detailedText())) or 0)
    handler = CrashHandler(tmp_path, interactive=True)
    try:
        raise KeyError("case 42")
    except KeyError:
        path = handler.handle(sys.exc_info(), "MainThread")
    assert path is not None and path.is_file()
    [(text, details)] = shown
    assert str(path) in text and details == "KeyError: 'case 42'"


def test_worker_crash_reaches_the_box_on_the_gui_thread(qapp, qtbot, tmp_path, monkeypatch):
    threads = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: threads.append(threading.current_thread().name) or 0)
    handler = CrashHandler(tmp_path, interactive=True)
    handler.install()
    try:
        _raise_in_thread("sync-writer")
        qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    finally:
        handler.uninstall()
    assert threads == [threading.main_thread().name]
    assert len(handler.reports) == 1


def test_a_crash_loop_writes_a_bounded_number_of_reports(qapp, tmp_path):
    handler = CrashHandler(tmp_path, interactive=False)
    for _ in range(MAX_REPORTS_PER_RUN + 5):
        try:
            raise ValueError("paint")
        except ValueError:
            handler.handle(sys.exc_info(), "MainThread")
    assert len(handler.reports) == MAX_REPORTS_PER_RUN
    assert len(list(tmp_path.glob("crash-*.txt"))) == MAX_REPORTS_PER_RUN
