"""The callback figures (回访): callback rate and satisfaction rate, their formulas and their facts.

`app.metrics.figures` wires them in: `callback_facts` adds one case's facts to `case_facts` (so the server
stores them in `metric_facts` in each command's transaction and its one report statement counts them with
every other kind, and the console counts them from its cache), and `RATES` adds the two figures.

- callback rate (回访率) = closures in the period due a callback whose every reporter was called back (at
  least one attempt recorded for each, reached or not) ÷ closures in the period due a callback. A closure
  is due one when the case came from a citizen (hotline, citizen app, walk-in) with a phone number, or when
  the server listed merged repeats whose reporters are due one (`app.cases.callbacks`); a case reopened and
  closed again is due a callback at each closure.
- satisfaction rate (满意率) = closures in the period whose reached reporters were all satisfied ÷ closures
  in the period where at least one reporter was reached ("basically satisfied" is not "satisfied"; an
  unreached reporter does not count either way). One reporter: the same as one callback. Counted at the
  latest reached call of the closure.

Facts (`kind`, `at`, `met`), charged to the unit that held the case when it was closed:
`cb_due` at the closure, met when every reporter was called after it; `cb_reached` at the latest reached
call, met when every reached reporter was satisfied (docs/evaluation.md, "Callbacks with several reporters").
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app.cases import callbacks
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
     QT_TRANSLATE_NOOP("Metrics", "closures in the period due a callback whose every reporter was called back "
                                  "(an attempt recorded for each, reached or not) ÷ closures in the period due a "
                                  "callback (a case from the hotline, the citizen app or a walk-in with a phone "
                                  "number, or with such repeats merged into it)")),
    ("satisfaction_rate", CALLBACK_REACHED, QT_TRANSLATE_NOOP("Metrics", "Satisfaction rate (满意率)"),
     QT_TRANSLATE_NOOP("Metrics", "closures in the period whose reached reporters all said satisfied ÷ closures "
                                  "in the period where at least one reporter was reached (basically satisfied "
                                  "does not count as satisfied)")),
)
RANKING_KEYS = tuple(key for key, *_ in RATES)


class CallbackFact(NamedTuple):
    key: str
    kind: str
    unit_id: str | None
    at: datetime
    met: bool


class _Closure:
    """One closure's callbacks while the history is read: whom it is due to call, who was called, and each
    reached reporter's answer (None: the case's own reporter; else the merged report's id)."""

    def __init__(self, seq: int, at: datetime, unit_id: str | None, due: set):
        self.seq, self.at, self.unit_id, self.due = seq, at, unit_id, due
        self.called: set = set()
        self.answers: dict = {}  # reporter -> satisfied
        self.first_reached: int | None = None
        self.last_reached: datetime | None = None

    def facts(self) -> list[CallbackFact]:
        if not self.due:
            return []
        out = [CallbackFact(f"cb{self.seq}", CALLBACK_DUE, self.unit_id, self.at, self.due <= self.called)]
        if self.answers:
            assert self.first_reached is not None and self.last_reached is not None
            out.append(CallbackFact(f"cr{self.first_reached}", CALLBACK_REACHED, self.unit_id, self.last_reached,
                                    all(self.answers.values())))
        return out


def callback_facts(case: Case) -> list[CallbackFact]:
    """The callback facts of one case, from its event history: per closure, one `cb_due` (met when every
    reporter due was called at least once) and, once a reporter was reached, one `cb_reached` (met when
    every reached reporter said satisfied; at the latest reached call)."""
    own = case.source in CITIZEN_SOURCES and bool(case.reporter_phone.strip())
    out: list[CallbackFact] = []
    holder: str | None = None
    closure: _Closure | None = None
    for ev in case.events:
        a = ev.action
        if a in (Action.DISPATCH, Action.REASSIGN):
            holder = ev.payload.get("unit_id") or holder
        elif a in (Action.RETURN, Action.REOPEN):
            if closure is not None:
                out += closure.facts()
            holder = closure = None
        elif a == Action.CLOSE:
            if closure is not None:
                out += closure.facts()
            due = ({None} if own else set()) | {rid for rid, _n in callbacks.closure_reports(ev.payload)}
            closure = _Closure(ev.seq, ev.at, holder, due)
        elif a == Action.RECORD_CALLBACK and closure is not None:
            raw = ev.payload.get("report_id")
            who = UUID(str(raw)) if raw else None
            closure.called.add(who)
            if ev.payload.get("reached"):
                closure.answers[who] = ev.payload.get("satisfaction") == Satisfaction.SATISFIED
                closure.first_reached = closure.first_reached if closure.first_reached is not None else ev.seq
                closure.last_reached = ev.at
    if closure is not None:
        out += closure.facts()
    return out
