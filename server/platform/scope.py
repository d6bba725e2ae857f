"""What a user may read, one rule per entity kind, used by the GET endpoints *and* by every answer that
could carry the entity (a refused command's answer carries it only when its caller could GET it).

Cases, sensors and alarms: `app.platform.scope`, the one rule, applied to the authenticated user (a unit
handler sees its unit's and its sub-units'; every other role sees all). The feed filters on the same
visible units, so a case is visible through `/api/cases/{id}` exactly when it is in `/api/changes`.
Jurisdictions: every role but the unit handler sees the cases, sensors and alarms of the jurisdictions it is
assigned (`AuthUser.jurisdictions`; none: all), in the feed (`feed_units`) and through every GET; a sensor
lies in its grid's street, its alarms with it. AVL positions stay visible to every jurisdiction.
Handovers: every role but unit handlers (a report names every unit's cases; the feed's leads-only kinds).
"""
from __future__ import annotations

from typing import Any

from app.cases.case import Case
from app.platform import scope
from app.platform.enums import Role
from server.platform.auth import AuthUser


def visible_units(user: AuthUser, refdata) -> frozenset[str] | None:
    """The units whose entities `user` sees (None = everything): a unit handler's; what AVL positions
    are scoped by."""
    return scope.visible_units(user.role, user.unit_id, refdata)


def feed_units(user: AuthUser, refdata) -> frozenset[str] | None:
    """What `user`'s feed is filtered by: its visible units, or its streets' keys (a jurisdiction user)."""
    return scope.visible_units(user.role, user.unit_id, refdata, user.jurisdictions)


def can_see(user: AuthUser, case: Case, refdata) -> bool:
    return scope.sees_case(case, user.role, user.unit_id, refdata, user.jurisdictions)


def may_see_sensor(user: AuthUser, sensor, refdata) -> bool:
    """A sensor (or its alarms): a unit handler's by its owner unit, a jurisdiction user's by its street."""
    return scope.sees_owned(feed_units(user, refdata), sensor.owner_unit_id, sensor.jurisdiction)


def visible_case(user: AuthUser, case: Case | None, refdata) -> Case | None:
    """`case` if `user` could GET it, else None: what a refused command's answer may carry."""
    return case if case is not None and can_see(user, case, refdata) else None


def can_read_handover(user: AuthUser) -> bool:
    return user.role != Role.UNIT_HANDLER


def visible_handover(user: AuthUser, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The handover's JSON if `user` could GET it, else None: what a refused command's answer may carry."""
    return data if data is not None and can_read_handover(user) else None
