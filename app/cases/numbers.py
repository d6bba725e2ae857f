"""How a case number reads. A number the server gave (`2026-000048`) is shown as it is; a provisional
number a console gave offline (`P-5C9C2A-1`) must not read like a case number of some year ("2025d2aa"
did), so until the server numbers the case it is shown as `P·5C9C2A-1 (offline)`. Without either, the
first 8 characters of the case id. Qt-free (`Case.display_number`, the queue's columns, the map).
"""
from __future__ import annotations

from app.platform.i18n import QT_TRANSLATE_NOOP, translate

CTX = "CaseNumbers"
PROVISIONAL = QT_TRANSLATE_NOOP("CaseNumbers", "P·{number} (offline)")


def provisional_text(provisional: str) -> str:
    short = provisional[2:] if provisional.startswith("P-") else provisional
    return translate(CTX, PROVISIONAL).format(number=short)


def number_text(number: str | None, provisional: str | None, case_id=None) -> str:
    if number:
        return number
    if provisional:
        return provisional_text(provisional)
    return str(case_id)[:8] if case_id is not None else ""
