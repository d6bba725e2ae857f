"""A sync page of many cases restyles the map's markers from a worker thread (ui/map/case_sync.py
`_restyle_off_thread`): the page ends up showing every case as the columns hold it, pages arriving while
one is being built included, in order."""
from __future__ import annotations

import json
import random
import uuid

import pytest

from app.platform.enums import Status
from tests.map.ui.test_map import (  # noqa: F401 - fixtures, used by name
    NO_GPU_NOISE,
    closing,
    make_summary,
    map_sharing_queue,
    marker,
    small_hub,
    stats,
)
from ui.map import case_sync

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]


def test_a_page_of_many_cases_is_restyled_off_the_gui_thread_in_order(qtbot, make_ctx, refdata, small_hub,  # noqa: F811
                                                                       closing, monkeypatch):  # noqa: F811
    ctx = make_ctx()
    model, dock = map_sharing_queue(qtbot, ctx, small_hub, closing)
    before = stats(qtbot, dock)["cases"]
    workers = []
    restyled = case_sync._restyled
    monkeypatch.setattr(case_sync, "_restyled", lambda *a: workers.append(1) or restyled(*a))

    rnd = random.Random(5)
    page = [make_summary(refdata, rnd, 500 + n, Status.REPORTED) for n in range(case_sync.OFF_THREAD + 40)]
    model.apply(page)
    assert dock._in_flight  # built on a worker: what comes meanwhile waits its turn
    registered = [s._replace(status=Status.REGISTERED, server_version=2) for s in page[:30]]
    closed = [s._replace(status=Status.CLOSED, server_version=2) for s in page[30:]]
    model.apply(registered + closed)
    qtbot.waitUntil(lambda: not dock._in_flight and not dock._stash, timeout=10_000)
    assert len(workers) == 2
    qtbot.waitUntil(lambda: stats(qtbot, dock)["cases"] == before + len(page), timeout=10_000)
    assert marker(qtbot, dock, page[0].id)["status"] == "registered"
    assert marker(qtbot, dock, page[-1].id)["status"] == "closed"
    assert dock.marker_count() == before + len(page)

    ghost = uuid.uuid4()  # a small change stays on the GUI thread, after the pages
    model.apply([page[1]._replace(id=ghost)])
    assert not dock._in_flight
    qtbot.waitUntil(lambda: marker(qtbot, dock, ghost) is not None, timeout=10_000)
    assert len(workers) == 2


def test_the_pages_receive_call_is_the_message_as_json_with_line_separators_escaped():
    from ui.map.case_markers import receive_script

    message = {"op": "cases", "upsert": [{"id": "a", "n": "2026-000001", "c": "市容环境", "u": "城管\u2028一队",
                                          "lat": 31.2, "due": None}], "remove": ["b\u2029"]}
    script = receive_script(message)
    assert script.startswith("OneGrid.receive(") and script.endswith(")")
    body = script[len("OneGrid.receive("):-1]
    assert "\u2028" not in body and "\u2029" not in body  # older JavaScript ends a string at these
    assert json.loads(body) == message  # the same message; non-ASCII kept as it is
    assert "市容环境" in body
