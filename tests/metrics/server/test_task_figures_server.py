"""A co-unit's task and an on-site check counted by the server's SQL exactly as by the console's offline
computation (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases.case import Case
from app.metrics import figures as m
from db.cases import CaseRow
from server.metrics import facts as server_metrics
from tests.support.server import HANDLER, OTHER_HANDLER


def test_joint_tasks_and_checks_in_the_sql_report_equal_the_offline_one(srv, refdata, now):
    case = srv.new_case()
    inspector = refdata.inspectors_for(case["location"]["grid_code"])[0]
    steps = [("operator1", "send_check", {}), (inspector, "confirm_check", {"found": True}),
             ("operator1", "register", {}), ("operator1", "dispatch", {"unit_id": "water_supply"}),
             ("operator1", "add_co_unit", {"unit_id": "roads"}), (HANDLER, "accept", {}),
             (OTHER_HANDLER, "co_accept", {}), (OTHER_HANDLER, "co_handled", {"note": "road part"}),
             (HANDLER, "report_handled", {"note": "done"})]
    for user, action, payload in steps:
        srv.clock.advance(minutes=10)
        result = srv.do(user, action, case["id"], payload)
        assert result["status"] == "accepted", result
    as_of = srv.clock() + timedelta(days=30)
    day = now.astimezone(refdata.policy.calendar.tz).date()
    with srv.ctx.db.reader() as session:
        cases = [Case.model_validate(d) for (d,) in session.execute(select(CaseRow.data))]
        for unit in (None, "roads", "water_supply"):
            sql = server_metrics.report(session, refdata, day, day + timedelta(days=29), unit, False, as_of)
            offline = m.compute_offline(cases, refdata, day, day + timedelta(days=29), unit, False, as_of)
            assert sql.model_dump(exclude={"source"}) == offline.model_dump(exclude={"source"}), unit
            figures = {f.key: f for f in sql.figures}
            if unit == "roads":
                assert (figures["dispatched"].value, figures["handled"].value) == (1, 1)
                assert figures["time_to_handle"].value == 30 * 60  # added at +50 min, handled at +80 min
            if unit is None:
                assert (figures["time_to_check"].value, figures["time_to_check"].denominator) == (10 * 60, 1)
