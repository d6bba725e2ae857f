"""A commit group's rows go one statement per table (`server.platform.many_rows`), with what the row-by-row
statements wrote: the case rows and their streets, the ledger, the metric facts, the stored answers; and the
guards of the row-by-row statements hold (an over-long text fails its column, a naive time is refused)."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError

from app.cases.case import Case
from db.cases import CaseEventRow, CaseRow, CommandRow
from db.metrics import MetricCaseRow, MetricFactRow
from server.metrics import facts as metrics
from server.platform.many_rows import insert_rows, update_rows
from tests.cases.server.test_group_commit import _batch, _check_store
from tests.support.server import UNIT

TABLES = ("cases", "case_events", "commands", "metric_facts", "metric_cases")


@pytest.fixture
def pg(make_harness, pg_url):
    return make_harness(pg_url, commit_group=8)


def _inserts(engine, verb: str = "INSERT") -> list[tuple[str, bool, int]]:
    """(table, executemany, rows) of every INSERT (or UPDATE) of one of TABLES."""
    seen: list[tuple[str, bool, int]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, params, _context, executemany):
        words = statement.split()
        table = words[2] if verb == "INSERT" and words[1:2] == ["INTO"] else words[1]
        if words[0] == verb and table in TABLES:
            seen.append((table, executemany, len(params) if executemany else 1))

    return seen


def test_a_group_writes_each_table_in_one_statement(pg):
    seen = _inserts(pg.ctx.db.engine)
    ids, commands = _batch(pg, 4)  # 20 commands: groups of 8, 8, 4
    results = pg.post("operator1", *commands)
    assert all(r["status"] == ("rejected" if c["action"] == "close" else "accepted")
               for r, c in zip(results, commands))
    assert not [s for s in seen if s[1]], seen  # no row-by-row executemany into these tables
    per_table = {table: sum(1 for s in seen if s[0] == table) for table in TABLES}
    # the third group only updates cases the first two created
    assert per_table == {"cases": 2, "case_events": 3, "commands": 3, "metric_facts": 3, "metric_cases": 3}
    _check_store(pg, ids, commands)


def test_the_rows_of_a_group_are_those_of_the_row_by_row_statements(pg):
    ids, commands = _batch(pg, 4)
    results = pg.post("operator1", *commands)
    last = {r["case_id"]: r["case"] for r in results if r["status"] == "accepted"}
    with pg.ctx.db.reader() as session:
        for row in session.execute(select(CaseRow)).scalars():
            case = Case.model_validate(row.data)
            assert row.data == last[str(row.id)]  # the row holds the case the last answer carried
            assert (row.status, row.version, row.jurisdiction) == (str(case.status), case.version,
                                                                    case.location.grid_code[:9])
            events = session.execute(select(CaseEventRow).where(CaseEventRow.case_id == row.id)
                                     .order_by(CaseEventRow.seq)).scalars().all()
            assert [(e.seq, e.action, e.actor, e.at, e.client_time, e.offline, e.command_id, e.payload)
                    for e in events] == [(e.seq, str(e.action), e.actor, e.at, e.client_time, e.offline,
                                          e.command_id, e.payload) for e in case.events]
        stored = {str(c): r for c, r in session.execute(select(CommandRow.command_id, CommandRow.result))}
        assert [stored[r["command_id"]] for r in results] == results  # each answer stored as answered
        facts = sorted(tuple(f) for f in session.execute(select(*MetricFactRow.__table__.c)))
        cases = sorted(tuple(c) for c in session.execute(select(*MetricCaseRow.__table__.c)))
    with pg.ctx.db.writer() as session, session.begin():
        metrics.rebuild_facts(session, pg.refdata)  # the facts computed again from the stored cases
        assert sorted(tuple(f) for f in session.execute(select(*MetricFactRow.__table__.c))) == facts
        assert sorted(tuple(c) for c in session.execute(select(*MetricCaseRow.__table__.c))) == cases


def test_a_group_updates_its_cases_in_one_statement(pg):
    ids, commands = _batch(pg, 4)
    pg.post("operator1", *commands[::5])  # the four creations, and then each case's next steps in turn:
    updates = _inserts(pg.ctx.db.engine, "UPDATE")
    results = pg.post("operator1", *[commands[5 * case + step] for step in range(1, 5) for case in range(4)])
    cases = [s for s in updates if s[0] == "cases"]
    # two groups of 8 commands, each changing the four cases: one statement a group, not a row-by-row executemany
    assert cases == [("cases", False, 1), ("cases", False, 1)], updates
    assert {r["case_id"] for r in results[:8] if r["status"] == "accepted"} == {str(i) for i in ids}
    _check_store(pg, ids, commands)
    last = {r["case_id"]: r["case"] for r in results if r["status"] == "accepted"}
    with pg.ctx.db.reader() as session:
        for row in session.execute(select(CaseRow)).scalars():  # each row as its case's last answer has it
            assert row.data == last[str(row.id)]
            assert (row.status, row.unit_id, row.version, row.updated_at, row.jurisdiction) == (
                last[str(row.id)]["status"], UNIT, last[str(row.id)]["version"],
                datetime.fromisoformat(last[str(row.id)]["updated_at"]), row.grid_code[:9])


def _command_row(**changes) -> dict:
    row = {"command_id": uuid.uuid4(), "username": "operator1", "case_id": uuid.uuid4(), "action": "note",
           "received_at": datetime.fromisoformat("2026-03-02T08:00:00+08:00"), "status": "rejected",
           "result": {"status": "rejected", "reason": "x"}}
    return {**row, **changes}


def test_many_rows_keep_the_guards_of_single_rows(pg):
    table = CommandRow.__table__
    with pytest.raises(DBAPIError, match="too long"):  # never cut to the column's width by a cast
        with pg.ctx.db.writer() as session, session.begin():
            insert_rows(session, table, [_command_row(), _command_row(action="x" * 40)])
    with pytest.raises(ValueError, match="naive"):
        with pg.ctx.db.writer() as session, session.begin():
            insert_rows(session, table, [_command_row(), _command_row(received_at=datetime(2026, 3, 2, 8))])
    with pytest.raises(ValueError, match="jurisdiction"):  # a column with a Python-side default must be given
        with pg.ctx.db.writer() as session, session.begin():
            insert_rows(session, CaseRow.__table__, [{"id": uuid.uuid4(), "grid_code": "x"}])
    cases = CaseRow.__table__
    with pytest.raises(ValueError, match="jurisdiction"):  # an `onupdate` column must be given to an update too
        with pg.ctx.db.writer() as session, session.begin():
            update_rows(session, cases, [{"id": uuid.uuid4(), "grid_code": "x"}], "id")
    with pytest.raises(ValueError, match="must name id"):
        with pg.ctx.db.writer() as session, session.begin():
            update_rows(session, cases, [{"grid_code": "x", "jurisdiction": "x"}], "id")
    rows = [_command_row(result=None), _command_row(result={"text": "引号 \" and \\ kept", "n": [1, None]})]
    with pg.ctx.db.writer() as session, session.begin():
        insert_rows(session, table, rows)
    with pg.ctx.db.reader() as session:
        found = dict(session.execute(select(CommandRow.command_id, CommandRow.result)
                                     .where(CommandRow.command_id.in_([r["command_id"] for r in rows]))).all())
        assert [found[r["command_id"]] for r in rows] == [r["result"] for r in rows]
        times = session.execute(select(CommandRow.received_at).where(
            CommandRow.command_id == rows[0]["command_id"])).scalar_one()
        assert times == rows[0]["received_at"]
