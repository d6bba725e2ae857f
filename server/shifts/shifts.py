"""Shifts: a shift lead opens the shift of the schedule (`app.shifts.schedule`), names who
is on duty, and closes it; closing drafts the handover report (`server.shifts.handover`) in the same
transaction. Also the two histories the report reads that nothing else keeps: emergency-mode switches
and console outages.

Every action is one transaction: rows, then `record_change` (the feed), then `audit.record` last.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.shifts.schedule import ScheduleError, Slot, occurrence_to_open
from db.platform import UserRow
from db.shifts import (
    SHIFT_CLOSED,
    SHIFT_OPEN,
    ConsoleOutageRow,
    EmergencySwitchRow,
    ShiftRow,
)
from server.audit import chain as audit
from server.feed.record import record_change
from server.platform.auth import AuthUser
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

SHIFT = "shift"
MAX_OUTAGE = timedelta(days=30)  # a longer "outage" is a broken console clock, not a network problem


def shift_data(row: ShiftRow) -> dict[str, Any]:
    """The shift's JSON, as in the API and the feed (kind `shift`)."""
    return {"id": str(row.id), "name": row.name, "scheduled_start": row.scheduled_start.isoformat(),
            "scheduled_end": row.scheduled_end.isoformat(), "lead": row.lead, "on_duty": list(row.on_duty),
            "opened_at": row.opened_at.isoformat(), "opened_by": row.opened_by,
            "closed_at": row.closed_at.isoformat() if row.closed_at else None, "closed_by": row.closed_by,
            "status": SHIFT_OPEN if row.open_slot is not None else SHIFT_CLOSED, "version": row.version}


def open_shift_row(session: Session) -> ShiftRow | None:
    return session.execute(select(ShiftRow).where(ShiftRow.open_slot.is_not(None))).scalar_one_or_none()


def _check_on_duty(session: Session, names: list[str], lead: str) -> list[str]:
    wanted = list(dict.fromkeys([lead, *names]))  # the lead first, no repeats, order kept
    rows = session.execute(select(UserRow.username, UserRow.active).where(UserRow.username.in_(wanted))).all()
    active = {name for name, is_active in rows if is_active}
    unknown = [n for n in wanted if n not in active]
    if unknown:
        raise ApiError(422, "unknown_users", f"not active users of this server: {', '.join(unknown)}",
                       [{"loc": ["body", "on_duty"], "msg": f"unknown or inactive user {n!r}"} for n in unknown])
    return wanted


def open_shift(session: Session, user: AuthUser, *, slots: tuple[Slot, ...], tz, now: datetime,
               name: str | None, on_duty: list[str], console_id: str | None = None) -> dict[str, Any]:
    """Open the shift `user` leads; 409 `shift_already_open` while another shift is open."""
    current = open_shift_row(session)
    if current is not None:
        raise ApiError(409, "shift_already_open",
                       f"shift {current.name} opened by {current.opened_by} at {current.opened_at.isoformat()} "
                       f"is still open; close it before opening another", [{"shift_id": str(current.id)}])
    try:
        occurrence = occurrence_to_open(slots, tz, now, name)
    except ScheduleError as exc:
        raise ApiError(422, "unknown_shift", str(exc)) from None
    row = ShiftRow(id=uuid.uuid4(), name=occurrence.slot.name, scheduled_start=occurrence.start,
                   scheduled_end=occurrence.end, lead=user.username,
                   on_duty=_check_on_duty(session, on_duty, user.username), opened_at=now,
                   opened_by=user.username, open_slot=1, version=1)
    session.add(row)
    try:
        session.flush()  # the unique open_slot: a concurrent opener loses here, not at commit
    except IntegrityError:
        raise ApiError(409, "shift_already_open", "another shift was opened at the same moment") from None
    data = shift_data(row)
    record_change(session, SHIFT, row.id, data)
    audit.record(session, at=now, actor=user.username, role=str(user.role), action="shift_open",
                 entity_kind=SHIFT, entity_id=str(row.id), result="ok", console_id=console_id,
                 detail={"name": row.name, "on_duty": data["on_duty"]})
    log.info("shift %s (%s) opened by %s", row.id, row.name, user.username)
    return data


