"""The standard's object code of a surveyed component (部件), which a case about that asset may carry:
6-digit county division code + 2-digit major class + 2-digit minor class + serial number (DOMAIN.md,
"Classification and codes"). The serial's length is the center's; we accept 4 to 8 digits."""
from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

OBJECT_CODE_PATTERN = r"^\d{6}\d{2}\d{2}\d{4,8}$"
_RE = re.compile(OBJECT_CODE_PATTERN)


def object_code_problem(code: str, category, grid_code: str | None) -> str | None:
    """Why `code` cannot be the object code of a case of `category` in `grid_code`, or None."""
    if not _RE.match(code):
        return f"object code {code!r}: expected county (6) + major (2) + minor (2) + serial (4-8 digits)"
    if category.kind != "component":
        return f"object code {code!r}: only a component (部件) category has objects, not {category.code}"
    if (code[6:8], code[8:10]) != (category.major, category.minor):
        return (f"object code {code!r}: its class {code[6:8]}{code[8:10]} is not the category's "
                f"{category.major}{category.minor}")
    if grid_code and code[:6] != grid_code[:6]:
        return f"object code {code!r}: county {code[:6]} is not the location's {grid_code[:6]}"
    return None
