"""Handover reports: drafted from the ledger when a shift closes, annotated by the outgoing
lead, signed by the incoming lead, then immutable.

The report is computed here, on the server, from `case_events` (what happened in the shift's window)
and `cases` (what is still open at its end), plus the emergency-mode and outage histories of
`server.shifts.shifts` and the sensor alarms. It is stored as JSON in `handovers.report` at close time, so what
the incoming lead reviews and signs is a fixed document, not a query that moves under their eyes.

`content_hash` = SHA-256 of the canonical JSON of (shift id, report, notes). A signature names the hash
of the version its signer reviewed; a signature for any other hash is refused with `report_changed`
(e.g. the outgoing lead edited the notes after the incoming lead signed offline), so it cannot be applied
to a text its signer never saw.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app.cases import supervision
from app.platform.enums import TERMINAL_STATUSES, Action, Role, Status
from app.shifts.commands import NOTES_MAX
from db.cases import CaseEventRow, CaseRow
from db.feed import FeedRow
from db.metadata import Base
from db.shifts import HANDOVER_DRAFT, HANDOVER_SIGNED, HandoverRow, ShiftRow
from server.audit import chain as audit
from server.cases.supervision import cases_with_orders
from server.feed.record import record_change
from server.metrics.facts import window_evaluation
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.shifts.open_tasks import open_tasks
from server.shifts.shifts import SHIFT, emergency_periods, outages_during, shift_data

log = logging.getLogger(__name__)

HANDOVER = "handover"
REPORT_FORMAT = 1
LIST_LIMIT = 200          # items per list in a report; the counts are always complete
_TERMINAL = [str(s) for s in TERMINAL_STATUSES]
# Runs with the new JSON after the feed change and before the audit entry (the entity-command path stores
# its idempotency record there, so the audit entry stays the transaction's last statement).
BeforeAudit = Callable[[dict[str, Any]], None]


class HandoverRefused(Exception):
    """A handover action the rules refuse; `status` is the HTTP status of the direct endpoint."""

    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def as_api_error(self) -> ApiError:
        return ApiError(self.status, self.reason, self.message)


# ---- the report ------------------------------------------------------------------------------------

def content_hash(shift_id: uuid.UUID | str, report: dict[str, Any], notes: str) -> str:
    canonical = json.dumps({"shift_id": str(shift_id), "report": report, "notes": notes}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _case_ref(row: CaseRow) -> dict[str, Any]:
    return {"case_id": str(row.id), "number": row.number, "status": row.status, "unit_id": row.unit_id,
            "category_code": row.category_code, "priority": row.priority}


def _place(data: dict) -> dict[str, Any]:
    """Where the case is, for a lead reading the overdue list: its address and grid."""
    location = data.get("location") or {}
    return {"address": location.get("address") or "", "grid_code": location.get("grid_code")}


def _events(session: Session, action: str, start: datetime, end: datetime):
    return session.execute(
        select(CaseEventRow, CaseRow).join(CaseRow, CaseRow.id == CaseEventRow.case_id)
        .where(CaseEventRow.action == action, CaseEventRow.at >= start, CaseEventRow.at < end)
        .order_by(CaseEventRow.at, CaseEventRow.case_id, CaseEventRow.seq)).all()


def _limited(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"total": len(items), "items": items[:LIST_LIMIT]}


def _unit_before(case_data: dict[str, Any], seq: int) -> str | None:
    """The unit a case was with just before event `seq` (the unit that returned it)."""
    unit = None
    for event in case_data.get("events", []):
        if event["seq"] >= seq:
            break
        if event["action"] in (Action.DISPATCH, Action.REASSIGN) and event.get("payload", {}).get("unit_id"):
            unit = event["payload"]["unit_id"]
        elif event["action"] == Action.RETURN:
            unit = None
    return unit


def draft_report(session: Session, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """What happened between `start` and `end`, and what is left open at `end` (= `now` at close)."""
    ev = CaseEventRow
    counts = dict(session.execute(select(ev.action, func.count()).where(ev.at >= start, ev.at < end)
                                  .group_by(ev.action)).all())
    open_by_status = dict(session.execute(select(CaseRow.status, func.count())
                                          .where(CaseRow.status.not_in(_TERMINAL)).group_by(CaseRow.status)).all())
    is_overdue = (CaseRow.status.not_in([*_TERMINAL, str(Status.SUSPENDED)]), CaseRow.due_at.is_not(None),
                  CaseRow.due_at < end)
    overdue_total = session.execute(select(func.count()).select_from(CaseRow).where(*is_overdue)).scalar_one()
    overdue_rows = session.execute(select(CaseRow).where(*is_overdue).order_by(CaseRow.due_at, CaseRow.id)
                                   .limit(LIST_LIMIT)).scalars().all()  # a busy city has thousands: the oldest
    overdue = [{**_case_ref(r), "due_at": _iso(r.due_at), "stage": r.data.get("stage"),
                "escalation_level": r.data.get("escalation_level", 0), **_place(r.data)} for r in overdue_rows]
    escalated = [{**_case_ref(c), "at": _iso(e.at), "actor": e.actor, "automatic": e.actor_role == Role.SYSTEM,
                  "reason": e.payload.get("reason", ""), "escalated_to": c.data.get("escalated_to"),
                  "escalation_level": c.data.get("escalation_level", 0)}
                 for e, c in _events(session, Action.ESCALATE, start, end)]
    returned = [{**_case_ref(c), "at": _iso(e.at), "actor": e.actor, "reason": e.payload.get("reason", ""),
                 "returned_by_unit": _unit_before(c.data, e.seq), "return_count": c.data.get("return_count", 0)}
                for e, c in _events(session, Action.RETURN, start, end)]
    verification_failures = [{**_case_ref(c), "at": _iso(e.at), "actor": e.actor,
                              "reason": e.payload.get("reason", ""), "rework_count": c.data.get("rework_count", 0)}
                             for e, c in _events(session, Action.VERIFY_FAIL, start, end)]
    asked = select(ev.case_id).where(ev.action == Action.REQUEST_EXTENSION).distinct()
    extension_rows = session.execute(select(CaseRow).where(CaseRow.id.in_(asked), CaseRow.status.not_in(_TERMINAL))
                                     .order_by(CaseRow.id)).scalars().all()
    extensions = [{**_case_ref(r), "minutes": r.data["extension"]["minutes"],
                   "working": r.data["extension"]["working"], "reason": r.data["extension"]["reason"],
                   "requested_by": r.data["extension"]["requested_by"],
                   "requested_at": r.data["extension"]["requested_at"]}
                  for r in extension_rows if r.data.get("extension")]
    extensions.sort(key=lambda x: x["requested_at"])
    open_escalations, open_orders = carried_over(session, end)
    tasks = open_tasks(session, end, _case_ref)
    return {
        "format": REPORT_FORMAT,
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "generated_at": now.isoformat(),
        "counts": {"opened": counts.get(Action.CREATE, 0), "registered": counts.get(Action.REGISTER, 0),
                   "dispatched": counts.get(Action.DISPATCH, 0), "handled": counts.get(Action.REPORT_HANDLED, 0),
                   "closed": counts.get(Action.CLOSE, 0), "voided": counts.get(Action.VOID, 0),
                   "returned": counts.get(Action.RETURN, 0), "escalated": counts.get(Action.ESCALATE, 0),
                   "verification_failures": counts.get(Action.VERIFY_FAIL, 0),
                   "still_open": sum(open_by_status.values()),
                   "open_escalations": open_escalations["total"], "open_orders": open_orders["total"],
                   "overdue_orders": open_orders["overdue"], "open_tasks": tasks["total"]},
        "open_by_status": {status: open_by_status[status] for status in sorted(open_by_status)},
        "overdue": {"total": overdue_total, "items": overdue},
        "escalated": _limited(escalated),
        "open_escalations": open_escalations,
        "open_orders": open_orders,
        "open_tasks": tasks,
        "returned": _limited(returned),
        "awaiting_decision": {"extension_requests": _limited(extensions),
                              "verification_failures": _limited(verification_failures)},
        "alarms": alarms_during(session, start, end),
        "emergency": emergency_periods(session, start, end),
        "outages": outages_during(session, start, end),
        "evaluation": window_evaluation(session, start, end),
        "disputes": _limited(open_disputes(session)),
    }


def open_disputes(session: Session) -> list[dict[str, Any]]:
    """Cases in the dispute queue (returned twice, owner not decided yet): they carry into every handover."""
    rows = session.execute(select(CaseRow).where(CaseRow.status == str(Status.RETURNED))
                           .order_by(CaseRow.id)).scalars().all()
    items = [{**_case_ref(r), "since": r.data["dispute_since"], "return_count": r.data.get("return_count", 0)}
             for r in rows if r.data.get("dispute_since")]
    items.sort(key=lambda x: x["since"])
    return items


def carried_over(session: Session, end: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """What every handover carries whenever it began: the escalated cases still open, and the supervision
    orders not accepted yet (waiting for the unit's reply or the lead's decision), at `end`.

    The escalations of the shift's own window (`escalated`) are not enough: a case escalated in an earlier
    shift and still open would not appear in any later report, and a signed report said "no escalations"
    while escalated cases were open."""
    is_open = CaseRow.status.not_in(_TERMINAL)
    escalated_rows = session.execute(
        select(CaseRow).where(is_open, CaseRow.data["escalation_level"].as_integer() > 0)
        .order_by(CaseRow.updated_at, CaseRow.id)).scalars().all()
    escalations = [{**_case_ref(r), "escalated_to": r.data.get("escalated_to"),
                    "escalation_level": r.data.get("escalation_level", 0), "due_at": _iso(r.due_at)}
                   for r in escalated_rows]
    orders = []
    for case in cases_with_orders(session):
        for order in supervision.open_orders(case):
            orders.append({"case_id": str(case.id), "number": case.number, "status": str(case.status),
                           "order_number": order.number, "order_id": str(order.id), "level": str(order.level),
                           "unit_id": order.unit_id, "state": order.state, "issued_by": order.issued_by,
                           "issued_at": order.issued_at.isoformat(), "due_at": order.due_at.isoformat(),
                           "overdue": supervision.is_overdue(order, end), "text": order.text,
                           "reply": order.reply})
    orders.sort(key=lambda o: (not o["overdue"], o["due_at"], o["case_id"], o["order_number"]))
    return _limited(escalations), {**_limited(orders), "overdue": sum(o["overdue"] for o in orders)}


# ---- sensor alarms (the sensor alarms' table when present, else the feed entities of its contract) -----------

_ALARM_FIELDS = ("id", "sensor_id", "kind", "level", "state", "raised_at", "cleared_at", "value", "peak_value",
                 "message", "acknowledged_by", "case_id")
ALARM_TABLES = ("sensor_alarms", "alarms")  # the sensor feature's name, and the name the contract first used


def _alarm_table():
    """Issue 4's alarm table if this build has one with the columns the report needs: `raised_at`,
    `cleared_at` (indexed times to select on) and `data` (the alarm's JSON, as in the feed)."""
    for name in ALARM_TABLES:
        table = Base.metadata.tables.get(name)
        if table is not None and {"raised_at", "cleared_at", "data"} <= set(table.c.keys()):
            return table
    return None


def _alarm_item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.get(name) for name in _ALARM_FIELDS}


