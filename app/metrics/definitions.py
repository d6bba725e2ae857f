"""The figures the product shows, each with its exact formula and the population its numerator and
denominator count (DOMAIN.md, "Performance metrics" and "Who owns each stage"). docs/evaluation.md says
the same in prose, with the reason for every rule DOMAIN.md leaves open.

Unit figures count only the unit's own stage (handling); the center's posts (intake, dispatch, the
inspectors, the shift lead closing) have figures of their own (`POST_FIGURES`), shown city-wide only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from app.metrics import onsite, satisfaction, task_facts
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CTX = "Metrics"


@dataclass(frozen=True)
class FigureDef:
    key: str
    kind: Literal["count", "rate", "duration"]
    label: str
    formula: str


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("registered", "count", QT_TRANSLATE_NOOP("Metrics", "Registered (立案数)"),
              QT_TRANSLATE_NOOP("Metrics", "cases registered in the period (charged to the case's responsible unit)")),
    FigureDef("dispatched", "count", QT_TRANSLATE_NOOP("Metrics", "Dispatched (派遣数)"),
              QT_TRANSLATE_NOOP("Metrics", "dispatches in the period: first dispatches, re-dispatches after a return, owner "
                           "decisions of a dispute and reassignments (charged to the receiving unit)")),
    FigureDef("handled", "count", QT_TRANSLATE_NOOP("Metrics", "Handled (处置数)"),
              QT_TRANSLATE_NOOP("Metrics", "handling reports in the period (a case handled again after rework counts again)")),
    FigureDef("closed", "count", QT_TRANSLATE_NOOP("Metrics", "Closed (结案数)"),
              QT_TRANSLATE_NOOP("Metrics", "cases closed in the period")),
    FigureDef("on_time_handling_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "On-time handling rate (按期处置率)"),
              QT_TRANSLATE_NOOP("Metrics", "handling tasks finished by the deadline and passed at the first verification ÷ "
                           "handling tasks whose deadline fell in the period. A task is one dispatch to the "
                           "unit; rework continues the same task against the same deadline (moved only by "
                           "an approved extension or a suspension); a task ended by a return is not "
                           "counted (a wrong dispatch is the dispatch post's)")),
    FigureDef("on_time_closure_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "On-time closure rate (按期结案率)"),
              QT_TRANSLATE_NOOP("Metrics", "verification rounds closed by the deadline ÷ verification rounds whose deadline "
                           "fell in the period (the closing post's figure, city-wide only; a round ended by "
                           "a failed verification is not counted)")),
    FigureDef("closure_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Closure rate (结案率)"),
              QT_TRANSLATE_NOOP("Metrics", "closed ÷ (due to be closed − suspended): of the cases registered in the period "
                           "and not voided by its end, those closed by the end of the period ÷ all of them "
                           "minus those still suspended (缓办/挂账) at the end of the period")),
    FigureDef("timely_resolution_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Timely resolution rate (问题及时解决率)"),
              QT_TRANSLATE_NOOP("Metrics", "cases closed in the period whose handling was never late and never failed "
                           "verification ÷ (cases closed in the period + cases open at the end of the period "
                           "whose handling is past its deadline or failed verification); the center's own "
                           "delays (register, dispatch, verify, close) do not count here")),
    FigureDef("rework_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Rework rate (返工率)"),
              QT_TRANSLATE_NOOP("Metrics", "failed verifications in the period ÷ handling reports in the period")),
    FigureDef("return_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "Return rate (退单率)"),
              QT_TRANSLATE_NOOP("Metrics", "returns in the period ÷ dispatches in the period (a return is a wrong dispatch: "
                           "also charged to the dispatch post)")),
    FigureDef("composite", "rate", QT_TRANSLATE_NOOP("Metrics", "Composite figure (综合指标值)"),
              QT_TRANSLATE_NOOP("Metrics", "weighted sum of the rates with the weights shown (rework counts as 1 − rework "
                           "rate); a rate that is n/a is left out and the other weights are rescaled to sum "
                           "to 1")),
    FigureDef("time_to_register", "duration", QT_TRANSLATE_NOOP("Metrics", "Report → register"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the report to registration, cases registered in the period")),
    FigureDef("time_to_dispatch", "duration", QT_TRANSLATE_NOOP("Metrics", "Register → dispatch"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from registration (or the last return) to dispatch, dispatches in "
                           "the period")),
    FigureDef("time_to_handle", "duration", QT_TRANSLATE_NOOP("Metrics", "Dispatch → handled"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the dispatch (or the failed verification sending it back) to "
                           "the handling report, handling reports in the period")),
    FigureDef("time_to_close", "duration", QT_TRANSLATE_NOOP("Metrics", "Report → close"),
              QT_TRANSLATE_NOOP("Metrics", "elapsed time from the report to closure, cases closed in the period")),
)

# The center's posts, evaluated on their own stages (city-wide reports only).
POSTS: tuple[tuple[str, str], ...] = (
    ("intake", QT_TRANSLATE_NOOP("Metrics", "Intake (受理)")),
    ("dispatch", QT_TRANSLATE_NOOP("Metrics", "Dispatch (派遣)")),
    ("inspectors", QT_TRANSLATE_NOOP("Metrics", "Inspectors (核查)")),
    ("closing", QT_TRANSLATE_NOOP("Metrics", "Closing (结案, shift lead)")),
)
POST_FIGURES: tuple[FigureDef, ...] = (
    FigureDef("intake_handled", "count", QT_TRANSLATE_NOOP("Metrics", "Reports handled"),
              QT_TRANSLATE_NOOP("Metrics", "reports registered or voided in the period")),
    FigureDef("intake_on_time", "rate", QT_TRANSLATE_NOOP("Metrics", "Registered on time"),
              QT_TRANSLATE_NOOP("Metrics", "registration rounds finished (registered or voided) by the deadline ÷ "
                           "registration rounds whose deadline fell in the period")),
    FigureDef("dispatch_handled", "count", QT_TRANSLATE_NOOP("Metrics", "Dispatches"),
              QT_TRANSLATE_NOOP("Metrics", "dispatches in the period (as 'Dispatched')")),
    FigureDef("dispatch_on_time", "rate", QT_TRANSLATE_NOOP("Metrics", "Dispatched on time"),
              QT_TRANSLATE_NOOP("Metrics", "dispatch rounds (after registration or after a return) finished by the deadline ÷ "
                           "dispatch rounds whose deadline fell in the period")),
    FigureDef("dispatch_wrong", "rate", QT_TRANSLATE_NOOP("Metrics", "Wrong dispatches (returned)"),
              QT_TRANSLATE_NOOP("Metrics", "returns in the period ÷ dispatches in the period")),
    FigureDef("inspectors_handled", "count", QT_TRANSLATE_NOOP("Metrics", "Verifications"),
              QT_TRANSLATE_NOOP("Metrics", "verification verdicts (passed or failed) in the period")),
    FigureDef("inspectors_on_time", "rate", QT_TRANSLATE_NOOP("Metrics", "Verified on time"),
              QT_TRANSLATE_NOOP("Metrics", "verification rounds with a verdict by the deadline ÷ verification rounds whose "
                           "deadline fell in the period")),
    FigureDef("inspectors_failed", "rate", QT_TRANSLATE_NOOP("Metrics", "Rework found"),
              QT_TRANSLATE_NOOP("Metrics", "failed verifications in the period ÷ verdicts in the period")),
    FigureDef("closing_handled", "count", QT_TRANSLATE_NOOP("Metrics", "Closed"),
              QT_TRANSLATE_NOOP("Metrics", "cases closed in the period")),
    FigureDef("closing_on_time", "rate", QT_TRANSLATE_NOOP("Metrics", "Closed on time"),
              QT_TRANSLATE_NOOP("Metrics", "as the on-time closure rate")),
)

_AT = next(i for i, f in enumerate(FIGURES) if f.kind == "duration")  # the callback rates go after the others
FIGURES = FIGURES[:_AT] + tuple(FigureDef(key, "rate", text, formula)
                                for key, _kind, text, formula in satisfaction.RATES) \
    + (FigureDef(*onsite.FIGURE),) + FIGURES[_AT:]
FIGURES += tuple(FigureDef(*f) for f in task_facts.FIGURES)  # the tasks inside cases: co-tasks, checks
FIGURES_BY_KEY = {f.key: f for f in FIGURES + POST_FIGURES}
RANKING_KEYS = ("registered", "dispatched", "handled", "closed", "on_time_handling_rate", "closure_rate",
                "timely_resolution_rate", "rework_rate", "return_rate", "composite") + satisfaction.RANKING_KEYS
# figures a ranking may rank by: rates where higher is better
RANKABLE = ("timely_resolution_rate", "on_time_handling_rate", "closure_rate", "composite")
PERCENTILE_NOTE = QT_TRANSLATE_NOOP("Metrics", "median and 90th percentile (p90), interpolated linearly between ranks")
NA = QT_TRANSLATE_NOOP("Metrics", "n/a")


def label(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].label)


def formula(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].formula)
