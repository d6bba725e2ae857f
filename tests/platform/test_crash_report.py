"""The crash report writer (app.platform.crash_report) and the log's recent-lines buffer it quotes. Qt-free."""
from __future__ import annotations

import logging
import platform
import sys
from datetime import datetime, timezone

from app.platform import crash_report, logging_setup
from app.platform.version import app_version

WHEN = datetime(2026, 12, 1, 9, 30, 5, tzinfo=timezone.utc)


def _exc_info():
    def dispatch_case():
        raise ValueError("grid 0402 has no responsible unit")

    try:
        dispatch_case()
    except ValueError:
        return sys.exc_info()


def test_report_holds_traceback_versions_and_log_lines(tmp_path):
    lines = [f"2026-12-01 09:30:0{i} INFO x: line {i}" for i in range(3)]
    path = crash_report.write_crash_report(_exc_info(), tmp_path, thread="sync-writer",
                                           extra_versions={"Qt": "6.9.9", "PySide6": "6.9.8"},
                                           log_lines=lines, now=WHEN)
    assert path == tmp_path / "crash-20261201-093005.txt"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("OneGrid crash report, 2026-12-01T09:30:05+00:00\n")
    assert "Thread: sync-writer" in text
    assert "Error: ValueError: grid 0402 has no responsible unit" in text
    assert "in dispatch_case" in text and 'raise ValueError("grid 0402 has no responsible unit")' in text
    assert f"  OneGrid: {app_version()}" in text
    assert f"  Python: {platform.python_version()}" in text
    assert "  Qt: 6.9.9" in text and "  PySide6: 6.9.8" in text
    assert f"  OS: {platform.platform()}" in text
    assert text.rstrip("\n").endswith("\n".join(["Last 3 log lines:", *lines]))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_report_quotes_the_last_200_log_lines(tmp_path):
    root = logging.getLogger()
    saved_level = root.level
    logging_setup._recent.setFormatter(logging.Formatter("%(message)s"))
    logging_setup._recent.lines.clear()
    root.addHandler(logging_setup._recent)
    root.setLevel(logging.INFO)
    try:
        log = logging.getLogger("test_crash_report.shift")
        for i in range(250):
            log.info("event %d", i)
        path = crash_report.write_crash_report(_exc_info(), tmp_path, now=WHEN)
    finally:
        root.removeHandler(logging_setup._recent)
        root.setLevel(saved_level)
    text = path.read_text(encoding="utf-8")
    assert "Last 200 log lines:" in text
    assert "event 49\n" not in text and "event 50\n" in text and "event 249\n" in text


def test_two_crashes_in_one_second_keep_both(tmp_path):
    first = crash_report.write_crash_report(_exc_info(), tmp_path, log_lines=[], now=WHEN)
    second = crash_report.write_crash_report(_exc_info(), tmp_path, log_lines=[], now=WHEN)
    assert first != second and first.is_file() and second.is_file()
    assert "(none)" in second.read_text(encoding="utf-8")


def test_old_reports_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(crash_report, "MAX_REPORTS", 3)
    for second in range(5):
        crash_report.write_crash_report(_exc_info(), tmp_path, log_lines=[], now=WHEN.replace(second=second))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"crash-20261201-09300{s}.txt" for s in (2, 3, 4)]


def test_log_folder_that_is_a_file_falls_back_to_temp(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "logs"
    not_a_folder.write_text("x", encoding="utf-8")
    monkeypatch.setattr(crash_report.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    path = crash_report.write_crash_report(_exc_info(), not_a_folder, log_lines=[], now=WHEN)
    assert path == tmp_path / "tmp" / "OneGrid" / "crash-20261201-093005.txt"
    assert "ValueError" in path.read_text(encoding="utf-8")


def test_an_exception_that_cannot_be_printed_still_gets_a_report(tmp_path):
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    try:
        raise Unprintable()
    except Unprintable:
        info = sys.exc_info()
    path = crash_report.write_crash_report(info, tmp_path, log_lines=[], now=WHEN)
    assert "could not be formatted" in path.read_text(encoding="utf-8")
