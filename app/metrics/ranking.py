"""The ranking of member units: peers only (DOMAIN.md: "Rank units only against units of the same level").

Peer groups: city-wide, every unit below the city office grouped by level; with a unit selected, the
units below it grouped by level *and* parent, so its direct children are ranked against each other and a
squad only against the squads of its own department. Within a group units are ranked by one figure
(`EvaluationSettings.rank_by`, higher is better; equal values share a rank: 1, 1, 3). A unit is listed
but not ranked when that figure's denominator (the cases due) is below `min_cases_to_rank`, when the
figure is n/a, or when it has no peer; `unranked_reason` says which.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.metrics.evaluation_settings import EvaluationSettings
from app.metrics.report_model import Figure, UnitRanking
from app.platform.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

RULE = QT_TRANSLATE_NOOP("Metrics", "Ranked by {figure} within peer groups ({groups}); a unit needs at least "
                                    "{min} cases due (the figure's denominator) to be ranked")
GROUPS_CITY = QT_TRANSLATE_NOOP("Metrics", "same level")
GROUPS_PARENT = QT_TRANSLATE_NOOP("Metrics", "same level and same parent")
TOO_FEW = "fewer than {min} cases due ({n})"
NO_VALUE = "no value (n/a)"
NO_PEER = "no peer of the same level"


def _cases_due(figs: dict[str, Figure], key: str) -> int:
    """The ranking figure's denominator; the composite's is the timely resolution rate's."""
    f = figs["timely_resolution_rate" if key == "composite" else key]
    return f.denominator or 0


def rank_units(refdata: RefData, unit_id: str | None, figures_of: Callable[[str], list[Figure]],
               settings: EvaluationSettings) -> list[UnitRanking]:
    """Every unit below `unit_id` (None: below the city office) with its figures, ranked among its peers."""
    top = refdata.root_unit_id if unit_id is None else unit_id
    members = refdata.descendants(top)
    groups: dict[tuple, list[str]] = {}
    for uid in members:
        u = refdata.unit(uid)
        key = (u.level,) if unit_id is None else (u.level, u.parent_id)
        groups.setdefault(key, []).append(uid)
    key = settings.rank_by
    rows: list[UnitRanking] = []
    for group_key in sorted(groups, key=lambda k: (k[0], k[1] if len(k) > 1 and k[1] else "")):
        uids = groups[group_key]
        label = f"level {group_key[0]}" + (f" under {group_key[1]}" if len(group_key) > 1 else "")
        scored: list[tuple[str, list[Figure], float | None, str]] = []
        for uid in uids:
            figs = figures_of(uid)
            by_key = {f.key: f for f in figs}
            value = by_key[key].value
            due = _cases_due(by_key, key)
            why = ""
            if due < settings.min_cases_to_rank:
                why = TOO_FEW.format(min=settings.min_cases_to_rank, n=due)
            elif value is None:
                why = NO_VALUE
            scored.append((uid, figs, value, why))
        eligible = [s for s in scored if not s[3]]
        if len(eligible) == 1 and len(uids) == 1:
            scored = [(u, f, v, NO_PEER) for u, f, v, _ in scored]
            eligible = []
        eligible.sort(key=lambda s: (-(s[2] or 0.0), s[0]))
        ranks: dict[str, int] = {}
        previous: float | None = None
        for i, (uid, _, value, _) in enumerate(eligible, start=1):
            ranks[uid] = ranks[eligible[i - 2][0]] if i > 1 and value == previous else i
            previous = value
        ordered = eligible + sorted((s for s in scored if s[3]), key=lambda s: s[0])
        for uid, figs, _, why in ordered:
            u = refdata.unit(uid)
            rows.append(UnitRanking(unit_id=uid, level=u.level, parent_id=u.parent_id, peer_group=label,
                                    rank=ranks.get(uid), unranked_reason=why, figures=figs))
    return rows


def rule_text(settings: EvaluationSettings, unit_id: str | None) -> str:
    return RULE.format(figure=settings.rank_by, groups=GROUPS_CITY if unit_id is None else GROUPS_PARENT,
                       min=settings.min_cases_to_rank)
