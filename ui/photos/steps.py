"""The steps a photo belongs to, in the order of the loop, their labels, and the step a new photo on a case
goes to by default (the step the case is at: the unit's photo while it handles, the inspector's at
verification)."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.platform.enums import Status

STEPS = ("report", "detection", "handled", "verify_pass", "verify_fail", "callback")  # as app.photos.Step

_LABELS = {
    "report": QT_TRANSLATE_NOOP("PhotoSteps", "Report"),                # 上报
    "handled": QT_TRANSLATE_NOOP("PhotoSteps", "Handled"),              # 处置
    "verify_pass": QT_TRANSLATE_NOOP("PhotoSteps", "Verification passed"),  # 核查通过
    "verify_fail": QT_TRANSLATE_NOOP("PhotoSteps", "Verification failed"),  # 核查不通过
    "callback": QT_TRANSLATE_NOOP("PhotoSteps", "Callback"),            # 回访
    "detection": QT_TRANSLATE_NOOP("PhotoSteps", "Detection frame"),    # 识别画面
}

# A lead decides on closing by comparing the problem as reported with the work as handed in.
BEFORE_STEPS = ("report", "detection")
AFTER_STEPS = ("handled", "verify_pass")


def step_label(step: str) -> str:
    return QCoreApplication.translate("PhotoSteps", _LABELS.get(step, step))


def step_order(step: str) -> int:
    return STEPS.index(step) if step in STEPS else len(STEPS)


def default_step(status: str | None) -> str:
    """The step a photo attached now most likely documents."""
    s = str(status or "")
    if s in (Status.DISPATCHED, Status.IN_PROGRESS, Status.HANDLED, Status.RETURNED):
        return "handled"
    if s == Status.VERIFYING:
        return "verify_pass"
    if s == Status.CLOSED:
        return "callback"
    return "report"
