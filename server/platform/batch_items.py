"""Reading a command batch one command at a time (`POST /api/commands`, every kind).

A batch is a console's outbox in flight. Refusing it as a whole because of one bad command (a 422, or a
500 from deep inside a transaction) answers every retry the same way, and the outbox is stuck behind
that command for good. So only the envelope (`app.wire.cases.CommandEnvelope`, `app.wire.shifts.
EntityCommandEnvelope`: `{"commands": [...]}`, 1 to MAX_BATCH items) is the request FastAPI validates; each item is validated on its own, and one that does not fit its schema becomes a
`BadCommand`: answered `rejected` with the fields named, stored like any answer when its `command_id` is
usable (a retry gets the same answer), while the batch's other commands are applied as usual.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from app.platform.edge_types import Time, check_text, printable, problems

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
_TIME = TypeAdapter(Time)
@dataclass(frozen=True)
class ReadBatch:
    """A batch as read: each item a valid command or a `BadCommand`, in batch order."""

    commands: list[Any]


@dataclass(frozen=True)
class BadCommand:
    """A batch item that does not fit its command schema. Offers the attributes a command has, each the
    item's own value when that is usable as stored and audited text, a UUID or a time, else None (a
    placeholder for `action` and `kind`), so the appliers answer, store and audit it like a command."""

    raw: dict[str, Any]
    reason: str   # invalid_time (only issued_at is wrong) or invalid_request
    message: str  # printable, naming every field that is wrong

    def _uuid(self, name: str) -> uuid.UUID | None:
        value = self.raw.get(name)
        if isinstance(value, uuid.UUID):
            return value
        try:
            return uuid.UUID(value) if isinstance(value, str) else None
        except ValueError:
            return None

    def _text(self, name: str, max_length: int) -> str | None:
        value = self.raw.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= max_length:
            return None
        try:
            return check_text(value)
        except ValueError:
            return None

    @property
    def command_id(self) -> uuid.UUID | None:
        return self._uuid("command_id")

    @property
    def case_id(self) -> uuid.UUID | None:
        return self._uuid("case_id")

    @property
    def action(self) -> str:
        return self._text("action", 32) or "invalid"

    @property
    def kind(self) -> str:
        return self._text("kind", 16) or "invalid"

    @property
    def entity_id(self) -> str:
        return self._text("entity_id", 64) or ""

    @property
    def console_id(self) -> str | None:
        return self._text("console_id", 64)

    @property
    def offline(self) -> bool:
        return self.raw.get("offline") is True

    @property
    def issued_at(self) -> datetime | str | None:
        """The console's time, or its printable text when it is not one (the audit keeps that as raw)."""
        value = self.raw.get("issued_at")
        try:
            return _TIME.validate_python(value)
        except ValidationError:
            return printable(str(value))[:64] if value is not None else None


def read_items(items: list[Any], model: type[M]) -> list[M | BadCommand]:
    """Each item validated as `model`, or a `BadCommand` saying why not."""
    return [_read(item, model) for item in items]


def _read(item: Any, model: type[M]) -> M | BadCommand:
    if not isinstance(item, dict):
        return BadCommand({}, "invalid_request", f"invalid command: must be a JSON object, not "
                                                 f"{type(item).__name__}")
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        # A console's clock, wrong or unreadable: the reason consoles already know for it.
        clock_only = all(tuple(err["loc"][:1]) == ("issued_at",) for err in exc.errors())
        return BadCommand(item, "invalid_time" if clock_only else "invalid_request",
                          f"invalid command: {problems(exc)}"[:2000])
