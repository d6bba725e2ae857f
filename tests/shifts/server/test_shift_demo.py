"""The demo's handover: lead2 opens a shift at start and closes it later, leaving a drafted report for
lead1 to sign; a shift already open is left alone."""
from __future__ import annotations

import time

from server.demo.shifts import NOTES, OUTGOING_LEAD, shift_demo_hooks


def _shifts(srv):
    r = srv.client.get("/api/shifts", headers=srv.login("lead1"))
    assert r.status_code == 200, r.text
    return r.json()


def _wait(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_demo_shift_is_opened_then_closed_with_a_report_to_sign(make_harness, sqlite_url):
    lite = make_harness(sqlite_url, demo_shift_close_s=0.2)  # the server's setting decides when it closes
    (start,), (stop,) = shift_demo_hooks()
    start(lite.ctx)
    _wait(lambda: _shifts(lite)["current"] is None and _shifts(lite)["shifts"])
    [shift] = _shifts(lite)["shifts"]
    assert shift["lead"] == OUTGOING_LEAD and shift["closed_by"] == OUTGOING_LEAD
    report = lite.client.get(f"/api/handovers/{shift['id']}", headers=lite.login("lead1"))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["notes"] == NOTES and body["signed_by"] is None
    signed = lite.client.post(f"/api/handovers/{shift['id']}/sign", json={"content_hash": body["content_hash"]},
                              headers=lite.login("lead1"))
    assert signed.status_code == 200, signed.text
    stop(lite.ctx)


def test_demo_leaves_an_open_shift_alone(lite):
    r = lite.client.post("/api/shifts", json={}, headers=lite.login("lead1"))
    assert r.status_code == 201, r.text
    (start,), (stop,) = shift_demo_hooks(close_after_s=0.1)
    start(lite.ctx)
    time.sleep(0.4)
    current = _shifts(lite)["current"]
    assert current is not None and current["lead"] == "lead1"
    stop(lite.ctx)
