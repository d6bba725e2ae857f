"""The durable outbox: commands the operator issued that the server has not answered yet.

Every insert is committed with `synchronous=FULL` before `LocalCache.issue` returns, so a command the UI
reported as queued survives a crash or `kill -9`. Rows leave only after the server's answer is stored in
the cache (or the operator discards them), so the worst a crash can cause is a resend, which the server
deduplicates by command_id.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Iterable
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update

from app.cache.models import QueuedCommand
from app.cache.sqlite_files import open_engine
from app.cases.commands import Command, stored_command
from app.cases.workflow import Actor
from app.platform.enums import Role
from db.cache import outbox, outbox_metadata

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite"


def _queued(row) -> QueuedCommand:
    return QueuedCommand(
        seq=row.seq,
        command=stored_command(row.command),
        actor=Actor(row.username, Role(row.role), row.unit_id),
        enqueued_at=row.enqueued_at,
        attempts=row.attempts,
        last_error=row.last_error,
    )


class OutboxStore:
    """Owns `outbox.sqlite`. Callers serialise writes (LocalCache's write lock)."""

    def __init__(self, directory: Path):
        self.path = directory / OUTBOX_FILE
        self.engine = open_engine(self.path, synchronous="FULL")
        outbox_metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, command: Command, actor: Actor, now: datetime) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(outbox).values(
                command_id=str(command.command_id), case_id=str(command.case_id), action=command.action.value,
                command=command.model_dump(mode="json"), username=actor.username, role=actor.role.value,
                unit_id=actor.unit_id, enqueued_at=now, attempts=0,
            )).inserted_primary_key[0]

    def size(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(outbox)).scalar_one()

    def oldest(self, limit: int, after_seq: int | None = None) -> list[QueuedCommand]:
        """The next batch to send, in issue order (only rows after `after_seq` when given)."""
        query = select(outbox).order_by(outbox.c.seq).limit(limit)
        if after_seq is not None:
            query = query.where(outbox.c.seq > after_seq)
        with self.engine.connect() as conn:
            return [_queued(r) for r in conn.execute(query)]

    def for_cases(self, case_ids: Iterable[UUID] | None = None,
                  skip: Iterable[UUID] = ()) -> dict[UUID, list[QueuedCommand]]:
        """Queued commands grouped by case (all cases when `case_ids` is None), each list in issue order,
        without the commands of `skip` (left out by the query: each row read is a command parsed)."""
        query = select(outbox).order_by(outbox.c.seq)
        if case_ids is not None:
            keys = [str(c) for c in case_ids]
            if not keys:
                return {}
            query = query.where(outbox.c.case_id.in_(keys))
        skipped = [str(c) for c in skip]
        if skipped:
            query = query.where(outbox.c.command_id.not_in(skipped))
        grouped: dict[UUID, list[QueuedCommand]] = defaultdict(list)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                grouped[UUID(row.case_id)].append(_queued(row))
        return dict(grouped)

    def cases_with_commands(self, case_ids: Iterable[UUID]) -> set[UUID]:
        """Those of `case_ids` that have queued commands."""
        found: set[UUID] = set()
        if not case_ids:
            return found
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            if raw.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is None:
                return found  # before formatting the ids: a feed page asks with 1,000 of them
            keys = [str(c) for c in case_ids]
            for start in range(0, len(keys), 5000):
                chunk = keys[start:start + 5000]
                marks = ",".join("?" * len(chunk))
                found.update(UUID(c) for (c,) in raw.execute(
                    f"SELECT DISTINCT case_id FROM outbox WHERE case_id IN ({marks})", chunk))
        return found

    def cases_of(self, command_ids: Iterable[UUID]) -> dict[UUID, UUID]:
        """The case of each of `command_ids` still queued (command id -> case id), without parsing the
        commands: storing a batch's answers needs the full command of a refusal only."""
        keys = [str(c) for c in command_ids]
        found: dict[UUID, UUID] = {}
        if not keys:
            return found
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            for start in range(0, len(keys), 5000):
                chunk = keys[start:start + 5000]
                marks = ",".join("?" * len(chunk))
                found.update((UUID(c), UUID(k)) for c, k in raw.execute(
                    f"SELECT command_id, case_id FROM outbox WHERE command_id IN ({marks})", chunk))
        return found

    def by_command_ids(self, command_ids: Iterable[UUID]) -> dict[UUID, QueuedCommand]:
        keys = [str(c) for c in command_ids]
        if not keys:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.command_id.in_(keys)))
            return {UUID(r.command_id): _queued(r) for r in rows}

    def remove(self, command_ids: Iterable[UUID]) -> int:
        keys = [str(c) for c in command_ids]
        if not keys:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(delete(outbox).where(outbox.c.command_id.in_(keys))).rowcount

    def note_failure(self, command_ids: Iterable[UUID], error: str) -> None:
        """Count a failed send; shown to the operator as attempts and the last error."""
        keys = [str(c) for c in command_ids]
        if not keys:
            return
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.command_id.in_(keys))
                         .values(attempts=outbox.c.attempts + 1, last_error=error[:2000]))
