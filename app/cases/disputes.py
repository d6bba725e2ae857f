"""Ownership disputes (权属争议): a case returned twice is not a job for the returning unit's parent; it goes
to the city management office's dispute queue, where a shift lead decides the owner with a reason.

The queue is not a status of its own: a disputed case stays `returned` (it is in nobody's hands) with
`dispute_since` set, so every rule and figure about returned cases keeps working. While the dispute is
open the dispatch post cannot dispatch it: only `decide_owner` (a lead) sends it out, to the unit
decided. After a decision the units cannot return the case again; the lead's own reassignment is the
approval DOMAIN.md asks for (a unit that still disagrees asks the lead, who may reassign it).
"""
from __future__ import annotations

import logging

from app.cases.case import Case

log = logging.getLogger(__name__)

# A case returned this many times is an ownership dispute (DOMAIN.md, "Steps the seed centers run").
DISPUTE_AFTER_RETURNS = 2
DISPUTE_REASON = "returned {n} times: ownership dispute (权属争议), for the city management office to decide"


def opens_dispute(case: Case) -> bool:
    """True when the return being applied to `case` (not yet counted) makes it a dispute."""
    return case.owner_decision is None and case.dispute_since is None \
        and case.return_count + 1 >= DISPUTE_AFTER_RETURNS


def in_dispute(case: Case) -> bool:
    return case.dispute_since is not None


def needs_open_dispute(case: Case) -> str | None:
    return None if in_dispute(case) else "no ownership dispute is open"


def not_in_dispute(case: Case) -> str | None:
    return "its owner is in dispute: a shift lead decides it (decide_owner)" if in_dispute(case) else None


def return_refusal(case: Case) -> str | None:
    """A unit may not return a case whose owner a lead decided; the lead may reassign it."""
    d = case.owner_decision
    if d is None:
        return None
    return (f"its owner was decided by {d.decided_by} ({d.reason}): ask the shift lead to reassign it "
            "instead of returning it")


def dispute_queue(cases) -> list[Case]:
    """The open disputes, oldest first."""
    return sorted((c for c in cases if in_dispute(c)), key=lambda c: (c.dispute_since, c.display_number))
