"""The server's repeat check of every new case (`app.cases.merging` holds the rule).

Every creation goes through `server.cases.commands` (consoles, the CLI, Open311, detections, sensor alarms,
the demo): inside the creating command's transaction the new case is checked against the open cases near
it, read by the grid-cell index (`cases.merge_cell`, NULL once a case has ended), and a likely repeat is
merged into its master at once by the system (`merge` action, a second event of the same command): the
creator's answer already says "merged into 2026-000123", so its reporter is given the master's number.

The master keeps its reports as the cases that point at it (`cases.merged_into`, indexed: `reports_of`).

A case merged by hand (the desk's `merge` command) is checked here too: the master must exist and be
open, and the repeat records its number.

The check is on unless the server setting `repeat_merge` is off (`ONEGRID_REPEAT_MERGE=false`); the
setting reaches this module on the writer sessions' `info` (`enable`), so no caller has to pass it.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from app.cases import merging
from app.cases.actors import SYSTEM_ACTOR, WorkflowError
from app.cases.case import Case
from app.cases.commands import Command
from app.cases.workflow import apply
from app.platform.enums import Action, Status
from db.cases import CaseRow
from server.cases import reporters
from server.cases.system_ids import system_command_id

log = logging.getLogger(__name__)

INFO_KEY = "repeat_merge"
_CASES = CaseRow.__table__
_LAT, _LON = _CASES.c.lat, _CASES.c.lon
_SELECT_NEAR = (select(_CASES.c.id, _CASES.c.number, _CASES.c.category_code, _CASES.c.created_at, _LAT, _LON)
                .where(_CASES.c.merge_cell.in_(bindparam("cells", expanding=True)),
                       _CASES.c.category_code.in_(bindparam("categories", expanding=True)),
                       _CASES.c.created_at >= bindparam("since"),
                       _CASES.c.created_at <= bindparam("until")))
_SELECT_MASTER = select(_CASES.c.number, _CASES.c.status).where(_CASES.c.id == bindparam("case_id"))
_SELECT_REPORTS = (select(_CASES.c.id, _CASES.c.number, _CASES.c.created_at)
                   .where(_CASES.c.merged_into == bindparam("master_id")).order_by(_CASES.c.created_at))


def enable(writer: sessionmaker[Session], on: bool) -> None:
    """Turn the automatic check on or off for every command applied through `writer`."""
    info = dict(writer.kw.get("info") or {})
    info[INFO_KEY] = on
    writer.configure(info=info)


def enabled(session: Session) -> bool:
    return bool(session.info.get(INFO_KEY, False))


def find_master(session: Session, *, case_id: uuid.UUID, category_code: str, lat: float, lon: float,
                reported_at: datetime, refdata=None) -> merging.Match | None:
    """The open case a report at (lat, lon) repeats, or None: one indexed read of the cells around it. The
    rule (radius, window, related categories) is the category's in the reference data `refdata`."""
    rule = merging.rule_for(category_code, refdata)
    rows = session.execute(_SELECT_NEAR, {
        "cells": merging.cells_near(lat, lon, rule.radius_m),
        "categories": sorted(merging.related_categories(category_code, refdata)),
        "since": reported_at - rule.window, "until": reported_at}).all()
    candidates = [merging.Candidate(r[0], r[1], r[2], r[4], r[5], r[3]) for r in rows
                  if r[4] is not None and r[5] is not None]
    return merging.likely_master(candidates, case_id=case_id, category_code=category_code, lat=lat, lon=lon,
                                 reported_at=reported_at, refdata=refdata)


def merge_on_create(session: Session, case: Case, refdata, now: datetime) -> Case:
    """`case` (just created, not yet written) merged into its master when it is a likely repeat, else as it is."""
    match = find_master(session, case_id=case.id, category_code=case.category_code, lat=case.location.lat,
                        lon=case.location.lon, reported_at=case.created_at, refdata=refdata)
    if match is None:
        return case
    master = match.master
    command = Command(command_id=system_command_id(case.id, "repeat_merge"), case_id=case.id, action=Action.MERGE,
                      payload={"master_id": str(master.case_id), "distance_m": round(match.distance_m, 1),
                               "reason": f"automatic: a repeat of {master.number or master.case_id}, "
                                         f"{match.distance_m:.0f} m away"},
                      issued_at=now, console_id="server")
    try:
        merged = apply(case, command, SYSTEM_ACTOR, refdata, now)
    except WorkflowError as err:  # e.g. a status the rules do not merge from: the case stays as it is
        log.info("case %s not merged into %s: %s", case.id, master.case_id, err.message)
        return case
    log.info("case %s merged into %s (%s, %.0f m)", case.id, master.case_id, master.number, match.distance_m)
    return merged.model_copy(update={"merged_number": master.number})


def check_manual_merge(session: Session, case: Case, command: Command) -> Command:
    """A desk `merge`: refused (WorkflowError) unless its master exists and is open."""
    master_id = command.payload.get("master_id") if isinstance(command.payload, dict) else None
    try:
        master_uuid = uuid.UUID(str(master_id))
    except ValueError:
        raise WorkflowError("invalid_payload", f"master_id: {master_id!r} is not a case id") from None
    row = session.execute(_SELECT_MASTER, {"case_id": master_uuid}).first()
    why = merging.merge_refusal(case.id, master_uuid, Status(row.status) if row is not None else None)
    if why is not None:
        raise WorkflowError("bad_master", why)
    return command


def master_number(session: Session, master_id: uuid.UUID) -> str | None:
    row = session.execute(_SELECT_MASTER, {"case_id": master_id}).first()
    return row.number if row is not None else None


def reports_of(session: Session, master_id: uuid.UUID) -> list[dict]:
    """The repeats merged into a master, oldest first: each report and so each reporter it keeps."""
    return [{"case_id": str(r.id), "number": r.number, "created_at": r.created_at.isoformat()}
            for r in session.execute(_SELECT_REPORTS, {"master_id": master_id})]


def after_apply(session: Session, old: Case | None, command: Command, new: Case, refdata, now: datetime) -> Case:
    """The server's repeat rules on a command the workflow accepted, in its transaction (every path that
    applies case commands calls this: one at a time, and grouped): a new case is checked for a repeat of an
    open case (and merged), a desk's merge names a master that exists and is open. Raises WorkflowError."""
    if old is None and enabled(session):  # every new case, whoever creates it
        return merge_on_create(session, new, refdata, now)
    if command.action == Action.MERGE and new.merged_into is not None:
        check_manual_merge(session, new, command)
        return new.model_copy(update={"merged_number": master_number(session, new.merged_into)})
    if command.action == Action.CLOSE:  # every reporter of a master is called back (server.cases.reporters)
        return reporters.stamp_closure(session, new)
    return new


def row_values(case: Case) -> dict:
    """The repeat check's columns of a case row (its cell while open, its master, its place)."""
    return {"merge_cell": merging.open_cell(case.status, case.location.lat, case.location.lon),
            "merged_into": case.merged_into, "lat": case.location.lat, "lon": case.location.lon}
