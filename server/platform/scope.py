"""Which cases a user may see: the workflow's own scope rule (`app.cases.workflow.in_scope`: a unit handler
sees its unit's cases and its sub-units'; every other role sees all). The feed filters on the same unit
list in SQL, so a case is visible through `/api/cases/{id}` exactly when it is in `/api/changes`."""
from __future__ import annotations

from app.cases.case import Case
from app.cases.workflow import in_scope
from server.platform.auth import AuthUser


def scope_unit_ids(refdata, unit_id: str | None) -> list[str]:
    """`unit_id` and every unit below it (empty when the handler has no unit)."""
    if unit_id is None:
        return []
    return [unit_id, *refdata.descendants(unit_id)]


def can_see(user: AuthUser, case: Case, refdata) -> bool:
    return in_scope(case, user.actor, refdata)