def alarms_during(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Alarms raised in [start, end) and alarms still active (not cleared) at `end`.

    Read from the sensor server's alarm table when this database has it (selected on its indexed times),
    else from the feed's `alarm` entities (the contract's JSON, SENSOR_CONTRACT.md); both carry the same
    JSON, so the report is the same either way."""
    table = _alarm_table()
    if table is not None and inspect(session.connection()).has_table(table.name):  # this transaction's connection
        datas = session.execute(select(table.c.data).where(
            table.c.raised_at < end, table.c.cleared_at.is_(None) | (table.c.cleared_at >= start))).scalars().all()
        source = table.name
    else:
        datas = session.execute(select(FeedRow.data).where(FeedRow.kind == "alarm")).scalars().all()
        source = "feed"
    alarms = [_alarm_item(d) for d in datas if isinstance(d, dict) and d.get("raised_at")]

    def at(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    raised = [a for a in alarms if start <= at(a["raised_at"]) < end]
    active = [a for a in alarms if at(a["raised_at"]) < end and (a["cleared_at"] is None or at(a["cleared_at"]) >= end)]
    raised.sort(key=lambda a: (a["raised_at"], a["id"] or ""))
    active.sort(key=lambda a: (a["raised_at"], a["id"] or ""))
    return {"source": source, "raised": _limited(raised), "active": _limited(active)}


# ---- the handover row ----------------------------------------------------------------------------------

def handover_data(row: HandoverRow, shift: ShiftRow) -> dict[str, Any]:
    """The handover's JSON, as in the API and the feed (kind `handover`)."""
    return {"shift_id": str(row.shift_id), "status": row.status, "version": row.version,
            "content_hash": row.content_hash, "report": row.report, "notes": row.notes,
            "outgoing_lead": row.outgoing_lead, "drafted_at": row.drafted_at.isoformat(),
            "updated_at": row.updated_at.isoformat(), "signed_by": row.signed_by,
            "signed_at": _iso(row.signed_at), "signed_client_time": _iso(row.signed_client_time),
            "signed_offline": row.signed_offline, "signed_remarks": row.signed_remarks or "",
            "shift": shift_data(shift)}


