"""A command is applied exactly once, whatever the retries: same batch, later requests, concurrent threads."""
from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from app.cases.commands import Command, CommandBatch
from db.cases import CaseEventRow, CommandRow
from server.cases.commands import apply_batch
from server.platform.auth import AuthUser
from tests.support.server import UNIT


def _count(srv, table, **where) -> int:
    stmt = select(func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(getattr(table, column) == value)
    with srv.ctx.db.reader() as session:
        return session.execute(stmt).scalar()


def test_same_command_twice_in_one_batch(srv):
    case = srv.case_at("registered")
    dispatch = srv.command("dispatch", case["id"], {"unit_id": UNIT})
    first, second = srv.post("operator1", dispatch, dispatch)
    assert first == second
    assert first["status"] == "accepted" and first["version"] == 3
    assert _count(srv, CaseEventRow, case_id=uuid.UUID(case["id"])) == 3


def test_retry_in_a_later_request_returns_the_stored_answer(srv):
    case = srv.case_at("registered")
    note = srv.command("note", case["id"], {"text": "called the reporter"})
    (first,) = srv.post("operator1", note)
    srv.clock.advance(minutes=10)
    srv.do("operator1", "note", case["id"], {"text": "another note"})  # the case moves on meanwhile
    (again,) = srv.post("operator1", note)
    assert again == first  # byte-for-byte the original answer, including the case as it was then
    assert _count(srv, CaseEventRow, case_id=uuid.UUID(case["id"])) == 4


def test_rejections_are_stored_too(lite):
    case = lite.new_case()
    close = lite.command("close", case["id"])
    (first,) = lite.post("lead1", close)
    lite.do("operator1", "register", case["id"])
    (again,) = lite.post("lead1", close)
    assert first == again and first["reason"] == "illegal_state"
    assert _count(lite, CommandRow, command_id=uuid.UUID(close["command_id"])) == 1


def test_a_command_id_belongs_to_the_user_who_sent_it(lite):
    case = lite.new_case()
    note = lite.command("note", case["id"], {"text": "mine"})
    (mine,) = lite.post("operator1", note)
    (theirs,) = lite.post("operator2", note)
    assert mine["status"] == "accepted"
    assert (theirs["status"], theirs["reason"], theirs["case"]) == ("rejected", "conflict", None)
    (mine_again,) = lite.post("operator1", note)
    assert mine_again == mine


def _concurrent_retries(srv, make_command, threads: int = 6) -> list[dict]:
    command = make_command()
    barrier = threading.Barrier(threads)
    results: list = [None] * threads
    user = AuthUser("operator1", "张敏", srv.refdata.user("operator1").role)

    def send(i: int) -> None:
        barrier.wait()
        batch = CommandBatch(commands=[Command.model_validate(command)])
        results[i] = apply_batch(srv.ctx.db.writer, user, batch, srv.refdata, srv.clock).results[0].model_dump(mode="json")

    workers = [threading.Thread(target=send, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    return results


def test_concurrent_retries_of_a_creation(srv):
    case_id = uuid.uuid4()
    results = _concurrent_retries(srv, lambda: srv.command("create", case_id, srv.create_payload()))
    assert all(r == results[0] for r in results), results
    assert results[0]["status"] == "accepted"
    assert _count(srv, CaseEventRow, case_id=case_id) == 1
    assert _count(srv, CommandRow) == 1


def test_concurrent_retries_of_an_update(srv):
    case = srv.case_at("registered")
    results = _concurrent_retries(srv, lambda: srv.command("dispatch", case["id"], {"unit_id": UNIT}))
    assert all(r == results[0] for r in results)
    assert results[0]["status"] == "accepted" and results[0]["case"]["status"] == "dispatched"
    assert _count(srv, CaseEventRow, case_id=uuid.UUID(case["id"])) == 3


def test_concurrent_retries_through_http(srv):
    case = srv.case_at("registered")
    note = srv.command("note", case["id"], {"text": "once"})
    headers = srv.login("operator1")
    answers: list = []

    def send() -> None:
        r = srv.client.post("/api/commands", json={"commands": [note]}, headers=headers)
        answers.append((r.status_code, r.json()["results"][0]))

    workers = [threading.Thread(target=send) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert _count(srv, CaseEventRow, case_id=uuid.UUID(case["id"])) == 3
