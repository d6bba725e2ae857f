"""What the cache keeps (`app.cache.retention`): closed and voided cases leave it `closed_days` after their
last change, unless the operator opened one since (it stays as long again from the opening) or a command on
it still waits in the outbox; active cases always stay. A pruned case the feed brings back (a newer version)
is taken again. Worked example: closed_days 30, now 2026-12-31 — a case closed 2026-11-20 (41 days) goes, one
closed 2026-12-10 (21 days) stays, one closed 2026-11-01 but opened 2026-12-20 stays."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from app.cases.workflow import Actor, apply, new_command
from app.platform.enums import Action, Role, Status
from app.wire.feed import Change
from tests.support.sync_helpers import create_payload

ELSEWHERE = Actor("operator2", Role.OPERATOR)  # another desk: its cases arrive through the feed

NOW = datetime(2026, 12, 31, 4, 0, tzinfo=timezone.utc)


def _arrive(cache, refdata, status: Status, updated: datetime, *, version: int = 1, case_id=None) -> uuid.UUID:
    case = apply(None, new_command(case_id or uuid.uuid4(), "create", create_payload(refdata), updated), ELSEWHERE,
                 refdata, updated)
    case = case.model_copy(update={"status": status, "updated_at": updated, "version": version,
                                   "number": f"2026-{uuid.uuid4().int % 10**6:06d}"})
    cache.apply_changes([Change(position=cache.cursor() + 1, kind="case", id=str(case.id),
                                data=case.model_dump(mode="json"))], cache.cursor() + 1)
    return case.id


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 4, 0, tzinfo=timezone.utc)


def test_old_closed_cases_leave_the_cache_and_opened_ones_stay(cache, refdata):
    old_closed = _arrive(cache, refdata, Status.CLOSED, _day(11, 20))
    old_voided = _arrive(cache, refdata, Status.VOIDED, _day(11, 20))
    recent = _arrive(cache, refdata, Status.CLOSED, _day(12, 10))
    active = _arrive(cache, refdata, Status.DISPATCHED, _day(1, 5))  # long open: stays
    opened = _arrive(cache, refdata, Status.CLOSED, _day(11, 1))
    data = cache.server_case(opened).model_dump(mode="json")
    cache.keep_server_case(data, now=_day(12, 20))  # the operator opened it from the server's search
    seen = []
    cache.events.cases_changed.connect(seen.append)
    gone = cache.prune(NOW, 30)
    assert gone.removed == {old_closed, old_voided}
    assert seen and seen[-1].removed == {old_closed, old_voided}  # the queue is told: rows go, no reset
    for kept in (recent, active, opened):
        assert cache.case(kept) is not None
    assert cache.case(old_closed) is None and cache.case(old_voided) is None
    assert cache.prune(NOW, 30).removed == frozenset()  # nothing more to do
    # a month later the opening has aged out too
    assert opened in cache.prune(datetime(2027, 1, 25, tzinfo=timezone.utc), 30).removed


def test_a_case_with_a_waiting_command_is_kept_and_a_newer_version_comes_back(cache, refdata):
    waiting = _arrive(cache, refdata, Status.CLOSED, _day(11, 1))
    cache.issue(Actor("operator1", Role.OPERATOR), Action.NOTE, waiting, {"text": "for the record"}, NOW,
                offline=True)
    pruned = _arrive(cache, refdata, Status.CLOSED, _day(11, 1))
    assert cache.prune(NOW, 30).removed == {pruned}
    assert cache.case(waiting) is not None
    _arrive(cache, refdata, Status.IN_PROGRESS, NOW, version=2, case_id=pruned)  # reopened: the feed brings it
    assert cache.case(pruned).status == Status.IN_PROGRESS


def test_the_old_cases_are_found_through_the_queue_index_and_without_it(cache, refdata):
    """The prune reads its candidates from the queue's covering index (a start-up cost otherwise); a cache
    whose indexes are being rebuilt (a first sync writing) still prunes the same cases from the table."""
    from sqlalchemy import text

    from app.cache import retention

    old = {str(_arrive(cache, refdata, status, _day(11, 2))) for status in (Status.CLOSED, Status.VOIDED)}
    _arrive(cache, refdata, Status.CLOSED, _day(12, 20))
    _arrive(cache, refdata, Status.REGISTERED, _day(1, 2))
    since = _day(12, 1)
    with cache._engine.begin() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM cases INDEXED BY ix_cases_summary").all()
        assert "ix_cases_summary" in str(plan)
        assert set(retention._old_terminal_ids(conn, since)) == old
        conn.execute(text("DROP INDEX ix_cases_summary"))
        assert set(retention._old_terminal_ids(conn, since)) == old
        conn.rollback()
