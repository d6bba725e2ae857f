"""Jurisdictions (辖区): city → district → street, named by the leading digits of the national area codes
that grid codes already carry (a grid code is county 6 + street 3 + community 3 + grid 2 digits).

- a city is 4 digits (`3301`), a district (county) 6 (`330106`), a street (subdistrict) 9 (`330106001`);
- an entity *lies in* the street of its grid (a case, a sensor and its alarms; `of_grid`); a unit and a
  user are *assigned* codes of any of the three levels;
- a code contains every longer code it prefixes: `3301` contains `330106` contains `330106001`.

A user's assigned codes name what it works in (a city operator `3301`, a district operator `330106`); no
code means the whole reference data. The one scope rule (`app.platform.scope`) turns them into the set of
streets the user sees (`streets_within`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["CITY", "DISTRICT", "STREET", "LEVEL_DIGITS", "check_code", "city_of", "contains", "level_of",
           "of_grid", "parent_of", "streets_within"]

CITY, DISTRICT, STREET = "city", "district", "street"
LEVEL_DIGITS = {CITY: 4, DISTRICT: 6, STREET: 9}
_CODE_RE = re.compile(r"^\d{4}(\d{2}(\d{3})?)?$")


def check_code(code: object) -> str | None:
    """Why `code` is not a jurisdiction code (4, 6 or 9 digits), or None when it is one."""
    if not isinstance(code, str) or not _CODE_RE.match(code):
        return f"jurisdiction {code!r} is not a city (4 digits), district (6) or street (9) code"
    return None


def level_of(code: str) -> str:
    return {4: CITY, 6: DISTRICT, 9: STREET}[len(code)]


def parent_of(code: str) -> str | None:
    """The district of a street, the city of a district; None for a city."""
    return {9: code[:6], 6: code[:4]}.get(len(code))


def of_grid(grid_code: str | None) -> str | None:
    """The street a grid lies in (the first 9 digits of its 14-digit code); None without a grid."""
    return grid_code[:9] if grid_code and len(grid_code) >= 9 else None


def city_of(code: str | None) -> str | None:
    return code[:4] if code else None


def contains(outer: str, inner: str | None) -> bool:
    """Whether jurisdiction `outer` contains `inner` (itself included)."""
    return bool(inner) and inner.startswith(outer)


def streets_within(assigned: Iterable[str], streets: Iterable[str]) -> frozenset[str]:
    """The streets among `streets` that lie in any of the `assigned` codes."""
    prefixes = tuple(assigned)
    return frozenset(s for s in streets if s.startswith(prefixes))
