"""Photos as evidence on a case's steps, as far as the state machine is concerned: a category may require
a photo with "handled" and with a passed verification (`Category.photo_on_handled`, `photo_on_verify`,
the standard practice); the step's command names its photos by SHA-256 in `attachments` (the files
themselves travel separately: app/photos, server/photos, and the server applies the command only once
they have arrived)."""
from __future__ import annotations

import re
from collections.abc import Iterable

from app.cases.actors import WorkflowError
from app.cases.case import Case
from app.platform.enums import Action
from app.refdata.errors import RefDataError

PHOTO_HASH = re.compile(r"^[0-9a-f]{64}$")

# The steps whose command may not be applied by the server before the photos it names have arrived.
PHOTO_GATED = frozenset({Action.REPORT_HANDLED, Action.CO_HANDLED, Action.VERIFY_PASS, Action.VERIFY_FAIL,
                         Action.RECORD_CALLBACK})


def photo_hashes(attachments: Iterable[str]) -> list[str]:
    """The attachments that name photos (other attachments are plain references)."""
    if not isinstance(attachments, (list, tuple)):
        return []
    return [a for a in attachments if isinstance(a, str) and PHOTO_HASH.match(a)]


def require_photo(case: Case, action: Action, attachments: Iterable[str], refdata) -> None:
    try:
        category = refdata.category(case.category_code)
    except RefDataError:  # a category withdrawn since: the workflow's own checks speak of it
        return
    needed = category.photo_on_handled if action == Action.REPORT_HANDLED else category.photo_on_verify
    if needed and not photo_hashes(attachments):
        step = "handled" if action == Action.REPORT_HANDLED else "verification passed"
        raise WorkflowError("photo_required", f"category {category.code} ({category.name_en or category.name}) "
                                              f"needs a photo with '{step}': attach one before sending")
