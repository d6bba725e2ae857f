"""A master case's reports: the repeats merged into it, each with its reporter and, after a closure, that
reporter's callback — as a console or the CLI shows them.

Personal data (a reporter's name and phone) is shown to the center's desk (operators, shift leads: they
take the reports and call the reporters back) and to admins; an inspector or a unit handler sees it masked
(name: its first character; phone: the first three and last four digits), as a citizen app sees no
reporter at all (`app.open311.requests`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app.cases.case import Case, ReportCallback
from app.platform.enums import Role, Source

log = logging.getLogger(__name__)

PERSONAL_DATA_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEAD, Role.ADMIN})


def may_see_reporter(role: Role | str) -> bool:
    return role in PERSONAL_DATA_ROLES


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * min(len(name) - 1, 3) if len(name) > 1 else ("*" if name else "")


def mask_phone(phone: str) -> str:
    phone = phone.strip()
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 8:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])


def reporter_text(name: str, phone: str, role: Role | str) -> str:
    """"name · phone" as `role` may see it ('' when there is neither)."""
    if not may_see_reporter(role):
        name, phone = mask_name(name), mask_phone(phone)
    return " · ".join(x for x in (name.strip(), phone.strip()) if x)


class MergedReport(NamedTuple):
    case_id: UUID
    number: str
    source: Source
    reported_at: datetime
    reporter: str                      # masked for a role that may not see it
    callback: ReportCallback | None    # this reporter's call after the master's current closure


def merged_reports(master: Case, repeats: Iterable[Case], role: Role | str) -> list[MergedReport]:
    """The repeats merged into `master` (others are ignored), oldest first."""
    calls = {cb.report_id: cb for cb in master.report_callbacks}
    mine = sorted((c for c in repeats if c.merged_into == master.id), key=lambda c: (c.created_at, str(c.id)))
    return [MergedReport(c.id, c.display_number, c.source, c.created_at,
                         reporter_text(c.reporter_name, c.reporter_phone, role), calls.get(c.id)) for c in mine]
