"""Deadlines before decisions: what approving an extension does to a case's deadline, shown before the
lead approves. In working time, "4 more working hours" can move a deadline by most of a day (nights,
lunch breaks and weekends do not count), so the preview says both: the new deadline, and by how much
it moves on the clock. Qt-free; the approve dialog and tests use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.cases.case import Case
from app.platform import times
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

CTX = "Deadlines"


@dataclass(frozen=True)
class ExtensionPreview:
    minutes: int               # granted
    requested: int
    working: bool
    old_due: datetime
    new_due: datetime

    @property
    def moved_by(self) -> timedelta:
        return self.new_due - self.old_due

    def text(self) -> str:
        """'New deadline 2026-11-24 11:00 (was 2026-11-23 16:00): 4 h of working time move it by 19 h;
        nights, breaks and days off do not count.'"""
        if self.working:
            template = QT_TRANSLATE_NOOP("Deadlines", "New deadline {new} (was {old}): {granted} of working time "
                                                      "move it by {moved} on the clock; nights, breaks and days "
                                                      "off do not count.")
        else:
            template = QT_TRANSLATE_NOOP("Deadlines", "New deadline {new} (was {old}): {granted} of calendar time.")
        return translate(CTX, template).format(new=times.fmt(self.new_due), old=times.fmt(self.old_due),
                                               granted=times.duration_text(timedelta(minutes=self.minutes)),
                                               moved=times.duration_text(self.moved_by))


def extension_preview(case: Case, refdata: RefData, minutes: int | None = None) -> ExtensionPreview | None:
    """The deadline the case would have if its pending extension were approved for `minutes` (None: all
    that was asked), computed as the workflow computes it; None when there is no request or deadline."""
    ext = case.extension
    if ext is None or case.due_at is None:
        return None
    granted = min(minutes or ext.minutes, ext.minutes)
    new_due = timelimits.extend(case.due_at, timelimits.Limit(granted, ext.working), refdata.policy.calendar)
    return ExtensionPreview(granted, ext.minutes, ext.working, case.due_at, new_due)