def close_and_draft(session: Session, shift: ShiftRow, user: AuthUser, now: datetime, notes: str,
                    console_id: str | None = None) -> dict[str, Any]:
    """Draft the report of `shift` (already marked closed by the caller) and publish both."""
    report = draft_report(session, shift.opened_at, now, now)
    row = HandoverRow(shift_id=shift.id, status=HANDOVER_DRAFT, report=report, notes=notes, version=1,
                      content_hash=content_hash(shift.id, report, notes), outgoing_lead=user.username,
                      drafted_at=now, updated_at=now, signed_offline=False)
    session.add(row)
    session.flush()
    data = handover_data(row, shift)
    record_change(session, SHIFT, shift.id, data["shift"])
    record_change(session, HANDOVER, shift.id, data)
    audit.record(session, at=now, actor=user.username, role=str(user.role), action="shift_close",
                 entity_kind=SHIFT, entity_id=str(shift.id), result="ok", console_id=console_id,
                 detail={"content_hash": row.content_hash, "counts": report["counts"]})
    return data


def _lock(session: Session, shift_id: uuid.UUID) -> tuple[HandoverRow, ShiftRow]:
    row = session.execute(select(HandoverRow).where(HandoverRow.shift_id == shift_id).with_for_update()
                          ).scalar_one_or_none()
    if row is None:
        raise HandoverRefused(404, "not_found", f"no handover report for shift {shift_id} "
                                                f"(a report is drafted when its shift closes)")
    return row, session.get(ShiftRow, shift_id)


