"""The callback figures (回访): callback rate and satisfaction rate, their formulas and their facts.

`app.metrics.figures` wires them in: `callback_facts` adds one case's facts to `case_facts` (so the server
stores them in `metric_facts` in each command's transaction and its one report statement counts them with
every other kind, and the console counts them from its cache), and `RATES` adds the two figures.

- callback rate (回访率) = closures in the period due a callback that were called back (at least one
  attempt recorded, reached or not) ÷ closures in the period due a callback. A closure is due one when the
  case came from a citizen (hotline, citizen app, walk-in) with a phone number (`app.cases.callbacks`); a
  case reopened and closed again is due a callback at each closure.
- satisfaction rate (满意率) = callbacks in the period that reached the reporter and found them satisfied
  ÷ callbacks in the period that reached the reporter ("basically satisfied" is not "satisfied").

Facts (`kind`, `at`, `met`), charged to the unit that held the case when it was closed:
`cb_due` at the closure, met when called back after it; `cb_reached` at the callback, met when satisfied.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from app.cases.case import Case
from app.platform.enums import CITIZEN_SOURCES, Action, Satisfaction
from app.platform.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

CALLBACK_DUE = "cb_due"
CALLBACK_REACHED = "cb_reached"
KINDS = (CALLBACK_DUE, CALLBACK_REACHED)

# (figure key, fact kind counted: numerator = its met facts, denominator = all of them, label, formula)
RATES = (
    ("callback_rate", CALLBACK_DUE, QT_TRANSLATE_NOOP("Metrics", "Callback rate (回访率)"),
     QT_TRANSLATE_NOOP("Metrics", "closures in the period due a callback that were called back (an attempt "
                                  "recorded, reached or not) ÷ closures in the period due a callback (a case "
                                  "from the hotline, the citizen app or a walk-in, with a phone number)")),
    ("satisfaction_rate", CALLBACK_REACHED, QT_TRANSLATE_NOOP("Metrics", "Satisfaction rate (满意率)"),
     QT_TRANSLATE_NOOP("Metrics", "callbacks in the period that reached the reporter and found them satisfied "
                                  "÷ callbacks in the period that reached the reporter (basically satisfied "
                                  "does not count as satisfied)")),
)
RANKING_KEYS = tuple(key for key, *_ in RATES)


class CallbackFact(NamedTuple):
    key: str
    kind: str
    unit_id: str | None
    at: datetime
    met: bool


def callback_facts(case: Case) -> list[CallbackFact]:
    """The callback facts of one case, from its event history."""
    if case.source not in CITIZEN_SOURCES or not case.reporter_phone.strip():
        return []
    out: list[CallbackFact] = []
    holder: str | None = None
    pending: CallbackFact | None = None  # the due fact of the current closure, not called back yet
    for ev in case.events:
        a = ev.action
        if a in (Action.DISPATCH, Action.REASSIGN):
            holder = ev.payload.get("unit_id") or holder
        elif a in (Action.RETURN, Action.REOPEN):
            if pending is not None:
                out.append(pending)
            holder = pending = None
        elif a == Action.CLOSE:
            pending = CallbackFact(f"cb{ev.seq}", CALLBACK_DUE, holder, ev.at, False)
        elif a == Action.RECORD_CALLBACK:
            if pending is not None:
                out.append(pending._replace(met=True))
                unit, pending = pending.unit_id, None
            else:  # a further attempt on the same closure
                unit = next((f.unit_id for f in reversed(out) if f.kind == CALLBACK_DUE), holder)
            if ev.payload.get("reached"):
                out.append(CallbackFact(f"cr{ev.seq}", CALLBACK_REACHED, unit, ev.at,
                                        ev.payload.get("satisfaction") == Satisfaction.SATISFIED))
    if pending is not None:
        out.append(pending)
    return out
