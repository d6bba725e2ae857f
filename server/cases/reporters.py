"""Every reporter of a master case: at its closure the server lists, on the closing event, the repeats merged
into it whose reporters are due a callback too (a citizen source with a phone), so each callback later
reaches every reporter (`app.cases.callbacks`), the figures count them from the history
(`app.metrics.satisfaction`), and a console or the CLI knows whom to call without asking the server again.

The list is taken in the closing command's transaction from the index of `cases.merged_into`; a repeat
merged after the closure cannot exist (a merge needs an open master), and one unmerged after it keeps its
place on this closure (its reporter was a reporter of the problem closed).
"""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.cases.callbacks import REPORTS_KEY
from app.cases.case import Case
from app.platform.enums import CITIZEN_SOURCES, Action, Status
from db.cases import CaseRow

log = logging.getLogger(__name__)

_CASES = CaseRow.__table__
_SELECT_REPEATS = (select(_CASES.c.id, _CASES.c.number, _CASES.c.data)
                   .where(_CASES.c.merged_into == bindparam("master_id"), _CASES.c.status == str(Status.MERGED))
                   .order_by(_CASES.c.created_at))


def callback_reports(session: Session, master_id: uuid.UUID) -> list[dict]:
    """The repeats merged into `master_id` whose reporter can be called back, oldest first."""
    out = []
    for row in session.execute(_SELECT_REPEATS, {"master_id": master_id}):
        data = row.data or {}
        if data.get("source") in CITIZEN_SOURCES and str(data.get("reporter_phone") or "").strip():
            out.append({"case_id": str(row.id), "number": row.number})
    return out


def stamp_closure(session: Session, case: Case) -> Case:
    """`case` just closed, its closing event naming the merged reporters due a callback (unchanged if none)."""
    if case.status != Status.CLOSED or not case.events or case.events[-1].action != Action.CLOSE:
        return case
    reports = callback_reports(session, case.id)
    if not reports:
        return case
    closing = case.events[-1]
    stamped = closing.model_copy(update={"payload": {**closing.payload, REPORTS_KEY: reports}})
    log.info("case %s closed with %d merged reporter(s) to call back", case.id, len(reports))
    return case.model_copy(update={"events": case.events[:-1] + (stamped,)})
