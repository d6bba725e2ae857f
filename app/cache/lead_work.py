"""What waits for a shift lead, read from the cache: extension requests to approve or deny, cases whose
verification failed (rework to follow up: the last thing that happened to them), escalated cases still
open, and refused commands (conflicts) on this console. Each item names its case and since when it
waits; the lead's work-queue dock (`ui/cases/lead_queue_dock.py`) shows the counts and alerts on new
ones. Qt-free: one SQLite query over the cases' JSON, so 100,000 cases never become Case objects.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Connection, text

from app.cases.numbers import number_text
from app.platform.enums import TERMINAL_STATUSES, Action, Status

log = logging.getLogger(__name__)

class Kind(StrEnum):
    EXTENSION = "extension"
    VERIFY_FAIL = "verify_fail"
    ESCALATION = "escalation"
    RESUME_DUE = "resume_due"   # a suspension whose planned end (resume_at) has come
    CONFLICT = "conflict"


KINDS = (Kind.EXTENSION, Kind.VERIFY_FAIL, Kind.ESCALATION, Kind.RESUME_DUE, Kind.CONFLICT)


@dataclass(frozen=True)
class Item:
    kind: Kind
    case_id: UUID
    number: str
    status: Status
    category_code: str
    unit_id: str | None
    since: datetime | None
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple:
        """Identifies one request: a new extension request on the same case is a new item."""
        return (self.kind, self.case_id, self.since)


_ACTIVE = tuple(str(s) for s in Status if s not in TERMINAL_STATUSES)
_SQL = text(
    "SELECT id, number, provisional_number, status, category_code, unit_id, escalation_level, "
    " json_extract(data, '$.extension'), json_extract(data, '$.events[#-1].action'), "
    " json_extract(data, '$.events[#-1].at'), json_extract(data, '$.events[#-1].payload'), "
    " json_extract(data, '$.escalated_to'), "
    " (SELECT json_extract(e.value, '$.at') FROM json_each(data, '$.events') e "
    "   WHERE json_extract(e.value, '$.action') = 'escalate' ORDER BY e.key DESC LIMIT 1), "
    " json_extract(data, '$.rework_count'), json_extract(data, '$.resume_at') "
    # the few rows the partial index holds (the marked ones, and the escalated), not every case's JSON
    "FROM cases INDEXED BY ix_cases_lead_work WHERE (lead_work = 1 OR escalation_level > 0) "
    " AND status IN (SELECT value FROM json_each(:active)) AND ("
    " json_extract(data, '$.extension') IS NOT NULL OR escalation_level > 0 "
    " OR json_extract(data, '$.events[#-1].action') = 'verify_fail' "
    " OR json_extract(data, '$.resume_at') IS NOT NULL)")


def _time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _json(value) -> dict:
    if not value:
        return {}
    try:
        loaded = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def case_work(conn: Connection, now: datetime) -> dict[Kind, list[Item]]:
    """Extension requests, verification failures, escalations and suspensions due to resume at `now`,
    oldest first."""
    found: dict[Kind, list[Item]] = {Kind.EXTENSION: [], Kind.VERIFY_FAIL: [], Kind.ESCALATION: [],
                                     Kind.RESUME_DUE: []}
    rows = conn.execute(_SQL, {"active": json.dumps(list(_ACTIVE))}).fetchall()
    for (case_id, number, provisional, status, category, unit, level, extension, last_action, last_at, last_payload,
         escalated_to, escalated_at, rework, resume_at) in rows:
        base = dict(case_id=UUID(case_id), number=number_text(number, provisional, case_id), status=Status(status),
                    category_code=category, unit_id=unit)
        ext = _json(extension)
        if ext:
            found[Kind.EXTENSION].append(Item(Kind.EXTENSION, since=_time(ext.get("requested_at")), detail={
                "minutes": ext.get("minutes"), "working": ext.get("working", True), "reason": ext.get("reason", ""),
                "by": ext.get("requested_by")}, **base))
        if last_action == str(Action.VERIFY_FAIL):
            found[Kind.VERIFY_FAIL].append(Item(Kind.VERIFY_FAIL, since=_time(last_at), detail={
                "reason": _json(last_payload).get("reason", ""), "rework_count": rework or 0}, **base))
        due = _time(resume_at)
        if status == str(Status.SUSPENDED) and due is not None and due <= now:
            found[Kind.RESUME_DUE].append(Item(Kind.RESUME_DUE, since=due, **base))
        if level and status != str(Status.SUSPENDED):
            found[Kind.ESCALATION].append(Item(Kind.ESCALATION, since=_time(escalated_at), detail={
                "level": level, "to": escalated_to}, **base))
    for items in found.values():
        items.sort(key=lambda i: (i.since is None, i.since or datetime.min))
    return found


def conflict_item(conflict) -> Item:
    """A refused command (`app.cache.models.Conflict`) as a work item."""
    case = conflict.server_case
    payload = conflict.command.payload if isinstance(conflict.command.payload, dict) else {}
    return Item(Kind.CONFLICT, conflict.case_id,
                number_text(case.number if case else None,
                            case.provisional_number if case else payload.get("provisional_number"), conflict.case_id),
                case.status if case else Status.REPORTED, case.category_code if case else "",
                case.unit_id if case else None, conflict.created_at,
                {"action": str(conflict.command.action), "reason": conflict.reason, "conflict_id": conflict.id})
