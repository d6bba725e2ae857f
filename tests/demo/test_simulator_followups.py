"""The demo city exercises the follow-up steps: supervision orders with replies (accepted and rejected),
callbacks with satisfied and dissatisfied reporters, and cases reopened for them — legal actions only, and
some of the work left open for the human at the console."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.cases import callbacks, supervision
from app.cases.case import Case
from db.cases import CaseEventRow, CaseRow
from server.context import ServerContext
from server.demo.city import CitySimulator
from server.platform.settings import ServerSettings
from tests.support.server import prepare_database


def test_the_city_issues_orders_and_calls_reporters_back(server_db_url, refdata, now):
    prepare_database(server_db_url, refdata)
    ctx = ServerContext.create(ServerSettings(database_url=server_db_url))
    try:
        clock = [now]
        sim = CitySimulator(ctx.db, ctx.refdata, seed=11, new_case_every_s=1.0, clock=lambda: clock[0])
        sim.seed_backlog(100, hours=48)
        for _ in range(30):
            clock[0] += timedelta(seconds=600)
            sim.tick()
        assert sim.stats.rejected == 0, "the simulator must only take actions the workflow allows"
        with ctx.db.reader() as session:
            actions = Counter(session.execute(select(CaseEventRow.action)).scalars())
            cases = [Case.model_validate(d) for d in session.execute(select(CaseRow.data)).scalars()]
            payloads = session.execute(select(CaseEventRow.payload)
                                       .where(CaseEventRow.action == "record_callback")).scalars().all()
        assert {"issue_order", "reply_order", "accept_order_reply", "record_callback"} <= set(actions), actions
        assert {p.get("satisfaction") for p in payloads} >= {"satisfied", "dissatisfied"}
        # work left for the console: open orders or callbacks waiting
        assert any(supervision.open_orders(c) for c in cases) or any(callbacks.callback_open(c) for c in cases)
    finally:
        ctx.db.dispose()


def test_the_city_calls_each_reporter_of_a_master_in_turn(server_db_url, refdata, now):
    """A master's closure lists its merged repeats' reporters: the simulator's call names the report it
    reaches (one reporter a call), never the master's own reporter again."""
    from uuid import uuid4

    from app.cases.callbacks import REPORTS_KEY
    from app.platform.enums import Action, Status
    from server.demo import followups

    prepare_database(server_db_url, refdata)
    ctx = ServerContext.create(ServerSettings(database_url=server_db_url))
    try:
        clock = [now]
        sim = CitySimulator(ctx.db, ctx.refdata, seed=11, new_case_every_s=1.0, clock=lambda: clock[0])
        sim.seed_backlog(100, hours=48)
        with ctx.db.reader() as session:
            cases = [Case.model_validate(d) for d in session.execute(select(CaseRow.data)).scalars()]
        closed = next(c for c in cases if c.status == Status.CLOSED and not followups.left_to_the_console(c))
        report = uuid4()
        events = [e.model_copy(update={"payload": {**e.payload, REPORTS_KEY: [{"case_id": str(report),
                                                                                "number": "2026-000999"}]}})
                  if e.action == Action.CLOSE else e for e in closed.events]
        # the master's own reporter has no phone: the repeat's reporter is the one still to call
        master = closed.model_copy(update={"events": events, "reporter_phone": "", "callback": None,
                                           "report_callbacks": []})
        assert callbacks.callback_open(master)
        calls = []
        sim._step = lambda user, case, action, payload, at: calls.append((case.id, action, payload))
        for _ in range(40):  # the step is random (orders first, some calls unreached): until it calls
            followups.step(sim, master, now)
            if calls:
                break
        assert calls and calls[0][1] == Action.RECORD_CALLBACK
        assert calls[0][2]["report_id"] == str(report)
    finally:
        ctx.db.dispose()
