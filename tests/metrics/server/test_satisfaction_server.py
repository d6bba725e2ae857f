"""The callback figures from the server's SQL (SQLite and PostgreSQL): the scripted day of callbacks
(tests/support/callback_history.py) through the real command path, answered by hand and equal to the
console's offline computation on the same cases; GET /api/metrics carries them with their formulas."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from app.cases.case import Case
from app.metrics import figures as m
from db.cases import CaseRow
from server.metrics import facts as server_metrics
from tests.support import callback_history as hist

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


def test_callback_figures_from_sql(srv):
    hist.run_on_server(srv)
    srv.clock.now = AS_OF
    srv.forget_logins()  # tokens last 12 h
    with srv.ctx.db.reader() as session:
        rep = server_metrics.report(session, srv.refdata, DAY, DAY, None, True, AS_OF)
        cases = [Case.model_validate(d) for (d,) in session.execute(select(CaseRow.data))]
    f = {x.key: x for x in rep.figures}
    assert (f["callback_rate"].numerator, f["callback_rate"].denominator) == (3, 5)
    assert (f["satisfaction_rate"].numerator, f["satisfaction_rate"].denominator) == (1, 3)
    offline = m.compute_offline(cases, srv.refdata, DAY, DAY, None, True, AS_OF)
    assert offline.model_dump(exclude={"source"}) == rep.model_dump(exclude={"source"})

    r = srv.client.get("/api/metrics", params={"start": "2026-11-23", "end": "2026-11-23", "unit": "water_supply"},
                       headers=srv.login("lead1"))
    assert r.status_code == 200, r.text
    by_key = {x["key"]: x for x in r.json()["figures"]}
    assert (by_key["satisfaction_rate"]["numerator"], by_key["satisfaction_rate"]["denominator"]) == (1, 3)
    assert "÷" in by_key["callback_rate"]["formula"]
