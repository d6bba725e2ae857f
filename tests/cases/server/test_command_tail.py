"""An accepted command's tail on PostgreSQL (`server.cases.commands._pg_accept`): the feed change, the stored
answer and the audit entry in the one statement that takes the feed counter, so nothing but the commit
follows while every other command waits for that counter."""
from __future__ import annotations

import uuid

from sqlalchemy import delete, event, select, text

from app.platform.feed_partition import counter_name, partition_of
from db.cases import CommandRow
from db.feed import FeedRow
from db.platform import FEED_COUNTER, CounterRow
from server.audit import verify as audit


def _statements(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, _params, _context, _executemany):
        seen.append(" ".join(statement.split()))

    return seen


def test_nothing_but_the_commit_follows_the_feed_counter(pg):
    case = pg.new_case()
    seen = _statements(pg.ctx.db.engine)
    result = pg.do("operator1", "register", case["id"])
    assert result["status"] == "accepted"
    takes_counter = [i for i, s in enumerate(seen) if "UPDATE counters" in s]
    assert len(takes_counter) == 1, seen
    tail = seen[takes_counter[0]:]
    assert len(tail) == 1, tail  # the last statement of the transaction
    assert "INSERT INTO feed" in tail[0] and "INSERT INTO commands" in tail[0] and "INSERT INTO audit_log" in tail[0]

    with pg.ctx.db.reader() as session:
        stored = session.execute(select(CommandRow.result).where(
            CommandRow.command_id == uuid.UUID(result["command_id"]))).scalar_one()
        position = session.execute(select(FeedRow.position).where(FeedRow.entity_id == case["id"])).scalar_one()
        entry = session.execute(text("SELECT action, result, entity_id, detail FROM audit_log "
                                     "ORDER BY id DESC LIMIT 1")).one()
    assert stored["position"] == result["position"] == position  # spliced into the stored answer
    assert {k: v for k, v in stored.items() if k != "case"} == {k: v for k, v in result.items() if k != "case"}
    assert (entry.action, entry.result, entry.entity_id) == ("register", "accepted", case["id"])
    assert entry.detail["command_id"] == result["command_id"] and entry.detail["version"] == result["version"]
    assert all(r.ok for r in audit.verify_all(pg.ctx.db.reader))

    # a retry reads the stored answer back: the same answer as the first
    (again,) = pg.post("operator1", pg.command("register", case["id"], command_id=result["command_id"]))
    assert again == result


def test_without_a_feed_counter_row_the_command_goes_the_long_way(pg):
    """A database whose feed counter row is missing (the statement then writes nothing at all): the
    command is applied the long way, which creates the row, and is answered and audited once."""
    counter = counter_name(partition_of(pg.refdata.grids[0].code))  # the new case's city's (create_payload)
    with pg.ctx.db.writer() as session, session.begin():
        session.execute(delete(CounterRow).where(CounterRow.name.in_([FEED_COUNTER, counter])))
    result = pg.do("operator1", "create", uuid.uuid4(), pg.create_payload())
    assert result["status"] == "accepted" and result["position"] == 1
    with pg.ctx.db.reader() as session:
        assert session.execute(select(CounterRow.value).where(CounterRow.name == counter)).scalar() == 1
        answers = session.execute(select(CommandRow.result).where(
            CommandRow.command_id == uuid.UUID(result["command_id"]))).scalars().all()
        audited = session.execute(text("SELECT count(*) FROM audit_log WHERE entity_id = :id"),
                                  {"id": result["case_id"]}).scalar()
    assert len(answers) == 1 and answers[0]["position"] == 1 and audited == 1
    assert all(r.ok for r in audit.verify_all(pg.ctx.db.reader))
