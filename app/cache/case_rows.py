"""Between Case models and `cases` rows: the queue columns, the queue summary, and the rebase that
builds a display copy from the server snapshot plus the commands still waiting in the outbox."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

from app import workflow
from app.cache.models import CaseSummary, QueuedCommand
from app.case import Case
from app.enums import Priority, Source, Stage, Status

if TYPE_CHECKING:
    from app.refdata import RefData

log = logging.getLogger(__name__)

# Direct dict look-ups: calling the enum class costs several times more per row.
_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_SOURCE = {s.value: s for s in Source}
_STAGE = {s.value: s for s in Stage}
_STAGE[None] = None  # type: ignore[index]
_fromiso = datetime.fromisoformat

SUMMARY_COLUMNS = ("id", "number", "provisional_number", "status", "priority", "category_code", "unit_id",
                   "grid_code", "lat", "lon", "source", "created_at", "updated_at", "due_at", "stage",
                   "escalation_level", "return_count", "pending", "server_version")


def case_columns(display: Case) -> dict[str, Any]:
    """The queue columns of a case, taken from its display copy."""
    return {
        "number": display.number,
        "provisional_number": display.provisional_number,
        "status": display.status.value,
        "priority": display.priority.value,
        "category_code": display.category_code,
        "unit_id": display.unit_id,
        "grid_code": display.location.grid_code,
        "lat": display.location.lat,
        "lon": display.location.lon,
        "source": display.source.value,
        "created_at": display.created_at,
        "updated_at": display.updated_at,
        "due_at": display.due_at,
        "stage": display.stage.value if display.stage else None,
        "escalation_level": display.escalation_level,
        "return_count": display.return_count,
    }


def case_row(display: Case, server: Case | None, pending: bool) -> dict[str, Any]:
    server_json = server.model_dump(mode="json") if server else None
    return case_columns(display) | {
        "id": str(display.id),
        "pending": pending,
        "server_version": server.version if server else None,
        "server_data": server_json,
        # Without pending commands the display copy is the snapshot itself: serialise it once.
        "data": server_json if display is server else display.model_dump(mode="json"),
    }


SUMMARY_SELECT = f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM cases"
# Whole-queue reads name the covering index: without statistics SQLite would scan the wide table.
ALL_SUMMARIES_SQL = f"{SUMMARY_SELECT} INDEXED BY ix_cases_summary"


def summary_from_raw(raw: tuple) -> CaseSummary:
    """A queue row from a raw sqlite3 tuple (SQLAlchemy's per-value processing skipped on purpose)."""
    (id_, number, provisional, status, priority, category, unit_id, grid_code, lat, lon, source, created_at,
     updated_at, due_at, stage, escalation_level, return_count, pending, server_version) = raw
    return CaseSummary(UUID(id_), number, provisional, _STATUS[status], _PRIORITY[priority], category, unit_id,
                       grid_code, lat, lon, _SOURCE[source], _fromiso(created_at), _fromiso(updated_at),
                       _fromiso(due_at) if due_at else None, _STAGE[stage], escalation_level, return_count,
                       bool(pending), server_version)


def rebase(server: Case | None, queued: Iterable[QueuedCommand], refdata: RefData | None) -> Case | None:
    """The display copy: the server snapshot with the queued commands re-applied in issue order.

    A command already in the snapshot's history (the server applied it, its answer is still on the way)
    is not applied twice. A command that no longer applies locally is left out of the display but stays
    queued: the server is the authority and will accept or refuse it. Without reference data (a freshly
    rebuilt cache) the snapshot is shown as it is."""
    case = server
    if refdata is None:
        return case
    applied = {e.command_id for e in server.events} if server else set()
    for item in queued:
        if item.command.command_id in applied:
            continue
        try:
            case = workflow.apply(case, item.command, item.actor, refdata, item.command.issued_at)
        except workflow.WorkflowError as exc:
            log.info("queued command %s (%s on case %s) no longer applies locally: %s; it stays queued for "
                     "the server to decide", item.command.command_id, item.command.action,
                     item.command.case_id, exc.message)
    return case
