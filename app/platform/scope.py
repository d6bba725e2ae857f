"""Who may see what: the one scope rule, used by the server's feed (its database reads and the in-memory
ring), its endpoints, the workflow and the console's cache.

Every feed entity has a *scope*, computed from the entity alone when it is written (`entity_scope`):
- None: every user sees it (settings, shifts);
- a unit id: every user sees it but a unit handler, who sees it when the unit is one of its *visible
  units* (its own unit and every unit below it) — a case's unit, a sensor's or alarm's owner unit;
- several unit ids joined by `JOINT_SEP` (a joint case: its lead unit and its co-handling units): a unit
  handler sees it when any of them is one of its visible units;
- `NO_UNIT` (""): no unit handler sees it — a case not dispatched (or returned), a leads-only kind such
  as a handover report (it lists every unit's cases).
A user's visible units (`visible_units`) are None (everything) for every role but the unit handler.

Jurisdictions (`app.refdata.jurisdictions`): every other role sees the entities of the jurisdictions it is
assigned (a district operator its district's streets, a city operator its city's). Its visible set then
holds one key per street, `JURISDICTION_KEY` + the street code (`@330106001`, never a unit id), and the
marker `JURISDICTION_KEY` alone; such a user's rows are compared by their *jurisdiction* (the street an
entity lies in: a case's grid's; None = every jurisdiction) instead of their unit scope (`seen_scope`).
A user assigned every street there is (or none) sees everything (None), as before. When an entity moves to
another street, the feed remembers the street it left (`exits` key `@<street>`), and a user of that street
gets a scope exit exactly as a unit handler does for a unit.

When an entity's scope moves away from a unit (a case reassigned, returned, dispatched elsewhere; a
sensor given to another owner), the feed remembers the unit it *left* and the position where it left it
(the row's `exits`, keyed by the whole old scope). A unit handler who could see that unit, reading the feed from a cursor before that
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
JOINT_SEP = ","  # never in a unit id (`app.refdata.units`): joins a joint case's units in one scope
# Kinds a unit handler's feed never carries: a handover report lists every unit's cases; a detection is
# the command centre's desk's to decide.
LEADS_ONLY_KINDS = ("handover", "detection")
# Kinds whose data names the unit that owns them (`owner_unit_id`): a unit handler sees those of its
# scope only, like cases (a sensor's state and its alarms).
OWNER_SCOPED_KINDS = ("sensor", "alarm", "position")
ALL = "all"  # `scope_tag` of a user who sees everything
JURISDICTION_KEY = "@"  # a visible set's key of a street: "@" + its code; alone, the mark of such a set

Units = frozenset[str] | None  # visible units; None = everything


def visible_units(role: Role | str, unit_id: str | None, refdata: RefData,
                  jurisdictions: Collection[str] = ()) -> frozenset[str] | None:
    """The units whose entities a user sees: a unit handler's own unit and every unit below it (none
    without a unit); for every other role None (everything), or, when its assigned `jurisdictions` do not
    cover every street, the keys of its streets (see the module docstring)."""
    if Role(role) != Role.UNIT_HANDLER:
        streets = refdata.user_streets(tuple(jurisdictions)) if jurisdictions else None
        return None if streets is None else frozenset((JURISDICTION_KEY, *(JURISDICTION_KEY + s for s in streets)))
    if unit_id is None:
        return frozenset()
    return frozenset((unit_id, *refdata.descendants(unit_id)))


def joint_scope(units: Collection[str | None]) -> str:
    """The scope of an entity several units share, in the order given (each once); NO_UNIT for none."""
    return JOINT_SEP.join(dict.fromkeys(u for u in units if u))


def scope_units(scope: str | None) -> tuple[str, ...]:
    """The units a (possibly joint) scope names."""
    return tuple(u for u in scope.split(JOINT_SEP) if u) if scope else ()


def is_joint(scope: str | None) -> bool:
    return bool(scope) and JOINT_SEP in scope


def by_jurisdiction(units: Collection[str] | None) -> bool:
    """Whether a visible set is a jurisdiction user's (compared by the rows' jurisdiction)."""
    return units is not None and JURISDICTION_KEY in units


def jurisdiction_key(jurisdiction: str | None) -> str | None:
    """A row's jurisdiction as a visible set names it (None: every jurisdiction)."""
    return JURISDICTION_KEY + jurisdiction if jurisdiction else None


