"""The demo city simulator acts through the real command path and only ever takes legal actions."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from app.cases.case import Case
from db.cases import CaseEventRow, CaseRow
from server.context import ServerContext
from server.demo.city import CitySimulator
from server.platform.settings import ServerSettings
from tests.support.server import prepare_database


def _statuses(ctx) -> Counter:
    with ctx.db.reader() as session:
        return Counter(session.execute(select(CaseRow.status)).scalars())


def test_backlog_and_ticks_make_a_living_city(server_db_url, refdata, now):
    prepare_database(server_db_url, refdata)
    ctx = ServerContext.create(ServerSettings(database_url=server_db_url))
    try:
        clock = [now]
        sim = CitySimulator(ctx.db, ctx.refdata, seed=7, new_case_every_s=1.0, clock=lambda: clock[0])
        sim.seed_backlog(40, hours=30)
        statuses = _statuses(ctx)
        assert sum(statuses.values()) >= 35
        assert {"closed", "reported"} <= set(statuses) and len(statuses) >= 5, statuses
        for _ in range(40):  # forty simulated seconds, every step due
            clock[0] += timedelta(seconds=300)
            sim.tick()
        assert sim.stats.rejected == 0, "the simulator must only take actions the workflow allows"
        assert sim.stats.created > 40 and sim.stats.advanced > 40
        with ctx.db.reader() as session:
            rows = session.execute(select(CaseRow.data)).scalars().all()
            actions = Counter(session.execute(select(CaseEventRow.action)).scalars())
            assert session.execute(select(func.count()).select_from(CaseEventRow)).scalar() == sum(actions.values())
        cases = [Case.model_validate(r) for r in rows]
        assert all(c.number for c in cases)  # every case got its server number
        assert {"dispatch", "accept", "report_handled", "verify_pass", "close"} <= set(actions)
        # joint cases and on-site checks before registration, each through its whole task
        assert {"add_co_unit", "co_accept", "co_handled", "send_check", "confirm_check"} <= set(actions), actions
        overdue = [c for c in cases if c.is_overdue(clock[0])]
        assert overdue, "the 'stuck' cases must go overdue"
    finally:
        ctx.db.dispose()
