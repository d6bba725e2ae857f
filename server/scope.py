"""Which cases a user may see: a unit handler sees its own unit's cases and its sub-units'; every other
role sees all. The feed filters on the same unit list in SQL, so a case is visible through
`/api/cases/{id}` exactly when it is visible in `/api/changes`."""
from __future__ import annotations

from app.case import Case
from app.enums import Role
from server.auth import AuthUser


def scope_unit_ids(refdata, unit_id: str | None) -> list[str]:
    """`unit_id` and every unit below it (empty when the handler has no unit)."""
    if unit_id is None:
        return []
    below = refdata.descendants(unit_id)
    return [unit_id, *(getattr(u, "id", u) for u in below)]


def can_see(user: AuthUser, case: Case, refdata) -> bool:
    if user.role != Role.UNIT_HANDLER:
        return True
    return case.unit_id is not None and case.unit_id in scope_unit_ids(refdata, user.unit_id)
