"""The demo's citizen app reports through the server's own Open311 endpoint over HTTP, and every report it
knows is accepted as a citizen-app case at `reported`."""
from __future__ import annotations

import json

from server.demo.open311 import _REPORTS, APP_NAME, CitizenApp
from tests.support.live_server import LiveServer


def test_the_demo_citizen_app_reports_over_open311(tmp_path, refdata):
    live = LiveServer(tmp_path, refdata).start()
    try:
        app = CitizenApp(live.ctx, seed=7)
        first_key = app._key()
        key = app._key()  # a restarted demo revokes its old key and takes a new one
        assert key != first_key
        for report in _REPORTS:
            app.post(key, report)
        assert len(app.posted) == len(_REPORTS)
        rows = [(n, json.loads(d)) for n, d in live.query("select number, data from cases order by number")]
        assert [number for number, _data in rows] == sorted(app.posted)
        assert {(data["source"], data["status"]) for _n, data in rows} == {("citizen_app", "reported")}
        assert sorted(data["category_code"] for _n, data in rows) == sorted(r[0] for r in _REPORTS)
        app.post(first_key, _REPORTS[0])  # the revoked key is refused: nothing more
        assert len(app.posted) == len(_REPORTS)
        assert live.query("select count(*) from open311_keys where app_name = :n and revoked_at is null",
                          n=APP_NAME) == [(1,)]
    finally:
        live.stop()
