"""The durable queue of entity commands (every kind in `app.cache.command_kinds`: today the handover's
notes and signature) and of this console's offline periods, in `outbox.sqlite` next to the case outbox
(same `synchronous=FULL` engine).

Why a second table and not the case outbox: these commands act on no case, so the case outbox's
rebasing, provisional numbers and conflicts do not apply. What carries over is the promise: a command is
committed here before `issue` returns, is sent until the server answers, and leaves only once the answer
is stored; the server deduplicates by `command_id`, so a resend after a crash is harmless.

A command the server rejects is kept with the refusal (`rejected_reason`, `rejected_message`, the
server's version of the entity) until the lead dismisses it: that is how, e.g., a signature given offline
to a report the outgoing lead changed meanwhile is shown instead of silently dropped.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from app.cache.command_kinds import ENTITY_KINDS
from app.platform.entity_commands import (
    EntityCommand,
    EntityCommandResult,
    payload_model,
    stored_entity_command,
)
from app.platform.events import EventGroup
from db.cache import entity_outbox, outages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedEntityCommand:
    seq: int
    command: EntityCommand
    username: str
    enqueued_at: datetime
    attempts: int
    last_error: str | None
    rejected_reason: str | None = None
    rejected_message: str | None = None
    server_data: dict[str, Any] | None = None

    @property
    def rejected(self) -> bool:
        return self.rejected_reason is not None


def _queued(row) -> QueuedEntityCommand:
    return QueuedEntityCommand(seq=row.seq, command=stored_entity_command(row.command), username=row.username,
                               enqueued_at=row.enqueued_at, attempts=row.attempts, last_error=row.last_error,
                               rejected_reason=row.rejected_reason, rejected_message=row.rejected_message,
                               server_data=row.server_data)


class EntityOutbox:
    """Thread-safe enough for its callers: every write is one short SQLite transaction on the outbox's
    engine (WAL, busy timeout), and no write depends on a value read in an earlier transaction.

    Events: `changed(pending_count)` after any queue change (the engine kicks its push on it; views
    redraw), `outages_changed()` when an offline period is opened, closed or reported."""

    def __init__(self, engine: Engine, console_id: str):
        self.engine = engine
        self.console_id = console_id
        self.events = EventGroup("changed", "outages_changed")

    # ---- commands ------------------------------------------------------------------------------------

    def issue(self, username: str, kind: str, entity_id: str, action: str, payload: dict[str, Any],
              now: datetime, *, offline: bool) -> EntityCommand:
        """Validate, commit to the outbox, then announce; returns the queued command."""
        command = EntityCommand(command_id=uuid.uuid4(), kind=kind, entity_id=str(entity_id), action=action,
                                payload=payload, issued_at=now, offline=offline, console_id=self.console_id)
        payload_model(ENTITY_KINDS, kind, action).model_validate(payload)  # bad input fails here, before anything is queued
        with self.engine.begin() as conn:
            conn.execute(insert(entity_outbox).values(
                command_id=str(command.command_id), kind=kind, entity_id=str(entity_id), action=action,
                command=command.model_dump(mode="json"), username=username, enqueued_at=now, attempts=0))
        self.events.changed.emit(self.pending_count())
        return command

    def pending_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(entity_outbox)
                                .where(entity_outbox.c.rejected_reason.is_(None))).scalar_one()

    def pending(self, limit: int = 100) -> list[QueuedEntityCommand]:
        """Commands still to send, in issue order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(entity_outbox).where(entity_outbox.c.rejected_reason.is_(None))
                                .order_by(entity_outbox.c.seq).limit(limit))
            return [_queued(r) for r in rows]

    def for_entity(self, kind: str, entity_id: str) -> list[QueuedEntityCommand]:
        """Every row of one entity (pending and rejected), in issue order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(entity_outbox).where(entity_outbox.c.kind == kind,
                                                            entity_outbox.c.entity_id == str(entity_id))
                                .order_by(entity_outbox.c.seq))
            return [_queued(r) for r in rows]

    def rejected(self) -> list[QueuedEntityCommand]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(entity_outbox).where(entity_outbox.c.rejected_reason.is_not(None))
                                .order_by(entity_outbox.c.seq))
            return [_queued(r) for r in rows]

    def apply_results(self, results: list[EntityCommandResult], now: datetime) -> None:
        """Accepted: the row leaves (the entity's new state arrives through the feed). Rejected: the row
        stays with the refusal, out of the send queue."""
        with self.engine.begin() as conn:
            for result in results:
                key = str(result.command_id)
                if result.status == "accepted":
                    conn.execute(delete(entity_outbox).where(entity_outbox.c.command_id == key))
                else:
                    conn.execute(update(entity_outbox).where(entity_outbox.c.command_id == key).values(
                        rejected_reason=result.reason or "rejected", rejected_message=result.message or "",
                        server_data=result.data, answered_at=now))
                    log.warning("server refused %s", key)
        self.events.changed.emit(self.pending_count())

    def note_failure(self, command_ids: list[uuid.UUID], error: str) -> None:
        keys = [str(c) for c in command_ids]
        with self.engine.begin() as conn:
            conn.execute(update(entity_outbox).where(entity_outbox.c.command_id.in_(keys))
                         .values(attempts=entity_outbox.c.attempts + 1, last_error=error[:2000]))

    def dismiss(self, command_id: uuid.UUID) -> None:
        """The lead has seen a refusal; forget it."""
        with self.engine.begin() as conn:
            conn.execute(delete(entity_outbox).where(entity_outbox.c.command_id == str(command_id),
                                                     entity_outbox.c.rejected_reason.is_not(None)))
        self.events.changed.emit(self.pending_count())

    # ---- offline periods -----------------------------------------------------------------------------

    def outage_started(self, at: datetime, error: str | None) -> None:
        """Open an offline period unless one is open already (idempotent)."""
        with self.engine.begin() as conn:
            if conn.execute(select(outages.c.id).where(outages.c.ended_at.is_(None))).first() is None:
                conn.execute(insert(outages).values(id=str(uuid.uuid4()), started_at=at,
                                                    error=(error or "")[:2000] or None))
        self.events.outages_changed.emit()

    def outage_ended(self, at: datetime) -> bool:
        """Close the open offline period, if any; True when one was closed."""
        with self.engine.begin() as conn:
            closed = conn.execute(update(outages).where(outages.c.ended_at.is_(None))
                                  .values(ended_at=at)).rowcount
        if closed:
            self.events.outages_changed.emit()
        return bool(closed)

    def open_outage(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(outages).where(outages.c.ended_at.is_(None))).first()
            return dict(row._mapping) if row is not None else None

    def closed_outages(self, limit: int = 500) -> list[dict[str, Any]]:
        """Closed periods not reported yet, as the server's `POST /api/console-outages` wants them."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(outages).where(outages.c.ended_at.is_not(None))
                                .order_by(outages.c.started_at).limit(limit))
            return [{"id": r.id, "started_at": r.started_at.isoformat(), "ended_at": r.ended_at.isoformat(),
                     "error": r.error} for r in rows]

    def outages_reported(self, ids: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(outages).where(outages.c.id.in_(ids)))
        self.events.outages_changed.emit()
