"""Metrics on the server: the hand-scripted day (tests/support/metrics_history.py) sent through the real command
path, then the report from SQL compared with the console's offline computation on the very same cases
(SQLite and PostgreSQL); the endpoint's permissions and bad input; rebuilding the facts; the CLI."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.cases.case import Case
from app.metrics import figures as m
from db.cases import CaseRow
from server.metrics import facts as server_metrics
from tests.support import db_templates
from tests.support import metrics_history as hist
from tests.support.server import FakeClock, Harness, prepare_database

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def scripted(make_harness, server_db_url, refdata, now):
    """The server after the scripted day. The day goes through the command path once per test process and
    database kind; each test gets a copy of the database it left (tests/support/db_templates.py)."""
    def build(url: str) -> None:
        prepare_database(url, refdata)
        with Harness(url, refdata, FakeClock(now)) as harness:
            hist.run_on_server(harness)

    if not db_templates.prepared.copy_into(server_db_url, ("metrics history", refdata.version), build):
        build(server_db_url)
    srv = make_harness(server_db_url, prepare=False)
    srv.clock.now = AS_OF
    return srv


def server_cases(harness) -> list[Case]:
    with harness.ctx.db.reader() as session:
        return [Case.model_validate(d) for (d,) in session.execute(select(CaseRow.data))]


def sql_report(harness, start=DAY, end=DAY, unit=None, rollup=True, as_of=AS_OF) -> m.Report:
    with harness.ctx.db.reader() as session:
        return server_metrics.report(session, harness.refdata, start, end, unit, rollup, as_of)


def comparable(rep: m.Report) -> dict:
    data = rep.model_dump(mode="json", exclude={"source"})
    for fig in data["figures"]:
        for key in ("value", "p90"):
            if isinstance(fig[key], float):
                fig[key] = round(fig[key], 6)
    return data


@pytest.mark.parametrize("start,end,unit,rollup", [
    (DAY, DAY, None, True),
    (date(2026, 11, 22), DAY, None, True),
    (date(2026, 11, 22), date(2026, 11, 22), None, True),
    (DAY, DAY, "roads", True),
    (DAY, DAY, "roads", False),
    (DAY, DAY, "water_supply", True),
    (DAY, DAY, "city_office", True),
    (date(2026, 11, 25), date(2026, 11, 25), None, True),
])
def test_sql_equals_the_offline_computation(scripted, start, end, unit, rollup):
    server = sql_report(scripted, start, end, unit, rollup)
    offline = m.compute_offline(server_cases(scripted), scripted.refdata, start, end, unit, rollup, AS_OF)
    assert server.source == "server" and offline.source == "cache"
    assert comparable(server) == comparable(offline)


def test_hand_counted_answers_from_sql(scripted):
    rep = sql_report(scripted)
    f = {x.key: x for x in rep.figures}
    assert [f[k].value for k in ("registered", "dispatched", "handled", "closed")] == [6, 8, 6, 2]
    # the numbers worked out by hand in tests/metrics/test_metrics.py
    assert (f["on_time_handling_rate"].numerator, f["on_time_handling_rate"].denominator) == (4, 6)
    assert (f["timely_resolution_rate"].numerator, f["timely_resolution_rate"].denominator) == (1, 3)
    assert (f["closure_rate"].numerator, f["closure_rate"].denominator) == (2, 6)
    assert f["composite"].value == pytest.approx(29 / 60)
    posts = {p.post: {x.key: x for x in p.figures} for p in rep.posts}
    assert (posts["inspectors"]["inspectors_on_time"].numerator,
            posts["inspectors"]["inspectors_on_time"].denominator) == (3, 6)
    assert f["time_to_dispatch"].value == pytest.approx(600) and f["time_to_dispatch"].p90 == pytest.approx(690)
    assert f["time_to_close"].p90 == pytest.approx(15240)


def test_rebuilt_facts_equal_the_incremental_ones(scripted):
    def snapshot():
        with scripted.ctx.db.reader() as session:
            facts = session.execute(select(server_metrics._FACTS).order_by("case_id", "fact_key")).all()
            cases = session.execute(select(server_metrics._CASES).order_by("case_id")).all()
        return [tuple(r) for r in facts], [tuple(r) for r in cases]

    before = snapshot()
    assert before[0] and len(before[1]) == len(hist.script())
    with scripted.ctx.db.writer() as session, session.begin():
        assert server_metrics.rebuild_facts(session, scripted.refdata) == len(hist.script())
    assert snapshot() == before


def test_endpoint_answers_leads_and_admins(scripted):
    for user in ("lead1", "admin"):
        r = scripted.client.get("/api/metrics", params={"start": "2026-11-23", "end": "2026-11-23"},
                                headers=scripted.login(user))
        assert r.status_code == 200, r.text
        body = r.json()
        fig = {f["key"]: f for f in body["figures"]}
        assert fig["return_rate"]["numerator"] == 1 and fig["return_rate"]["denominator"] == 8
        assert fig["return_rate"]["formula"].startswith("returns in the period ÷ dispatches in the period")
        assert body["ranking_by"] == "timely_resolution_rate" and body["weights"]["timely_resolution_rate"] == 0.4
        assert body["unit_id"] is None and body["source"] == "server"
        assert body["ranking"] and body["trend"] and body["categories"]
    r = scripted.client.get("/api/metrics", params={"start": "2026-11-23", "end": "2026-11-23", "unit": "roads",
                                                    "rollup": "false"}, headers=scripted.login("lead1"))
    assert r.status_code == 200
    fig = {f["key"]: f for f in r.json()["figures"]}
    assert fig["closure_rate"]["value"] is None and fig["registered"]["value"] == 0


@pytest.mark.parametrize("user", ["operator1", "inspector1", "handler_water_supply"])
def test_endpoint_refuses_other_roles(lite, user):
    r = lite.client.get("/api/metrics", params={"start": "2026-11-23", "end": "2026-11-23"},
                        headers=lite.login(user))
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


def test_endpoint_needs_a_login(lite):
    r = lite.client.get("/api/metrics", params={"start": "2026-11-23", "end": "2026-11-23"})
    assert r.status_code == 401


@pytest.mark.parametrize("params,error,words", [
    ({"start": "2026-13-01", "end": "2026-12-01"}, "bad_date", "start: '2026-13-01' is not a calendar date"),
    ({"start": "yesterday", "end": "2026-12-01"}, "bad_date", "start: expected a date YYYY-MM-DD"),
    ({"start": "2026-11-01", "end": "2026-11-31"}, "bad_date", "end: '2026-11-31'"),
    ({"start": "2026-11-02", "end": "2026-11-01"}, "bad_period", "end 2026-11-01 is before start 2026-11-02"),
    ({"start": "2026-11-01", "end": "2026-11-02", "unit": "atlantis"}, "unknown_unit", "unknown unit 'atlantis'"),
    ({"start": "2026-11-01", "end": "2026-11-02", "rollup": "maybe"}, "bad_request", "rollup"),
    ({"start": "2016-11-01", "end": "2026-11-02"}, "bad_period", "longer than"),
])
def test_endpoint_bad_input(lite, params, error, words):
    r = lite.client.get("/api/metrics", params=params, headers=lite.login("lead1"))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == error
    assert words in r.json()["message"]


def test_endpoint_missing_parameters(lite):
    r = lite.client.get("/api/metrics", params={"start": "2026-11-01"}, headers=lite.login("lead1"))
    assert r.status_code == 422 and "end" in r.json()["message"]


def test_ctl_metrics_report_and_rebuild(scripted, capsys, monkeypatch):
    from server.admin import ctl

    monkeypatch.setattr(server_metrics, "_now", lambda: AS_OF)
    assert ctl.main(["--database-url", scripted.url, "metrics", "--start", "2026-11-23", "--end", "2026-11-23",
                     "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert {f["key"]: f["value"] for f in body["figures"]}["dispatched"] == 8
    assert ctl.main(["--database-url", scripted.url, "metrics", "--start", "2026-11-23", "--end", "2026-11-23",
                     "--unit", "roads"]) == 0
    out = capsys.readouterr().out
    assert "Timely resolution rate" in out and "= 0 / 1" in out and "cases closed in the period" in out
    assert ctl.main(["--database-url", scripted.url, "metrics", "--start", "2026-11-23", "--end", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    # the posts with their formulas, and the ranking's rule with the reason a unit is not ranked
    assert "Verified on time: 50.0 % = 3 / 6" in out and "verification rounds with a verdict" in out
    assert "Ranked by timely_resolution_rate within peer groups (same level)" in out
    assert "fewer than 5 cases due" in out and "0.40 × timely_resolution_rate" in out
    assert ctl.main(["--database-url", scripted.url, "metrics", "rebuild-facts"]) == 0
    assert "8 cases" in capsys.readouterr().out
    assert ctl.main(["--database-url", scripted.url, "metrics", "--start", "2026-11-24", "--end",
                     "2026-11-23"]) == 1
    assert "before start" in capsys.readouterr().err


def test_facts_are_written_in_the_command_without_a_select(lite):
    from sqlalchemy import event

    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    case = lite.new_case()
    event.listen(lite.ctx.db.engine, "before_cursor_execute", note)
    try:
        assert lite.do("operator1", "register", case["id"])["status"] == "accepted"
    finally:
        event.remove(lite.ctx.db.engine, "before_cursor_execute", note)
    touching = [s for s in statements if "metric_" in s]
    assert touching, "the command wrote no metric facts"
    assert not any(s.lstrip().upper().startswith("SELECT") for s in touching)
    with lite.ctx.db.reader() as session:
        kinds = session.execute(select(server_metrics._FACTS.c.kind)
                                .where(server_metrics._FACTS.c.case_id == uuid_of(case))).scalars().all()
    assert sorted(kinds) == ["dispatch_due", "register", "register_due"]


def test_a_stale_fact_row_does_not_make_a_command_fail(lite):
    from sqlalchemy import insert

    case = lite.new_case()
    register_key = "e2"  # the registration will be the case's second event
    with lite.ctx.db.writer() as session, session.begin():
        session.execute(insert(server_metrics._FACTS).values(
            case_id=uuid_of(case), fact_key=register_key, kind="stale", unit_id=None, category_code="X",
            at=None, day=None, seconds=None, met=None))
    assert lite.do("operator1", "register", case["id"])["status"] == "accepted"
    with lite.ctx.db.reader() as session:
        kind = session.execute(select(server_metrics._FACTS.c.kind).where(
            server_metrics._FACTS.c.case_id == uuid_of(case), server_metrics._FACTS.c.fact_key == register_key)).scalar()
    assert kind == "register"


def uuid_of(case: dict):
    import uuid

    return uuid.UUID(case["id"])
