"""What a user may read, one rule per entity kind, used by the GET endpoints *and* by every answer that
could carry the entity (a refused command's answer carries it only when its caller could GET it).

Cases: the workflow's own scope rule (`app.cases.workflow.in_scope`: a unit handler sees its unit's cases and
its sub-units'; every other role sees all). The feed filters on the same unit list in SQL, so a case is
visible through `/api/cases/{id}` exactly when it is in `/api/changes`.
Handovers: every role but unit handlers (a report names every unit's cases; the feed's leads-only kinds).
"""
from __future__ import annotations

from typing import Any

from app.cases.case import Case
from app.platform.enums import Role
from app.cases.workflow import in_scope
from server.platform.auth import AuthUser


def scope_unit_ids(refdata, unit_id: str | None) -> list[str]:
    """`unit_id` and every unit below it (empty when the handler has no unit)."""
    if unit_id is None:
        return []
    return [unit_id, *refdata.descendants(unit_id)]


def can_see(user: AuthUser, case: Case, refdata) -> bool:
    return in_scope(case, user.actor, refdata)


def visible_case(user: AuthUser, case: Case | None, refdata) -> Case | None:
    """`case` if `user` could GET it, else None: what a refused command's answer may carry."""
    return case if case is not None and can_see(user, case, refdata) else None


def can_read_handover(user: AuthUser) -> bool:
    return user.role != Role.UNIT_HANDLER


def visible_handover(user: AuthUser, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The handover's JSON if `user` could GET it, else None: what a refused command's answer may carry."""
    return data if data is not None and can_read_handover(user) else None