def _require_lead(user: AuthUser) -> None:
    if user.role != Role.SHIFT_LEAD:
        raise HandoverRefused(403, "forbidden", f"only a shift lead may do this, not {user.role} '{user.username}'")


def set_notes(session: Session, user: AuthUser, shift_id: uuid.UUID, notes: str, now: datetime, *,
              console_id: str | None = None, client_time: datetime | None = None,
              offline: bool = False, before_audit: BeforeAudit | None = None) -> dict[str, Any]:
    """Replace the outgoing lead's notes of a draft; raises HandoverRefused before writing anything."""
    _require_lead(user)
    if len(notes) > NOTES_MAX:
        raise HandoverRefused(422, "invalid_request", f"notes are {len(notes)} characters long; at most "
                                                      f"{NOTES_MAX} are allowed")
    row, shift = _lock(session, shift_id)
    if row.status == HANDOVER_SIGNED:
        raise HandoverRefused(409, "handover_signed", f"the handover of shift {shift_id} was signed by "
                                                      f"{row.signed_by} at {_iso(row.signed_at)}; it cannot change")
    if user.username != row.outgoing_lead:
        raise HandoverRefused(403, "forbidden", f"only the outgoing lead {row.outgoing_lead} edits the notes of "
                                                f"this handover, not {user.username}")
    if notes == row.notes:
        return handover_data(row, shift)
    row.notes = notes
    row.version += 1
    row.content_hash = content_hash(shift_id, row.report, notes)
    row.updated_at = now
    return _publish(session, row, shift, user, "handover_notes", now, console_id, client_time, offline,
                    before_audit, {"version": row.version, "content_hash": row.content_hash})


