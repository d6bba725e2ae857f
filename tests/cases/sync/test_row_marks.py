"""The marks a cache row carries for the docks' lists (`app.cache.case_rows.ROW_COLUMNS`: `tasks`,
`lead_work`), read through partial indexes by `app.cache.task_rows` and `app.cache.lead_work`: a case is
marked exactly as its JSON says, whichever way it was written (issued here, or received from the feed as
the text of a page or as a parsed dict), a later version clears a mark, and the lists read from a cache
filled from the feed equal those of the cache the cases were made in."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.cache import LocalCache
from app.cache.lead_work import Kind
from app.platform.enums import Action, Status
from app.wire.feed import Change
from app.wire.feed_decode import CaseText
from tests.support.ui import INSPECTOR, OPERATOR, CaseMaker


def _marks(cache: LocalCache) -> dict[str, tuple[int, int]]:
    with cache._engine.connect() as conn:
        return {id_: (tasks, lead) for id_, tasks, lead in
                conn.exec_driver_sql("SELECT id, tasks, lead_work FROM cases").all()}


def _entry(case, position: int, form: str):
    if form == "text":
        return CaseText(position, str(case.id), case.model_dump_json())
    return Change(position=position, kind="case", id=str(case.id), data=case.model_dump(mode="json"))


def _lead_items(cache: LocalCache, now: datetime) -> set:
    work = cache.lead_work(now)
    return {(kind, item.case_id) for kind in (Kind.EXTENSION, Kind.VERIFY_FAIL, Kind.ESCALATION, Kind.RESUME_DUE)
            for item in work[kind]}


@pytest.mark.parametrize("form", ["text", "dict"])
def test_rows_are_marked_as_their_json_says_whichever_way_they_were_written(cache, refdata, tmp_path, form):
    maker = CaseMaker(cache, refdata)
    joint, checking = maker.make(Status.IN_PROGRESS), maker.make(Status.REPORTED)
    maker.act(joint, Action.ADD_CO_UNIT, {"unit_id": "roads"}, actor=OPERATOR)
    maker.act(checking, Action.SEND_CHECK, {"inspector": INSPECTOR.username}, actor=OPERATOR)
    extension, reworked = maker.make(Status.IN_PROGRESS), maker.make(Status.VERIFYING)
    maker.act(extension, Action.REQUEST_EXTENSION)
    maker.act(reworked, Action.VERIFY_FAIL)
    suspended, escalated, plain = (maker.make(Status.REGISTERED), maker.make(Status.DISPATCHED),
                                   maker.make(Status.DISPATCHED))
    resume = datetime.now(UTC) + timedelta(hours=2)
    maker.act(suspended, Action.SUSPEND, {"reason": "rain", "resume_at": resume.isoformat()})
    maker.act(escalated, Action.ESCALATE)
    expected = {str(joint): (1, 0), str(checking): (1, 0), str(extension): (0, 1), str(reworked): (0, 1),
                str(suspended): (0, 1), str(escalated): (0, 0), str(plain): (0, 0)}  # escalated: by its column
    assert _marks(cache) == expected  # issued here (`case_row`)

    cases = [cache.case(case_id) for case_id in (joint, checking, extension, reworked, suspended, escalated, plain)]
    other = LocalCache(tmp_path / f"from-{form}")
    other.store_refdata(refdata.to_dict())
    other.apply_changes([_entry(case, i + 1, form) for i, case in enumerate(cases)], len(cases))
    assert _marks(other) == expected
    assert {(t.case_id, t.kind) for t in other.open_tasks()} == {(t.case_id, t.kind) for t in cache.open_tasks()} \
        == {(joint, "co_task"), (checking, "check")}
    later = resume + timedelta(minutes=1)
    assert _lead_items(other, later) == _lead_items(cache, later) == {
        (Kind.EXTENSION, extension), (Kind.VERIFY_FAIL, reworked), (Kind.ESCALATION, escalated),
        (Kind.RESUME_DUE, suspended)}

    # newer versions without the co-task and the extension request: their marks are cleared
    newer = [cases[0].model_copy(update={"co_tasks": (), "version": cases[0].version + 1}),
             cases[2].model_copy(update={"extension": None, "version": cases[2].version + 1})]
    other.apply_changes([_entry(case, 20 + i, form) for i, case in enumerate(newer)], 21)
    assert _marks(other) == expected | {str(joint): (0, 0), str(extension): (0, 0)}
    assert [(t.case_id, t.kind) for t in other.open_tasks()] == [(checking, "check")]
    assert (Kind.EXTENSION, extension) not in _lead_items(other, later)
    other.close()
