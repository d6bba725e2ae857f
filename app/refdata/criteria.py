"""A category's registration and closing criteria (立案标准 / 结案标准) and its time limits, as the operator
reads them before registering a case and the lead before closing it."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.platform.enums import Priority
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.refdata.categories import format_limit

if TYPE_CHECKING:
    from app.refdata.entities import Category
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

CTX = "Criteria"
_REGISTER = QT_TRANSLATE_NOOP("Criteria", "Registration criteria (立案标准): {text}")
_CLOSE = QT_TRANSLATE_NOOP("Criteria", "Closing criteria (结案标准): {text}")
_LIMITS = QT_TRANSLATE_NOOP("Criteria", "Handling limits: urgent {urgent}, ordinary {ordinary}, complex {complex}")
_NONE = QT_TRANSLATE_NOOP("Criteria", "not set for this category")


def _pick(category: Category, field: str, language: str | None) -> str:
    zh, en = getattr(category, field), getattr(category, field + "_en")
    text = en if (language or "").startswith("en") and en else zh or en
    return text or translate(CTX, _NONE)


def limits_text(category: Category, refdata: RefData) -> str:
    cal = refdata.policy.calendar
    return translate(CTX, _LIMITS).format(**{p.value: format_limit(category.limit(p), cal) for p in Priority})


def registration_text(category_code: str, refdata: RefData | None, language: str | None = None) -> str:
    """`Registration criteria (立案标准): …` and the handling limits; empty for an unknown category."""
    if refdata is None or not refdata.has_category(category_code):
        return ""
    cat = refdata.category(category_code)
    return translate(CTX, _REGISTER).format(text=_pick(cat, "register_criteria", language)) + "\n" + \
        limits_text(cat, refdata)


def closing_text(category_code: str, refdata: RefData | None, language: str | None = None) -> str:
    """`Closing criteria (结案标准): …`; empty for an unknown category."""
    if refdata is None or not refdata.has_category(category_code):
        return ""
    return translate(CTX, _CLOSE).format(text=_pick(refdata.category(category_code), "close_criteria", language))
