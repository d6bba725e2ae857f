"""The handover report as the console shows, prints and signs it — Qt-free.

- `HandoverState`: the server's report (a feed entity, `LocalCache.entity("handover", shift_id)`) with
  this console's queued notes/signature laid over it, and any refusal the server sent back.
- `report_html` (`app.shifts.handover_report`): the report as one HTML document (screen, PDF and print
  use the same text), every label translatable (context `HandoverReport`).
- `timeline`: the ledger events of a shift's window, from the cache's cases, for the review view.
- `queue_notes` / `queue_signature`: the lead's actions, queued durably (`app.cache.entity_outbox`) so
  they work offline; the signature names the content hash of the version on screen.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from app.platform.enums import Action, Role, Status
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.labels import action_label
from app.refdata.people import person_text
from app.shifts.commands import HANDOVER, SET_NOTES, SIGN

log = logging.getLogger(__name__)

CTX = "HandoverReport"
SHIFT = "shift"

_SHIFT_NAMES = {"day": QT_TRANSLATE_NOOP("HandoverReport", "Day shift"),
                "night": QT_TRANSLATE_NOOP("HandoverReport", "Night shift")}


def _tr(text: str) -> str:
    return translate(CTX, text)


def shift_label(name: str) -> str:
    text = _SHIFT_NAMES.get(name)
    return _tr(text) if text else name


# ---- the state on this console ------------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    command_id: UUID
    action: str
    reason: str
    message: str


@dataclass(frozen=True)
class HandoverState:
    shift_id: str
    server: dict[str, Any]               # the server's JSON (feed entity)
    notes: str                           # with this console's queued edit, if any
    notes_pending: bool
    signature_pending: str | None        # the hash this console's queued signature names
    refusals: tuple[Refusal, ...] = field(default_factory=tuple)

    @property
    def signed(self) -> bool:
        return self.server.get("status") == "signed"

    @property
    def report(self) -> dict[str, Any]:
        return self.server.get("report") or {}

    def can_edit_notes(self, username: str) -> bool:
        return not self.signed and self.signature_pending is None and self.server.get("outgoing_lead") == username

    def can_sign(self, username: str, role: Role) -> bool:
        return (role == Role.SHIFT_LEAD and not self.signed and self.signature_pending is None
                and not self.notes_pending and self.server.get("outgoing_lead") != username)


def handover_state(cache, shift_id: str) -> HandoverState | None:
    server = cache.entity(HANDOVER, str(shift_id))
    if server is None:
        return None
    notes, notes_pending, signature, refusals = server.get("notes", ""), False, None, []
    for queued in cache.entity_outbox.for_entity(HANDOVER, str(shift_id)):
        command = queued.command
        if queued.rejected:
            refusals.append(Refusal(command.command_id, command.action, queued.rejected_reason,
                                    queued.rejected_message or ""))
        elif command.action == SET_NOTES:
            notes, notes_pending = command.payload["notes"], True
        elif command.action == SIGN:
            signature = command.payload["content_hash"]
    return HandoverState(str(shift_id), server, notes, notes_pending, signature, tuple(refusals))


def handovers(cache) -> list[dict[str, Any]]:
    """Every handover the cache holds, newest shift first."""
    items = list(cache.entities(HANDOVER).values())
    return sorted(items, key=lambda h: h.get("shift", {}).get("opened_at", ""), reverse=True)


def queue_notes(cache, username: str, state: HandoverState, notes: str, now: datetime, *, offline: bool):
    if not state.can_edit_notes(username):
        raise ValueError(_tr(QT_TRANSLATE_NOOP("HandoverReport", "Only the outgoing lead edits the notes, and only "
                                                                "before the report is signed.")))
    return cache.entity_outbox.issue(username, HANDOVER, state.shift_id, SET_NOTES, {"notes": notes}, now,
                                     offline=offline)


def queue_signature(cache, username: str, role: Role, state: HandoverState, now: datetime, *, offline: bool,
                    remarks: str = ""):
    """Sign the version on screen: the server refuses the signature if the report changed since."""
    if not state.can_sign(username, role):
        raise ValueError(_tr(QT_TRANSLATE_NOOP("HandoverReport", "This report cannot be signed here: it is signed "
                                                                "already, a signature or a notes edit is waiting "
                                                                "to be sent, or you are its outgoing lead.")))
    payload = {"content_hash": state.server["content_hash"]} | ({"remarks": remarks} if remarks else {})
    return cache.entity_outbox.issue(username, HANDOVER, state.shift_id, SIGN, payload, now, offline=offline)


# ---- the timeline --------------------------------------------------------------------------------------

class TimelineEvent(NamedTuple):
    at: datetime
    case_id: UUID
    number: str
    action: Action
    actor: str
    actor_role: Role
    unit_id: str | None
    to_status: Status
    detail: str


def _detail(payload: dict[str, Any]) -> str:
    for key in ("reason", "note", "text", "unit_id", "description"):
        if payload.get(key):
            return str(payload[key])
    return ""


def timeline(cache, start: datetime, end: datetime | None) -> list[TimelineEvent]:
    """Every ledger event with `start <= at < end` (end None: up to now), oldest first. Reads the
    cases updated since `start` only (a case's last event is its `updated_at`)."""
    events: list[TimelineEvent] = []
    for case in cache.cases_updated_since(start):
        unit = None
        for event in case.events:
            if event.action in (Action.DISPATCH, Action.REASSIGN):
                unit = event.payload.get("unit_id") or unit
            if event.at >= start and (end is None or event.at < end):
                number = case.number or case.provisional_number or str(case.id)[:8]
                events.append(TimelineEvent(event.at, case.id, number,
                                            event.action, event.actor, event.actor_role, unit,
                                            event.to_status, _detail(event.payload)))
            if event.action == Action.RETURN:
                unit = None
    events.sort(key=lambda e: (e.at, str(e.case_id)))
    return events


def event_type_label(action: Action) -> str:
    return action_label(action)


def actor_label(event: TimelineEvent, refdata=None) -> str:
    """'张敏 · Operator': the display name and the role the event was taken in."""
    return person_text(refdata, event.actor, event.actor_role)
