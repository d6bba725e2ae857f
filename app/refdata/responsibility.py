"""responsibility.csv: the responsibility matrix, category × area → unit, rank 1 = primary."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.refdata.entities import ResponsibilityRule
from app.refdata.errors import RefDataError, Src
from app.refdata.files import first_duplicate, read_csv

__all__ = ["RESPONSIBILITY_COLUMNS", "parse_responsibility", "parse_responsibility_with_src", "rule_from_row",
           "validate_rules"]

_RULE_CATEGORY_RE = re.compile(r"^(\*|[CE]|[CE]\d{2}|[CE]\d{4})$")
_RULE_AREA_RE = re.compile(r"^(\*|\d{6}|\d{9}|\d{12}|\d{14})$")

RESPONSIBILITY_COLUMNS = ("category", "area", "unit_id", "rank")


def rule_from_row(row: Mapping[str, Any], err: Callable[[str], RefDataError]) -> ResponsibilityRule:
    category = str(row["category"]).strip()
    area = str(row["area"]).strip()
    unit_id = str(row["unit_id"]).strip()
    if not _RULE_CATEGORY_RE.match(category):
        raise err(f"bad category {category!r} (expected *, C, E, a major class such as C01 or a "
                  "category code such as C0101)")
    if not _RULE_AREA_RE.match(area):
        raise err(f"bad area {area!r} (expected * or a 6-digit county, 9-digit street, 12-digit "
                  "community or 14-digit grid code)")
    if not unit_id:
        raise err("unit_id is empty")
    rank = row["rank"]
    if isinstance(rank, str):
        if not rank.isdigit():
            raise err(f"rank must be a positive integer, got {rank!r}")
        rank = int(rank)
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise err(f"rank must be a positive integer, got {rank!r}")
    return ResponsibilityRule(category=category, area=area, unit_id=unit_id, rank=rank)


def validate_rules(rules: Sequence[ResponsibilityRule], src: Src) -> None:
    dup = first_duplicate(f"{r.category}|{r.area}|{r.unit_id}" for r in rules)
    if dup:
        r = rules[dup[1]]
        raise src.error(dup[1], f"duplicate rule {r.category},{r.area},{r.unit_id} "
                                f"(first at {src.at(dup[0])})")


def parse_responsibility(path: Path) -> list[ResponsibilityRule]:
    """Read responsibility.csv (format checks only; unit, category and area references are checked
    when the whole folder is loaded)."""
    rules, _ = parse_responsibility_with_src(Path(path))
    return rules


def parse_responsibility_with_src(path: Path) -> tuple[list[ResponsibilityRule], Src]:
    rows = read_csv(path, RESPONSIBILITY_COLUMNS)
    src = Src(path.name, tuple(f"line {line}" for line, _ in rows))
    rules = [rule_from_row(row, lambda p, i=i: src.error(i, p)) for i, (_, row) in enumerate(rows)]
    validate_rules(rules, src)
    return rules, src
