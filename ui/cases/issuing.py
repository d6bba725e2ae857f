"""Issuing a case command from the console: the one call every dock and dialog uses (the cache's writer
thread), the console's clock, and the words for a refusal."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable
from uuid import UUID

from PySide6.QtCore import QCoreApplication, QObject

from app.cases.workflow import WorkflowError
from app.platform.enums import Action
from ui.shell.context import working_offline
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext


def now_utc(ctx: ConsoleContext) -> datetime:
    """The console's clock (a context may provide a server-corrected `now()`)."""
    clock = getattr(ctx, "now", None)
    return clock() if callable(clock) else datetime.now(timezone.utc)


def ui_language(ctx: ConsoleContext | None = None) -> str:
    """The language now shown ('zh_CN' or 'en'), for picking `name` or `name_en` of reference data."""
    return current_language()


def refusal_text(exc: BaseException) -> str:
    """A message an operator can act on for a refused or failed command."""
    if isinstance(exc, WorkflowError):
        headline = {
            "illegal_state": QCoreApplication.translate("CaseActions",
                                                        "The case has moved on; this action no longer applies."),
            "forbidden_role": QCoreApplication.translate("CaseActions", "Your role may not take this action."),
            "out_of_scope": QCoreApplication.translate("CaseActions", "The case belongs to another unit."),
            "precondition": QCoreApplication.translate("CaseActions", "The case is not ready for this action."),
            "invalid_payload": QCoreApplication.translate("CaseActions",
                                                          "Some required information is missing or invalid."),
            "unknown_unit": QCoreApplication.translate("CaseActions", "Unknown member unit."),
            "same_unit": QCoreApplication.translate("CaseActions", "The case is already with that unit."),
            "top_of_hierarchy": QCoreApplication.translate("CaseActions",
                                                           "The case is already at the top of the unit hierarchy."),
            "no_refdata": QCoreApplication.translate("CaseActions", "No reference data yet: log in online once."),
            "unknown_category": QCoreApplication.translate("CaseActions", "Unknown category."),
            "unknown_grid": QCoreApplication.translate("CaseActions", "Unknown grid code."),
            "wrong_unit": QCoreApplication.translate("CaseActions", "The order is addressed to another unit."),
            "no_such_order": QCoreApplication.translate("CaseActions", "The case has no such supervision order."),
            "unit_not_responsible": QCoreApplication.translate(
                "CaseActions", "An order goes to the case's unit or a unit above it."),
        }.get(exc.code, QCoreApplication.translate("CaseActions", "The action was refused."))
        return f"{headline}\n{exc.message}"
    return QCoreApplication.translate("CaseActions", "The action failed: {error}").format(
        error=str(exc) or type(exc).__name__)


def issue(ctx: ConsoleContext, action: Action, case_id: UUID | None, payload: dict[str, Any],
          success: Callable[[Any], None] | None = None,
          failure: Callable[[BaseException], None] | None = None, *, owner: QObject | None = None):
    """Queue one command through the cache on the writer thread (run_op write=True)."""
    actor, offline, now = ctx.actor, working_offline(ctx), now_utc(ctx)
    return run_op(lambda: ctx.cache.issue(actor, action, case_id, payload, now, offline=offline),
                  success, failure, write=True, owner=owner)
