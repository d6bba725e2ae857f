"""The op API: work off the GUI thread, callbacks on it, never lost when the caller keeps no reference."""
from __future__ import annotations

import gc
import threading

from ui.shell.ops import run_op


def test_success_runs_on_the_gui_thread_even_without_a_reference(qtbot):
    gui = threading.get_ident()
    seen = {}

    def work():
        seen["worker"] = threading.get_ident()
        return 42

    run_op(work, lambda v: seen.update(value=v, callback=threading.get_ident()))
    gc.collect()  # the caller kept nothing: the op must still deliver
    qtbot.waitUntil(lambda: "value" in seen, timeout=3000)
    assert seen["value"] == 42 and seen["callback"] == gui and seen["worker"] != gui


def test_failure_reaches_the_failure_callback(qtbot):
    errors = []

    def work():
        raise ValueError("bad input: lat 91")

    run_op(work, failure=errors.append, write=True)
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    assert isinstance(errors[0], ValueError) and "lat 91" in str(errors[0])
