"""units.json: the member units (成员单位), one tree rooted at the city management office."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from app.refdata.entities import Unit
from app.refdata.errors import RefDataError, Src
from app.refdata.files import Fields, first_duplicate, read_json, require_list
from app.refdata.jurisdictions import check_code

__all__ = ["parse_units", "units_from_items", "validate_units"]

_UNIT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def units_from_items(items: list, src: Src) -> list[Unit]:
    units = []
    for i, obj in enumerate(items):
        f = Fields(obj, src, i)
        uid = f.text("id")
        if not _UNIT_ID_RE.match(uid):
            raise f.error(f"bad unit id {uid!r} (expected lowercase ASCII letters, digits, _ or -)")
        units.append(Unit(id=uid, name=f.text("name"), name_en=f.text("name_en", required=False),
                          level=f.integer("level", minimum=0), parent_id=f.opt_str("parent_id"),
                          kind=f.text("kind"), phone=f.text("phone", required=False),
                          jurisdiction=_jurisdiction(f, uid)))
    validate_units(units, src)
    return units


def _jurisdiction(f: Fields, uid: str) -> str:
    code = f.text("jurisdiction", required=False)
    if code and (why := check_code(code)):
        raise f.error(f"unit {uid!r}: {why}")
    return code


def validate_units(units: Sequence[Unit], src: Src) -> None:
    dup = first_duplicate(u.id for u in units)
    if dup:
        raise src.error(dup[1], f"duplicate unit id {dup[2]!r} (first at {src.at(dup[0])})")
    by_id = {u.id: u for u in units}
    index = {u.id: i for i, u in enumerate(units)}
    for i, u in enumerate(units):
        if u.parent_id is not None and u.parent_id not in by_id:
            raise src.error(i, f"unit {u.id!r}: parent_id {u.parent_id!r} is not a known unit")
    for i, u in enumerate(units):
        path = [u.id]
        seen = {u.id}
        parent = u.parent_id
        while parent is not None:
            if parent in seen:
                cycle = path[path.index(parent):] + [parent]
                first = min(index[c] for c in cycle)
                raise src.error(first, "cycle in the unit hierarchy: " + " -> ".join(cycle))
            seen.add(parent)
            path.append(parent)
            parent = by_id[parent].parent_id
    roots = [i for i, u in enumerate(units) if u.parent_id is None]
    if not units:
        raise RefDataError("no units", file=src.file)
    if len(roots) > 1:
        names = ", ".join(repr(units[i].id) for i in roots)
        raise src.error(roots[1], f"more than one root unit (parent_id null): {names}; "
                                  "the hierarchy needs exactly one (the city office)")
    for i, u in enumerate(units):
        expected = 0 if u.parent_id is None else by_id[u.parent_id].level + 1
        if u.level != expected:
            why = "a root unit" if u.parent_id is None else f"parent {u.parent_id!r} has level " \
                                                           f"{by_id[u.parent_id].level}"
            raise src.error(i, f"unit {u.id!r}: level {u.level} should be {expected} ({why})")


def parse_units(path: Path) -> list[Unit]:
    """Read units.json: a list of units forming one tree (exactly one root, no cycles)."""
    path = Path(path)
    items = require_list(read_json(path), path.name, "units")
    return units_from_items(items, Src.items(path.name, len(items)))
