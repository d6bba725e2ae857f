"""Dispatch suggestions: which member unit should get a case, from the responsibility matrix.

``rank_units`` matches the case's category and grid against every responsibility rule:

* category match, most specific first: the exact code (``C0101``) > the major class (``C01``) > the
  kind letter (``C``) > ``*``;
* area match: a longer grid-code prefix beats a shorter one (grid 14 > community 12 > street 9 >
  county 6 digits), ``*`` last. With no grid, only ``*`` areas match;
* matches are ordered by category specificity, then area specificity, then rank (1 = primary), then
  file order, and each unit is kept once, at its best position;
* then the escalation ladder of the first (primary) unit is appended: its parent, grandparent, … up
  to the city management office (the root), skipping units already listed. When no rule matches at
  all, the list holds the root alone, so it is never empty.

Scores are in [0, 1] and never increase down the list: a rule match scores
``0.1 + 0.9 * (10 * category_level + 2 * area_level + 1 / rank) / 39`` with category_level 3/2/1/0
and area_level 4 (grid) / 3 (community) / 2 (street) / 1 (county) / 0 (``*``); the n-th escalation
step scores ``0.1 * 0.5 ** n``; the root offered because nothing matched scores 0.

Every suggestion carries an English ``reason`` and a ``reason_key`` + ``reason_args`` for the UI's
translation tables:

* ``routing.rule`` — args ``rank``, ``rank_label``, ``category``, ``category_scope``, ``area``,
  ``area_scope``; English: ``"{rank_label} for {category} in {area_scope} {area}"``, e.g.
  ``"primary for C01 in street 330106001"`` (``*`` reads "all categories" / "all areas", ``C`` / ``E``
  read "all components (C)" / "all events (E)");
* ``routing.escalation`` — args ``level``, ``child``; ``"escalation level 1: parent of enf_minghu"``;
* ``routing.no_rule`` — args ``category``, ``area`` (the located grid code or ""); ``"no
  responsibility rule matches; the city office coordinates"``.

When the case has no grid (none given, and no grid of the city contains its point: a place outside the
city), only ``*`` areas can match; those suggestions say so instead of passing for a normal match: their
args carry ``no_grid: True`` and their English reason ends with ``"; no grid matched the location"``.
``grid_matched`` tells the same thing for a whole case.

``category_scope`` is one of code/major/kind/all, ``area_scope`` one of grid/community/street/
county/all; ``area`` is the rule's area (``*`` for all) and ``category`` the rule's category.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.refdata.entities import ResponsibilityRule
from app.refdata.errors import RefDataError
from app.refdata.model import RefData

__all__ = ["RefDataError", "Suggestion", "escalation_target", "grid_matched", "locate_grid", "primary_unit",
           "rank_units", "suggest_co_units"]

_AREA_LEVEL = {0: 0, 6: 1, 9: 2, 12: 3, 14: 4}
_AREA_SCOPE = {0: "all", 6: "county", 9: "street", 12: "community", 14: "grid"}
_CATEGORY_SCOPE = {0: "all", 1: "kind", 2: "major", 3: "code"}
_RAW_MAX = 10 * 3 + 2 * 4 + 1


@dataclass(frozen=True)
class Suggestion:
    """One candidate unit for a case, best first in the list ``rank_units`` returns."""

    unit_id: str
    score: float
    reason: str
    reason_key: str
    reason_args: dict[str, Any] = field(default_factory=dict, hash=False)
    rule: ResponsibilityRule | None = None   # the matching rule; None for escalation fallbacks

    def to_dict(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "score": self.score, "reason": self.reason,
                "reason_key": self.reason_key, "reason_args": dict(self.reason_args),
                "rule": None if self.rule is None else self.rule.to_dict()}


def _rank_label(rank: int) -> str:
    return {1: "primary", 2: "secondary"}.get(rank, f"rank {rank}")


def _category_text(category: str) -> str:
    if category == "*":
        return "all categories"
    if category == "C":
        return "all components (C)"
    if category == "E":
        return "all events (E)"
    return category


def _area_text(area: str) -> str:
    if area == "*":
        return "all areas"
    return f"{_AREA_SCOPE.get(len(area), 'area')} {area}"


def locate_grid(refdata: RefData, grid_code: str | None, lat: float | None = None,
                lon: float | None = None) -> str | None:
    """The grid code to route by: ``grid_code`` (validated) if given, else the grid containing
    (lat, lon), else None."""
    if grid_code is not None:
        return refdata.grid(grid_code).code
    if lat is not None and lon is not None:
        grid = refdata.grid_at(lat, lon)
        return None if grid is None else grid.code
    return None


def grid_matched(refdata: RefData, grid_code: str | None, lat: float | None = None,
                 lon: float | None = None) -> bool:
    """Whether the case is in a grid of the city (given, or containing its point)."""
    return locate_grid(refdata, grid_code, lat, lon) is not None


def rank_units(refdata: RefData, category_code: str, grid_code: str | None = None,
               lat: float | None = None, lon: float | None = None) -> list[Suggestion]:
    """Candidate units for a case of ``category_code`` in ``grid_code`` (or at lat/lon), best first.

    Raises RefDataError for an unknown category or grid code. Never returns an empty list.
    """
    refdata.category(category_code)
    area_code = locate_grid(refdata, grid_code, lat, lon)

    matches: list[tuple[tuple[int, int, int, int], ResponsibilityRule, int, int]] = []
    for index, rule in enumerate(refdata.responsibility):
        cat_level = rule.category_level(category_code)
        if cat_level is None:
            continue
        area_len = rule.area_level(area_code)
        if area_len is None:
            continue
        matches.append(((-cat_level, -area_len, rule.rank, index), rule, cat_level, area_len))
    matches.sort(key=lambda m: m[0])

    out: list[Suggestion] = []
    seen: set[str] = set()
    for _, rule, cat_level, area_len in matches:
        if rule.unit_id in seen:
            continue
        seen.add(rule.unit_id)
        area_level = _AREA_LEVEL.get(area_len, 0)
        raw = 10 * cat_level + 2 * area_level + 1 / rule.rank
        args = {"rank": rule.rank, "rank_label": _rank_label(rule.rank),
                "category": rule.category, "category_scope": _CATEGORY_SCOPE[cat_level],
                "area": rule.area, "area_scope": _AREA_SCOPE.get(area_len, "area")}
        reason = f"{_rank_label(rule.rank)} for {_category_text(rule.category)} in " \
                 f"{_area_text(rule.area)}"
        if area_code is None:
            args["no_grid"] = True
            reason += "; no grid matched the location"
        out.append(Suggestion(rule.unit_id, round(0.1 + 0.9 * raw / _RAW_MAX, 4), reason,
                              "routing.rule", args, rule))

    if not out:
        return [Suggestion(refdata.root_unit_id, 0.0,
                           "no responsibility rule matches; the city office coordinates",
                           "routing.no_rule", {"category": category_code, "area": area_code or ""})]

    child = out[0].unit_id
    for level, unit_id in enumerate(refdata.ancestors(child), start=1):
        if unit_id not in seen:
            seen.add(unit_id)
            out.append(Suggestion(unit_id, round(0.1 * 0.5 ** level, 4),
                                  f"escalation level {level}: parent of {child}",
                                  "routing.escalation", {"level": level, "child": child}))
        child = unit_id
    return out


def primary_unit(refdata: RefData, category_code: str, grid_code: str | None = None,
                 lat: float | None = None, lon: float | None = None) -> str:
    """The best unit for a case (the first suggestion)."""
    return rank_units(refdata, category_code, grid_code, lat, lon)[0].unit_id


def suggest_co_units(refdata: RefData, case) -> list[Suggestion]:
    """Co-handling units (协办) for a joint case: the other units the responsibility matrix names for its
    category and area (rule matches only, not the escalation ladder), best first, without the lead unit
    and the units already co-handling it."""
    taken = {case.unit_id, *(t.unit_id for t in case.co_tasks)}
    ranked = rank_units(refdata, case.category_code, case.location.grid_code, case.location.lat,
                        case.location.lon)
    return [s for s in ranked if s.reason_key == "routing.rule" and s.unit_id not in taken]


def escalation_target(refdata: RefData, unit_id: str) -> str | None:
    """The next level up the hierarchy (督办/升级): the parent unit, or None at the root.
    Raises RefDataError for an unknown unit."""
    return refdata.unit(unit_id).parent_id