def sign(session: Session, user: AuthUser, shift_id: uuid.UUID, signed_hash: str, now: datetime, *,
         console_id: str | None = None, client_time: datetime | None = None, offline: bool = False,
         before_audit: BeforeAudit | None = None, remarks: str = "") -> dict[str, Any]:
    """The incoming lead signs the version with `signed_hash`; raises HandoverRefused before writing
    anything. The incoming lead's `remarks` are kept with the handover, shown under its signature, and go
    into the signature's audit entry (the signed report and its hash stay the outgoing lead's)."""
    _require_lead(user)
    row, shift = _lock(session, shift_id)
    if row.status == HANDOVER_SIGNED:
        raise HandoverRefused(409, "handover_signed", f"the handover of shift {shift_id} was already signed by "
                                                      f"{row.signed_by} at {_iso(row.signed_at)}")
    if user.username == row.outgoing_lead:
        raise HandoverRefused(403, "forbidden", f"{user.username} is the outgoing lead of this shift; the incoming "
                                                f"lead signs the handover")
    if signed_hash != row.content_hash:
        raise HandoverRefused(409, "report_changed",
                              f"the handover of shift {shift_id} changed after you reviewed it (now version "
                              f"{row.version}, last edited by {row.outgoing_lead} at {_iso(row.updated_at)}); "
                              f"review it again and sign the current version")
    row.status = HANDOVER_SIGNED
    row.signed_by = user.username
    row.signed_at = now
    row.signed_client_time = client_time
    row.signed_offline = offline
    row.signed_remarks = remarks
    row.updated_at = now
    detail = {"content_hash": row.content_hash} | ({"remarks": remarks} if remarks else {})
    data = _publish(session, row, shift, user, "handover_sign", now, console_id, client_time, offline,
                    before_audit, detail)
    log.info("handover of shift %s signed by %s", shift_id, user.username)
    return data


def _publish(session: Session, row, shift, user: AuthUser, action: str, now: datetime, console_id: str | None,
             client_time: datetime | None, offline: bool, before_audit: BeforeAudit | None,
             detail: dict[str, Any]) -> dict[str, Any]:
    """Write the changed handover, put it in the feed, then audit it (last: see server.audit.chain)."""
    session.flush()
    data = handover_data(row, shift)
    record_change(session, HANDOVER, row.shift_id, data)
    if before_audit is not None:
        before_audit(data)
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=action, entity_kind=HANDOVER,
                 entity_id=str(row.shift_id), result="ok", console_id=console_id, client_time=client_time,
                 offline=offline, detail=detail)
    return data


def get_handover(session: Session, shift_id: uuid.UUID) -> dict[str, Any]:
    row = session.get(HandoverRow, shift_id)
    if row is None:
        raise ApiError(404, "not_found", f"no handover report for shift {shift_id}")
    return handover_data(row, session.get(ShiftRow, shift_id))
