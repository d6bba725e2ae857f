"""Who may see what: the one scope rule, used by the server's feed (its database reads and the in-memory
ring), its endpoints, the workflow and the console's cache.

Every feed entity has a *scope*, computed from the entity alone when it is written (`entity_scope`):
- None: every user sees it (settings, shifts);
- a unit id: every user sees it but a unit handler, who sees it when the unit is one of its *visible
  units* (its own unit and every unit below it) — a case's unit, a sensor's or alarm's owner unit;
- `NO_UNIT` (""): no unit handler sees it — a case not dispatched (or returned), a leads-only kind such
  as a handover report (it lists every unit's cases).
A user's visible units (`visible_units`) are None (everything) for every role but the unit handler.

When an entity's scope moves away from a unit (a case reassigned, returned, dispatched elsewhere; a
sensor given to another owner), the feed remembers the unit it *left* and the position where it left it
(the row's `exits`). A unit handler who could see that unit, reading the feed from a cursor before that
position, gets a *scope exit* entry (`SCOPE_EXIT`) at the entity's position instead of the entity, and
its console deletes its copy (`feed_entry`). From cursor 0 (a full snapshot) there are no exits: such a
console holds nothing from the server to delete.
"""
from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Literal

from app.platform.enums import Role

if TYPE_CHECKING:
    from app.cases.case import Case
    from app.refdata.model import RefData

CASE = "case"
SCOPE_EXIT = "scope_exit"  # the feed entry that tells a console an entity left its user's scope
NO_UNIT = ""
# Kinds a unit handler's feed never carries: a handover report lists every unit's cases.
LEADS_ONLY_KINDS = ("handover",)
# Kinds whose data names the unit that owns them (`owner_unit_id`): a unit handler sees those of its
# scope only, like cases (a sensor's state and its alarms).
OWNER_SCOPED_KINDS = ("sensor", "alarm")
ALL = "all"  # `scope_tag` of a user who sees everything

Units = frozenset[str] | None  # visible units; None = everything


def visible_units(role: Role | str, unit_id: str | None, refdata: RefData) -> frozenset[str] | None:
    """The units whose entities a user sees: None (everything) for every role but the unit handler; a
    unit handler's own unit and every unit below it (none without a unit)."""
    if Role(role) != Role.UNIT_HANDLER:
        return None
    if unit_id is None:
        return frozenset()
    return frozenset((unit_id, *refdata.descendants(unit_id)))


def case_scope(case: Case) -> str:
    """A case belongs to its unit; an undispatched (or returned) one to no unit handler."""
    return case.unit_id or NO_UNIT


def entity_scope(kind: str, data: Mapping[str, Any] | None) -> str | None:
    """The scope of a feed entity of `kind` whose JSON is `data` (see the module docstring)."""
    if kind == CASE:
        unit = data.get("unit_id") if isinstance(data, Mapping) else None
        return unit if isinstance(unit, str) and unit else NO_UNIT
    if kind in LEADS_ONLY_KINDS:
        return NO_UNIT
    if kind in OWNER_SCOPED_KINDS:
        owner = data.get("owner_unit_id") if isinstance(data, Mapping) else None
        return owner if isinstance(owner, str) and owner else NO_UNIT
    return None


def sees(units: Collection[str] | None, scope: str | None) -> bool:
    """Whether a user with visible `units` sees an entity of `scope`."""
    return units is None or scope is None or scope in units


def sees_case(case: Case, role: Role | str, unit_id: str | None, refdata: RefData) -> bool:
    return sees(visible_units(role, unit_id, refdata), case_scope(case))


def left_unit(old_scope: str | None, new_scope: str | None) -> str | None:
    """The unit an entity leaves when its scope goes from `old_scope` to `new_scope` (None: it leaves
    none that matters: it had no unit, or everyone still sees it). The server's upsert states the same
    in SQL (`server.feed.read`, `server.feed.pages`)."""
    if not old_scope or new_scope is None or new_scope == old_scope:
        return None
    return old_scope


def feed_candidate(units: Collection[str] | None, scope: str | None, exits: Mapping[str, int] | None,
                   after: int) -> bool:
    """Whether a feed row is worth reading for this user from cursor `after` (the SQL pre-filter of
    `server.feed.read`; `feed_entry` decides). A page counts candidates against its limit, so the database
    read and the ring page the same way."""
    return sees(units, scope) or (after > 0 and bool(exits))


def feed_entry(units: Collection[str] | None, scope: str | None, exits: Mapping[str, int] | None,
               after: int) -> Literal["entity", "exit"] | None:
    """What a user with visible `units` reading from cursor `after` gets for one feed row: the entity,
    a scope exit (it left one of the user's units after `after`: the user may hold a copy), or nothing."""
    if sees(units, scope):
        return "entity"
    if after > 0 and exits and any(position > after and unit in units for unit, position in exits.items()):
        return "exit"
    return None


def scope_tag(units: Collection[str] | None) -> str:
    """A short name of what a user sees, sent with every feed page: a console whose cached data came
    under another tag (the user's unit or role changed, or the unit tree did) starts again from 0."""
    if units is None:
        return ALL
    return "units:" + hashlib.sha256("\x1f".join(sorted(units)).encode()).hexdigest()[:16]
