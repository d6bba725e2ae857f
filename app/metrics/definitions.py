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

from app.platform.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CTX = "Metrics"
N = QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class FigureDef:
    key: str
    kind: Literal["count", "rate", "duration"]
    label: str
    formula: str


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("registered", "count", N("Metrics", "Registered (立案数)"),
              N("Metrics", "cases registered in the period (charged to the case's responsible unit)")),
    FigureDef("dispatched", "count", N("Metrics", "Dispatched (派遣数)"),
              N("Metrics", "dispatches in the period: first dispatches, re-dispatches after a return, owner "
                           "decisions of a dispute and reassignments (charged to the receiving unit)")),
    FigureDef("handled", "count", N("Metrics", "Handled (处置数)"),
              N("Metrics", "handling reports in the period (a case handled again after rework counts again)")),
    FigureDef("closed", "count", N("Metrics", "Closed (结案数)"),
              N("Metrics", "cases closed in the period")),
    FigureDef("on_time_handling_rate", "rate", N("Metrics", "On-time handling rate (按期处置率)"),
              N("Metrics", "handling tasks finished by the deadline and passed at the first verification ÷ "
                           "handling tasks whose deadline fell in the period. A task is one dispatch to the "
                           "unit; rework continues the same task against the same deadline (moved only by "
                           "an approved extension or a suspension); a task ended by a return is not "
                           "counted (a wrong dispatch is the dispatch post's)")),
    FigureDef("on_time_closure_rate", "rate", N("Metrics", "On-time closure rate (按期结案率)"),
              N("Metrics", "verification rounds closed by the deadline ÷ verification rounds whose deadline "
                           "fell in the period (the closing post's figure, city-wide only; a round ended by "
                           "a failed verification is not counted)")),
    FigureDef("closure_rate", "rate", N("Metrics", "Closure rate (结案率)"),
              N("Metrics", "closed ÷ (due to be closed − suspended): of the cases registered in the period "
                           "and not voided by its end, those closed by the end of the period ÷ all of them "
                           "minus those still suspended (缓办/挂账) at the end of the period")),
    FigureDef("timely_resolution_rate", "rate", N("Metrics", "Timely resolution rate (问题及时解决率)"),
              N("Metrics", "cases closed in the period whose handling was never late and never failed "
                           "verification ÷ (cases closed in the period + cases open at the end of the period "
                           "whose handling is past its deadline or failed verification); the center's own "
                           "delays (register, dispatch, verify, close) do not count here")),
    FigureDef("rework_rate", "rate", N("Metrics", "Rework rate (返工率)"),
              N("Metrics", "failed verifications in the period ÷ handling reports in the period")),
    FigureDef("return_rate", "rate", N("Metrics", "Return rate (退单率)"),
              N("Metrics", "returns in the period ÷ dispatches in the period (a return is a wrong dispatch: "
                           "also charged to the dispatch post)")),
    FigureDef("composite", "rate", N("Metrics", "Composite figure (综合指标值)"),
              N("Metrics", "weighted sum of the rates with the weights shown (rework counts as 1 − rework "
                           "rate); a rate that is n/a is left out and the other weights are rescaled to sum "
                           "to 1")),
    FigureDef("time_to_register", "duration", N("Metrics", "Report → register"),
              N("Metrics", "elapsed time from the report to registration, cases registered in the period")),
    FigureDef("time_to_dispatch", "duration", N("Metrics", "Register → dispatch"),
              N("Metrics", "elapsed time from registration (or the last return) to dispatch, dispatches in "
                           "the period")),
    FigureDef("time_to_handle", "duration", N("Metrics", "Dispatch → handled"),
              N("Metrics", "elapsed time from the dispatch (or the failed verification sending it back) to "
                           "the handling report, handling reports in the period")),
    FigureDef("time_to_close", "duration", N("Metrics", "Report → close"),
              N("Metrics", "elapsed time from the report to closure, cases closed in the period")),
)

# The center's posts, evaluated on their own stages (city-wide reports only).
POSTS: tuple[tuple[str, str], ...] = (
    ("intake", N("Metrics", "Intake (受理)")),
    ("dispatch", N("Metrics", "Dispatch (派遣)")),
    ("inspectors", N("Metrics", "Inspectors (核查)")),
    ("closing", N("Metrics", "Closing (结案, shift lead)")),
)
POST_FIGURES: tuple[FigureDef, ...] = (
    FigureDef("intake_handled", "count", N("Metrics", "Reports handled"),
              N("Metrics", "reports registered or voided in the period")),
    FigureDef("intake_on_time", "rate", N("Metrics", "Registered on time"),
              N("Metrics", "registration rounds finished (registered or voided) by the deadline ÷ "
                           "registration rounds whose deadline fell in the period")),
    FigureDef("dispatch_handled", "count", N("Metrics", "Dispatches"),
              N("Metrics", "dispatches in the period (as 'Dispatched')")),
    FigureDef("dispatch_on_time", "rate", N("Metrics", "Dispatched on time"),
              N("Metrics", "dispatch rounds (after registration or after a return) finished by the deadline ÷ "
                           "dispatch rounds whose deadline fell in the period")),
    FigureDef("dispatch_wrong", "rate", N("Metrics", "Wrong dispatches (returned)"),
              N("Metrics", "returns in the period ÷ dispatches in the period")),
    FigureDef("inspectors_handled", "count", N("Metrics", "Verifications"),
              N("Metrics", "verification verdicts (passed or failed) in the period")),
    FigureDef("inspectors_on_time", "rate", N("Metrics", "Verified on time"),
              N("Metrics", "verification rounds with a verdict by the deadline ÷ verification rounds whose "
                           "deadline fell in the period")),
    FigureDef("inspectors_failed", "rate", N("Metrics", "Rework found"),
              N("Metrics", "failed verifications in the period ÷ verdicts in the period")),
    FigureDef("closing_handled", "count", N("Metrics", "Closed"),
              N("Metrics", "cases closed in the period")),
    FigureDef("closing_on_time", "rate", N("Metrics", "Closed on time"),
              N("Metrics", "as the on-time closure rate")),
)

FIGURES_BY_KEY = {f.key: f for f in FIGURES + POST_FIGURES}
RANKING_KEYS = ("registered", "dispatched", "handled", "closed", "on_time_handling_rate", "closure_rate",
                "timely_resolution_rate", "rework_rate", "return_rate", "composite")
# figures a ranking may rank by: rates where higher is better
RANKABLE = ("timely_resolution_rate", "on_time_handling_rate", "closure_rate", "composite")
PERCENTILE_NOTE = N("Metrics", "median and 90th percentile (p90), interpolated linearly between ranks")
NA = N("Metrics", "n/a")


def label(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].label)


def formula(key: str) -> str:
    return translate(CTX, FIGURES_BY_KEY[key].formula)