def lock_shift(session: Session, shift_id: uuid.UUID) -> ShiftRow:
    row = session.execute(select(ShiftRow).where(ShiftRow.id == shift_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise ApiError(404, "not_found", f"no shift {shift_id}")
    return row


def close_shift_row(session: Session, row: ShiftRow, user: AuthUser, now: datetime) -> None:
    """Mark `row` closed (409 `shift_closed` if it already is); the caller drafts the report and
    records the feed change and the audit entry."""
    if row.open_slot is None:
        raise ApiError(409, "shift_closed", f"shift {row.id} ({row.name}) was already closed by {row.closed_by} "
                                            f"at {row.closed_at.isoformat() if row.closed_at else '?'}")
    if now < row.opened_at:
        raise ApiError(409, "bad_clock", f"the server clock ({now.isoformat()}) is before the shift's opening "
                                         f"({row.opened_at.isoformat()})")
    row.open_slot = None
    row.closed_at = now
    row.closed_by = user.username
    row.version += 1
    session.flush()


def shifts_list(session: Session, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(select(ShiftRow).order_by(ShiftRow.opened_at.desc()).limit(limit)).scalars()
    return [shift_data(r) for r in rows]


# ---- emergency mode history --------------------------------------------------------------------------

def record_emergency_switch(session: Session, *, on: bool, reason: str, by: str, at: datetime) -> None:
    """Called by the emergency-mode endpoint inside the switch's own transaction (a new row only, so it
    contends with nobody and may come before or after the feed change)."""
    session.add(EmergencySwitchRow(at=at, on=on, reason=reason, by=by))
    session.flush()


def emergency_periods(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The periods of emergency mode overlapping [start, end): `{start, end (None: still on), reason, by,
    started_before}` — `started_before` when the mode was already on as the window opened."""
    before = session.execute(select(EmergencySwitchRow).where(EmergencySwitchRow.at < start)
                             .order_by(EmergencySwitchRow.at.desc(), EmergencySwitchRow.id.desc()).limit(1)).scalar()
    during = session.execute(select(EmergencySwitchRow).where(EmergencySwitchRow.at >= start,
                                                              EmergencySwitchRow.at < end)
                             .order_by(EmergencySwitchRow.at, EmergencySwitchRow.id)).scalars().all()
    periods: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    if before is not None and before.on:
        current = {"start": before.at.isoformat(), "end": None, "reason": before.reason, "by": before.by,
                   "started_before": True}
    for switch in during:
        if switch.on and current is None:
            current = {"start": switch.at.isoformat(), "end": None, "reason": switch.reason, "by": switch.by,
                       "started_before": False}
        elif not switch.on and current is not None:
            current.update(end=switch.at.isoformat(), ended_by=switch.by, end_reason=switch.reason)
            periods.append(current)
            current = None
    if current is not None:
        periods.append(current)
    return periods


# ---- console outages ------------------------------------------------------------------------------------

def store_outages(session: Session, user: AuthUser, outages: list[dict[str, Any]], console_id: str,
                  now: datetime) -> dict[str, int]:
    """Store reported offline periods once each (by the console's id); returns counts."""
    stored = duplicates = 0
    for outage in outages:
        if outage["ended_at"] < outage["started_at"]:
            raise ApiError(422, "invalid_outage", f"outage {outage['id']} ends ({outage['ended_at'].isoformat()}) "
                                                  f"before it starts ({outage['started_at'].isoformat()})")
        if outage["ended_at"] - outage["started_at"] > MAX_OUTAGE:
            raise ApiError(422, "invalid_outage", f"outage {outage['id']} lasts longer than {MAX_OUTAGE.days} days; "
                                                  f"check the console's clock")
        if outage["ended_at"] > now + timedelta(days=1):
            raise ApiError(422, "invalid_outage", f"outage {outage['id']} ends in the future "
                                                  f"({outage['ended_at'].isoformat()}); check the console's clock")
    for outage in outages:
        if session.get(ConsoleOutageRow, outage["id"]) is not None:
            duplicates += 1
            continue
        session.add(ConsoleOutageRow(id=outage["id"], console_id=console_id, username=user.username,
                                     started_at=outage["started_at"], ended_at=outage["ended_at"],
                                     reported_at=now, error=outage.get("error")))
        stored += 1
    session.flush()
    if stored:
        audit.record(session, at=now, actor=user.username, role=str(user.role), action="outages_report",
                     entity_kind="console", entity_id=console_id, result="ok", console_id=console_id,
                     detail={"stored": stored, "duplicates": duplicates})
    return {"stored": stored, "duplicates": duplicates}


def outage_console_refusal(user: AuthUser, bound: str | None, claimed: str) -> ApiError | None:
    """Why a login may not report outages under `claimed` (403), or None: only under the console id its
    token was issued to (`bound`), and not at all without one."""
    if bound is None:
        return ApiError(403, "console_unbound", f"this login of '{user.username}' was made without a console id, "
                                                f"so it cannot report a console's offline periods; log in with "
                                                f"console_id '{claimed}' to report them")
    if bound != claimed:
        return ApiError(403, "console_mismatch", f"this login of '{user.username}' belongs to console '{bound}'; "
                                                 f"it may report offline periods of that console only, not of "
                                                 f"'{claimed}'")
    return None


def outages_refused(writer, user: AuthUser, bound: str | None, claimed: str, count: int, now: datetime,
                    reason: str) -> None:
    """A refused report, on record in a transaction of its own (the request fails either way)."""
    try:
        with writer() as session, session.begin():
            audit.record(session, at=now, actor=user.username, role=str(user.role), action="outages_report",
                         entity_kind="console", entity_id=claimed, result="rejected", reason=reason,
                         console_id=bound, detail={"outages": count})
    except Exception:
        log.exception("could not record the refused outage report of %s", user.username)


def outages_during(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = session.execute(select(ConsoleOutageRow).where(ConsoleOutageRow.started_at < end,
                                                          ConsoleOutageRow.ended_at >= start)
                           .order_by(ConsoleOutageRow.started_at)).scalars()
    return [{"console_id": r.console_id, "username": r.username, "start": r.started_at.isoformat(),
             "end": r.ended_at.isoformat(), "minutes": round((r.ended_at - r.started_at).total_seconds() / 60, 1),
             "error": r.error} for r in rows]


