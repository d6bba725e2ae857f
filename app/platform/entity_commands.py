"""Commands on feed entities other than cases, for every entity kind: one envelope, one queue, one answer.

A kind (today the handover; a next one registers the same way) is a name and the payload model of each
of its actions (`EntityKind`). Its commands share everything else with each other and with case
commands: a client-generated `command_id`, the console's durable queue (`app.cache.entity_outbox`), the
one batch endpoint (`POST /api/commands`, items told apart by `kind`), and the server's exactly-once
application with stored answers (`server.platform.entity_commands`). A new kind therefore needs its
payload models here and its effects on the server, and no new queue, client call, endpoint or answer.

Case commands (`app.cases.commands`) are the kind `case`: the same envelope and endpoint, with an outbox
of their own because a case is also changed optimistically in the console's cache (rebasing,
provisional numbers, conflicts), which no other kind needs.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.platform.edge_types import Text, Time, problems

log = logging.getLogger(__name__)

MAX_BATCH = 100   # entity commands a console sends at once
CASE_KIND = "case"  # the kind of case commands, which carry `case_id` instead of `kind` and `entity_id`


@dataclass(frozen=True)
class EntityKind:
    """An entity kind's name and the payload model of each action it takes."""

    name: str
    payloads: Mapping[str, type[BaseModel]]


class UnknownCommand(ValueError):
    """A kind or action no table knows; the message names the field."""


def payload_model(kinds: Mapping[str, EntityKind], kind: str, action: str) -> type[BaseModel]:
    if kind not in kinds:
        raise UnknownCommand(f"kind: unknown entity kind {kind!r} (known: {', '.join(sorted(kinds))})")
    model = kinds[kind].payloads.get(action)
    if model is None:
        raise UnknownCommand(f"action: {kind} has no action {action!r} "
                             f"(known: {', '.join(sorted(kinds[kind].payloads))})")
    return model


class EntityCommand(BaseModel):
    """One queued command on an entity of `kind` (the table of kinds decides which kinds and actions exist)."""

    model_config = ConfigDict(extra="forbid")

    command_id: UUID
    kind: Text = Field(min_length=1, max_length=16)
    entity_id: Text = Field(min_length=1, max_length=64)  # the shift id for a handover
    action: Text = Field(min_length=1, max_length=32)
    payload: dict[str, Any]
    issued_at: Time                                       # the console's clock
    offline: bool = False
    console_id: Text | None = Field(default=None, max_length=64)


class _StoredEntityCommand(BaseModel):
    """`EntityCommand`'s shape without the edge rules (see `stored_entity_command`)."""

    command_id: UUID
    kind: str
    entity_id: str
    action: str
    payload: dict[str, Any]
    issued_at: datetime
    offline: bool = False
    console_id: str | None = None


def stored_entity_command(data: dict[str, Any]) -> EntityCommand:
    """An entity command read back from the console's queue; one queued before today's edge rules is
    taken as stored, for the server to answer (as `app.cases.commands.stored_command`)."""
    try:
        return EntityCommand.model_validate(data)
    except ValidationError as exc:
        log.warning("queued entity command %s breaks the current rules, sent as stored: %s",
                    data.get("command_id"), problems(exc))
        return EntityCommand.model_construct(**_StoredEntityCommand.model_validate(data).model_dump())


class EntityCommandResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    command_id: UUID | None  # null only for a batch item whose own id is missing or not a UUID
    status: Literal["accepted", "rejected"]
    reason: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None   # the entity after the command; a refusal: only if the caller may read it


class EntityBatchResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    results: list[EntityCommandResult]
    server_time: datetime
