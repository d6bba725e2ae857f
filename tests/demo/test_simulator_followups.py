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
