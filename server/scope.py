"""Which entities a user may see: `app.scope`, the one rule, applied to the authenticated user. The feed
filters on the same visible units, so a case is visible through `/api/cases/{id}` exactly when it is in
`/api/changes`."""
from __future__ import annotations

from app import scope
from app.case import Case
from server.auth import AuthUser


def visible_units(user: AuthUser, refdata) -> frozenset[str] | None:
    """The units whose entities `user` sees (None = everything)."""
    return scope.visible_units(user.role, user.unit_id, refdata)


def can_see(user: AuthUser, case: Case, refdata) -> bool:
    return scope.sees_case(case, user.role, user.unit_id, refdata)


def may_see_owned(user: AuthUser, owner_unit_id: str | None, refdata) -> bool:
    """A sensor (or its alarms) owned by `owner_unit_id`."""
    return scope.sees(visible_units(user, refdata), owner_unit_id or scope.NO_UNIT)
