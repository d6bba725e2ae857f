"""A commit group takes the case-number counter only after its Python work (`server.cases.group_commit`: every
other group waits for that row lock until this one commits), and the numbers given then reach every place
the group prepared without them: the case rows and their JSON, the stored answers and the answers sent,
and the audit entries (whose hashed `detail` names the number)."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import event, select

from db.audit import AuditEntryRow
from db.cases import CaseRow, CommandRow
from db.platform import CASE_NUMBER_COUNTER_PREFIX
from server.audit import chain
from tests.cases.server.test_group_commit import _batch, _check_feed, _check_store


@pytest.fixture
def pg(make_harness, pg_url):
    return make_harness(pg_url, commit_group=8)


def test_the_case_number_counter_is_taken_after_the_group_is_prepared(pg, monkeypatch):
    steps: list[str] = []
    prepare = chain.prepare_many

    def prepared(entries):
        steps.append("prepared")  # the group's last piece of Python work before its statements
        return prepare(entries)

    monkeypatch.setattr(chain, "prepare_many", prepared)

    @event.listens_for(pg.ctx.db.engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, params, _context, _executemany):
        if (statement.lstrip().startswith("UPDATE counters") and isinstance(params, dict)
                and str(params.get("counter", "")).startswith(CASE_NUMBER_COUNTER_PREFIX)):
            steps.append("number")

    ids, commands = _batch(pg, 4)  # 20 commands in groups of 8, 8, 4: the first two create cases
    pg.post("operator1", *commands)  # the year's counter row is created by the first group
    assert steps[:2] == ["prepared", "number"], steps
    steps.clear()
    more_ids, more = _batch(pg, 4)
    results = pg.post("operator1", *more)
    assert steps == ["prepared", "number", "prepared", "number", "prepared"]  # one counter step per group
    _check_store(pg, ids + more_ids, commands + more)
    _check_feed(pg, results)


def test_the_numbers_reach_the_rows_the_answers_and_the_audit_entries(pg):
    ids, commands = _batch(pg, 4)
    results = pg.post("operator1", *commands)
    with pg.ctx.db.reader() as session:
        rows = {str(i): (n, d) for i, n, d in session.execute(select(CaseRow.id, CaseRow.number, CaseRow.data))}
        stored = {str(c): r for c, r in session.execute(select(CommandRow.command_id, CommandRow.result))}
        audited = {d["command_id"]: d for d in session.execute(
            select(AuditEntryRow.detail).where(AuditEntryRow.entity_kind == "case")).scalars()}
    numbers = [rows[str(i)][0] for i in ids]
    assert all(re.fullmatch(r"\d{4}-\d{6}", n) for n in numbers), numbers
    serials = [int(n[5:]) for n in numbers]
    assert serials == list(range(serials[0], serials[0] + len(ids)))  # numbered in batch order, no gap
    for case_id, (number, data) in rows.items():
        assert data["number"] == number
    for command, result in zip(commands, results):
        number = rows[command["case_id"]][0]
        assert result["case"]["number"] == number  # accepted and refused (the case is theirs to read) alike
        assert stored[command["command_id"]] == result
        assert audited[command["command_id"]]["number"] == number
    _check_store(pg, ids, commands)  # ... and every chain verifies with the numbers hashed in


def test_a_group_does_not_read_back_the_streets_it_wrote(pg):
    reads: list[str] = []

    @event.listens_for(pg.ctx.db.engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.lstrip().startswith("SELECT cases.id, cases.jurisdiction"):  # a read-back of many
            reads.append(statement)

    ids, commands = _batch(pg, 4)
    results = pg.post("operator1", *commands)
    assert reads == []  # the feed rows' jurisdiction and the audit entries' chains came from the group itself
    _check_store(pg, ids, commands)  # each entry in its city's chain, every chain verifying
    _check_feed(pg, results)
    with pg.ctx.db.reader() as session:
        chains = dict(session.execute(select(AuditEntryRow.detail["command_id"].as_string(), AuditEntryRow.chain)
                                      .where(AuditEntryRow.entity_kind == "case")).all())
        streets = dict(session.execute(select(CaseRow.id, CaseRow.jurisdiction)).all())
    assert {chains[c["command_id"]] for c in commands} == {s[:4] for s in streets.values()}
    for command in commands:
        assert chains[command["command_id"]] == streets[uuid.UUID(command["case_id"])][:4]