def seen_scope(units: Collection[str] | None, scope: str | None, jurisdiction: str | None) -> str | None:
    """What a row is compared by for a user with visible `units`: its jurisdiction's key for a jurisdiction
    user, else its unit scope."""
    if units is not None and JURISDICTION_KEY in units:
        return JURISDICTION_KEY + jurisdiction if jurisdiction else None
    return scope


def entity_jurisdiction(kind: str, data: Mapping[str, Any] | None) -> str | None:
    """The street a feed entity other than a case lies in, as its data names it (a sensor's state and its
    alarms carry their sensor's street, `jurisdiction`); None: every jurisdiction sees it (settings, AVL
    positions). A case's is read from its row by the feed's writer (`server.feed.record`)."""
    if kind in OWNER_SCOPED_KINDS and isinstance(data, Mapping):
        street = data.get("jurisdiction")
        return street if isinstance(street, str) and street else None
    return None


def sees_owned(units: Collection[str] | None, owner_unit_id: str | None, jurisdiction: str | None) -> bool:
    """Whether a user with visible `units` (its feed's: `visible_units` with its jurisdictions) sees a sensor
    (or its alarms) of `owner_unit_id` lying in street `jurisdiction`: a unit handler by the owner unit, a
    jurisdiction user by the street — the rule its feed applies to the sensor's rows."""
    return sees(units, seen_scope(units, owner_unit_id or NO_UNIT, jurisdiction))


def case_jurisdiction(case: Case) -> str | None:
    """The street a case lies in: its grid's (None without a grid: every jurisdiction sees it)."""
    code = case.location.grid_code
    return code[:9] if code else None


def case_scope(case: Case) -> str:
    """A case belongs to its unit and to its co-handling units (joint handling); an undispatched (or
    returned) one without co-units to no unit handler."""
    if not case.co_tasks:
        return case.unit_id or NO_UNIT
    return joint_scope((case.unit_id, *(t.unit_id for t in case.co_tasks)))


def entity_scope(kind: str, data: Mapping[str, Any] | None) -> str | None:
    """The scope of a feed entity of `kind` whose JSON is `data` (see the module docstring)."""
    if kind == CASE:
        if not isinstance(data, Mapping):
            return NO_UNIT
        unit = data.get("unit_id")
        tasks = data.get("co_tasks") or ()
        co = [t.get("unit_id") for t in tasks if isinstance(t, Mapping) and isinstance(t.get("unit_id"), str)]
        return joint_scope((unit if isinstance(unit, str) else None, *co))
    if kind in LEADS_ONLY_KINDS:
        return NO_UNIT
    if kind in OWNER_SCOPED_KINDS:
        owner = data.get("owner_unit_id") if isinstance(data, Mapping) else None
        return owner if isinstance(owner, str) and owner else NO_UNIT
    return None


def sees(units: Collection[str] | None, scope: str | None) -> bool:
    """Whether a user with visible `units` sees an entity of `scope`."""
    if units is None or scope is None or scope in units:
        return True
    return JOINT_SEP in scope and any(u in units for u in scope.split(JOINT_SEP))


def sees_case(case: Case, role: Role | str, unit_id: str | None, refdata: RefData,
              jurisdictions: Collection[str] = ()) -> bool:
    units = visible_units(role, unit_id, refdata, jurisdictions)
    if units is not None and JURISDICTION_KEY in units:
        return sees(units, jurisdiction_key(case_jurisdiction(case)))
    return sees(units, case_scope(case))


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
    read and the ring page the same way. Every joint scope is a candidate (SQL tells one by its separator)."""
    return sees(units, scope) or is_joint(scope) or (after > 0 and bool(exits))


def feed_entry(units: Collection[str] | None, scope: str | None, exits: Mapping[str, int] | None,
               after: int) -> Literal["entity", "exit"] | None:
    """What a user with visible `units` reading from cursor `after` gets for one feed row: the entity,
    a scope exit (it left one of the user's units after `after`: the user may hold a copy), or nothing."""
    if sees(units, scope):
        return "entity"
    if after > 0 and exits and any(position > after and any(u in units for u in scope_units(left))
                                   for left, position in exits.items()):
        return "exit"
    return None


def scope_tag(units: Collection[str] | None) -> str:
    """A short name of what a user sees, sent with every feed page: a console whose cached data came
    under another tag (the user's unit or role changed, or the unit tree did) starts again from 0."""
    if units is None:
        return ALL
    return "units:" + hashlib.sha256("\x1f".join(sorted(units)).encode()).hexdigest()[:16]
