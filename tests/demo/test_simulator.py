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
        overdue = [c for c in cases if c.is_overdue(clock[0])]
        assert overdue, "the 'stuck' cases must go overdue"
    finally:
        ctx.db.dispose()


def test_the_demo_city_shows_late_center_stages_rework_and_a_dispute(server_db_url, refdata, now):
    from app.metrics import figures as m

    prepare_database(server_db_url, refdata)
    ctx = ServerContext.create(ServerSettings(database_url=server_db_url))
    try:
        sim = CitySimulator(ctx.db, ctx.refdata, seed=3, clock=lambda: now)
        stories = sim.seed_stories(now)
        late, rework, dispute = stories["late_register"], stories["rework"], stories["dispute"]
        # registered 95 min after the report: 65 min past the intake post's limit, not charged to any unit
        facts = m.case_facts(late, refdata).facts
        assert [f.met for f in facts if f.kind == m.REGISTER_DUE] == [False]
        assert m.case_facts(late, refdata).case.late_at is None
        # rework runs against the original handling deadline (dispatched 10 min after the report)
        assert rework.status == "in_progress" and rework.rework_count == 1
        assert rework.due_at == rework.deadlines["handle"] and rework.stage_started_at > rework.events[3].at
        # returned twice: in the dispute queue, not escalated to the returning unit's parent
        assert dispute.status == "returned" and dispute.dispute_since is not None and dispute.escalated_to is None
        # every description names its category's own problem
        for case in (late, rework, dispute):
            name = refdata.category(case.category_code).name
            assert any(word in case.description for word in (name, name[:2])), (case.category_code, case.description)
    finally:
        ctx.db.dispose()


def test_descriptions_match_their_category(refdata):
    import random

    from server.demo.descriptions import describe

    rng = random.Random(1)
    fallen = refdata.category("E0404")
    assert all("倒伏" in describe(fallen, rng) for _ in range(10))
    for cat in refdata.categories:
        text = describe(cat, rng)
        assert text and (cat.name in text or cat.name[:2] in text), (cat.code, text)
