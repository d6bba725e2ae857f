"""Which dialog collects an action's payload: the one place that knows every dialog module (the joint
handling and on-site check dialogs, the follow-ups', the dispute's, the decisions' (extension, suspension),
and the loop's own in
`ui.cases.action_dialogs` and `ui.cases.dispatch_dialog`; all build on `ui.cases.payload_dialog`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.cases.case import Case
from app.platform.enums import Action
from ui.cases import action_dialogs, followup_dialogs, task_dialogs
from ui.cases.decision_dialogs import ApproveExtensionDialog, SuspendDialog
from ui.cases.dispute_dialog import DecideOwnerDialog
from ui.cases.merge_dialog import merge_dialog_for
from ui.cases.payload_dialog import ConfirmDialog, PayloadDialog
from ui.photos import step_field as step_photos

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext


def dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None) -> PayloadDialog | None:
    """The dialog that collects `action`'s payload, or None when the action needs neither input nor
    confirmation. An action whose step has photos (handled, verification) shows them in its dialog, and
    asks for one where the category requires it."""
    dialog = _dialog_for(action, case, ctx, parent)
    store, refdata = getattr(ctx, "photos", None), ctx.cache.refdata()
    if store is None or step_photos.step_of(action) is None:
        return dialog
    if dialog is None and step_photos.required_for(refdata, case, action):
        dialog = ConfirmDialog(action, case, parent)  # nothing else to ask, but the photo
    if isinstance(dialog, PayloadDialog):
        step_photos.add_step_photos(dialog, action, case, store, refdata)
    return dialog


def _dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None) -> PayloadDialog | None:
    if (dialog := task_dialogs.dialog_for(action, case, ctx, parent)) is not None:
        return dialog
    if (dialog := followup_dialogs.followup_dialog_for(action, case, ctx, parent)) is not None:
        return dialog
    if (dialog := merge_dialog_for(action, case, ctx, parent)) is not None:
        return dialog
    if action == Action.DECIDE_OWNER:
        return DecideOwnerDialog(case, ctx.cache.refdata(), parent)
    if action == Action.SUSPEND:
        return SuspendDialog(case, parent)  # with an optional resume-at time
    if action == Action.APPROVE_EXTENSION and case.extension is not None:
        return ApproveExtensionDialog(case, ctx.cache.refdata(), parent)  # the resulting deadline, partial approval
    return action_dialogs.dialog_for(action, case, ctx, parent)
