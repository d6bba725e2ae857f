"""The plain values the cache hands out: queue rows, change sets, conflicts, queued commands."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app.cases.case import Case
from app.cases.commands import Command
from app.cases.workflow import Actor
from app.platform.enums import Action


@dataclass(frozen=True)
class ChangeSet:
    """Which cases one cache transaction touched; views redraw only these rows."""

    added: frozenset[UUID] = frozenset()
    updated: frozenset[UUID] = frozenset()
    removed: frozenset[UUID] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @property
    def ids(self) -> frozenset[UUID]:
        return self.added | self.updated | self.removed

    def merged(self, other: ChangeSet) -> ChangeSet:
        """This change set followed by `other` (a case added then removed is simply gone)."""
        removed = (self.removed | other.removed) - other.added
        added = (self.added | other.added) - other.removed
        updated = (self.updated | other.updated) - added - removed
        return ChangeSet(frozenset(added), frozenset(updated), frozenset(removed))


class CaseTexts(NamedTuple):
    """What the queue reads of cases beyond their summary columns (`LocalCache.case_texts`)."""

    texts: dict[UUID, str]                                  # description, address, reporter: for search
    mine: set[UUID]                                         # history names the user, or its inspector
    co_units: dict[UUID, tuple[tuple[str, str], ...]]       # joint cases: (co-unit, its task's state)…


@dataclass(frozen=True)
class Conflict:
    """A command the server refused; it stays here until the operator discards or re-applies it."""

    id: int
    command: Command
    reason: str                 # WorkflowError code, `forbidden`, `conflict`, ...
    message: str
    server_case: Case | None    # the server's state of the case when it refused (None: see below)
    created_at: datetime
    settled: bool = False       # its outcome already held on the server: listed, not a conflict

    @property
    def case_id(self) -> UUID:
        return self.command.case_id

    @property
    def server_has_no_case(self) -> bool:
        """The server has no such case. A refusal without a case may also mean the server would not show
        it to this user (e.g. `out_of_scope`: reassigned to another unit meanwhile): then it is False."""
        return self.server_case is None and (self.reason == "no_such_case" or self.command.action == Action.CREATE)


@dataclass(frozen=True)
class QueuedCommand:
    """An outbox row: the command and the identity it was issued under."""

    seq: int
    command: Command
    actor: Actor
    enqueued_at: datetime
    attempts: int = 0
    last_error: str | None = field(default=None, compare=False)
