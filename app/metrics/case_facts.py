"""Step 1 of every report: one case's event history turned into *facts*, each charged to the owner of the
stage it measures (DOMAIN.md, "Who owns each stage").

- Counted events (registered, dispatched, handled, closed, returned, reworked, voided, verified), each
  with its measured duration where one is shown.
- One deadline fact per stage round, with its deadline as it stands after extensions and suspensions and
  whether it was met: registering (the intake post), dispatching (the dispatch post), handling (the member
  unit), verifying (the inspectors) and closing (the shift lead).
- One `CaseFact` per case: the timely resolution rate and the closure rate's cohort.

Attribution. The center's stages (register, dispatch, verify, close) are charged to no unit (`unit_id`
None): they appear in the city-wide report and the per-post figures, never in a unit's. Handling, rework
and the handling deadline are the unit's that held the case then; a dispatch counts for the unit it went
to and a return for the unit that returned it (a return is the dispatch post's fault, charged there too).

Disputes. A dispatch round during which the case went to the dispute queue (returned twice) is charged to
no post: a shift lead decides the owner (`decide_owner`, counted as a dispatch to the unit decided).

Rework. A failed verification reopens the handling task of the dispatch it belongs to: the task keeps its
one deadline (the original, moved only by an approved extension or a suspension, as `workflow.apply`
sets it) and can no longer be met, since its first report was not a resolution. The case's `late_at` is
then the moment of the failed verification, unless its handling was late earlier.

Deadlines of earlier rounds are not stored in a case, so they are recomputed here with the limits in
force, exactly as `app.cases.workflow` sets them; the last round of each stage uses the case's own value.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from app.cases.case import Case
from app.metrics import onsite, satisfaction, task_facts
from app.platform.enums import Action, Stage
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

# event kinds
REGISTER = "register"
DISPATCH = "dispatch"
HANDLED = "handled"
CLOSE = "close"
RETURN = "return"
REWORK = "rework"
VOID = "void"
VERIFIED = "verified"        # an inspector's verdict, pass or fail
# deadline kinds (at = the deadline)
REGISTER_DUE = "register_due"  # intake post
DISPATCH_DUE = "dispatch_due"  # dispatch post
HANDLE_DUE = "handle_due"      # member unit: one per handling task (a dispatch), rework included
VERIFY_DUE = "verify_due"      # inspectors: the verification stage's deadline, met by the verdict
CLOSE_DUE = "close_due"        # shift lead: the same deadline, met by closing
EVENT_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE, RETURN, REWORK, VOID, VERIFIED)
DUE_KINDS = (REGISTER_DUE, DISPATCH_DUE, HANDLE_DUE, VERIFY_DUE, CLOSE_DUE)
KINDS = EVENT_KINDS + DUE_KINDS
TREND_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE)
DURATION_KINDS = (REGISTER, DISPATCH, HANDLED, CLOSE, task_facts.CHECK)  # report→register, register→dispatch, …


@dataclass(frozen=True)
class Fact:
    """One counted thing of one case. `at` is the event's time, or for a deadline round the deadline
    (None: no running deadline, e.g. suspended before it passed). `day` is `at`'s local date."""

    key: str
    kind: str
    unit_id: str | None
    category_code: str
    at: datetime | None
    day: date | None
    seconds: float | None = None   # measured duration (DURATION_KINDS)
    met: bool | None = None        # deadline rounds: finished by the deadline


@dataclass(frozen=True)
class CaseFact:
    """One per case. `late_at`: the first moment the unit's handling was (or, with the current deadline,
    will be) past its deadline, or its first failed verification; None when never. `registered_at`,
    `suspended_at`/`resumed_at` (the latest suspension) place the case in the closure rate's cohort."""

    unit_id: str | None
    category_code: str
    created_at: datetime
    closed_at: datetime | None
    voided_at: datetime | None
    late_at: datetime | None
    registered_at: datetime | None = None
    suspended_at: datetime | None = None
    resumed_at: datetime | None = None


@dataclass(frozen=True)
class CaseFacts:
    facts: tuple[Fact, ...]
    case: CaseFact


@dataclass
class _Round:
    stage: Stage
    key: str
    start: datetime
    due: datetime | None
    working: bool
    unit_id: str | None
    done_at: datetime | None = None
    outcome: str | None = None     # "done" | "returned" | "reworked" | "voided"
    checked_at: datetime | None = None  # verification rounds: the inspector's verdict
    failed: bool = False           # handling rounds: a verification of this task failed
    disputed: bool = False         # dispatch rounds: the case went to the dispute queue (a lead decides)


def _limit(case: Case, stage: Stage, refdata: RefData) -> timelimits.Limit | None:
    try:
        if stage == Stage.HANDLE:
            return refdata.handle_limit(case.category_code, case.priority, case.location.grid_code)
        return refdata.policy.stage_limit(str(stage))
    except Exception:  # a category removed from the reference data: fall back on the case's own values
        return None


def _parse_dt(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            return None
        return dt if dt.tzinfo is not None else None
    return None


def case_facts(case: Case, refdata: RefData) -> CaseFacts:  # noqa: C901 - one pass over the history
    """The metric facts of one case, from its event history (see the module docstring)."""
    cal = refdata.policy.calendar
    tz = cal.tz
    cat = case.category_code
    facts: list[Fact] = []
    rounds: list[_Round] = []
    current: _Round | None = None
    holder: str | None = None
    queue_since: datetime | None = None
    suspended_at: datetime | None = None
    closed_at = voided_at = registered_at = first_fail = None
    last_suspended = last_resumed = None
    handle_since: datetime | None = None  # the dispatch, or the failed verification sending it back

    def day(at: datetime | None) -> date | None:
        return None if at is None else at.astimezone(tz).date()

    def event_fact(seq: int, kind: str, unit: str | None, at: datetime, seconds: float | None = None) -> None:
        facts.append(Fact(f"e{seq}", kind, unit, cat, at, day(at), seconds))

    def start(stage: Stage, seq: int, at: datetime, unit: str | None) -> _Round:
        limit = _limit(case, stage, refdata)
        due = timelimits.deadline(at, limit, cal) if limit is not None else None
        r = _Round(stage, f"{stage.value[0]}{seq}", at, due, bool(limit and limit.working), unit)
        rounds.append(r)
        return r

    def end(r: _Round | None, at: datetime, outcome: str) -> None:
        if r is not None and r.done_at is None:
            r.done_at, r.outcome = at, outcome

    created = case.created_at
    for ev in case.events:
        at, a = ev.at, ev.action
        if a == Action.CREATE:
            created = at
            current = start(Stage.REGISTER, ev.seq, at, None)
        elif a == Action.REGISTER:
            end(current, at, "done")
            registered_at = at
            event_fact(ev.seq, REGISTER, None, at, (at - created).total_seconds())
            current = start(Stage.DISPATCH, ev.seq, at, None)
            queue_since = at
        elif a == Action.VOID:
            end(current, at, "voided")
            event_fact(ev.seq, VOID, None, at)
            current, voided_at = None, at
        elif a == Action.DISPATCH:
            holder = ev.payload.get("unit_id")
            end(current, at, "done")
            wait = (at - queue_since).total_seconds() if queue_since is not None else None
            event_fact(ev.seq, DISPATCH, holder, at, wait)
            current = start(Stage.HANDLE, ev.seq, at, holder)
            handle_since = at
        elif a == Action.REASSIGN:
            holder = ev.payload.get("unit_id")
            event_fact(ev.seq, DISPATCH, holder, at)
            if current is not None and current.stage == Stage.HANDLE:
                current.unit_id = holder
        elif a == Action.RETURN:
            event_fact(ev.seq, RETURN, ev.payload.get("unit_id") or holder, at)
            end(current, at, "returned")
            holder, queue_since = None, at
            current = start(Stage.DISPATCH, ev.seq, at, None)
        elif a == Action.REPORT_HANDLED:
            began = handle_since if current is not None and current.stage == Stage.HANDLE else None
            event_fact(ev.seq, HANDLED, holder, at, (at - began).total_seconds() if began else None)
            end(current, at, "done")
            current = start(Stage.VERIFY, ev.seq, at, None)
        elif a == Action.VERIFY_PASS:
            event_fact(ev.seq, VERIFIED, None, at)
            if current is not None and current.stage == Stage.VERIFY and current.checked_at is None:
                current.checked_at = at
        elif a == Action.VERIFY_FAIL:
            event_fact(ev.seq, REWORK, holder, at)
            facts.append(Fact(f"e{ev.seq}v", VERIFIED, None, cat, at, day(at)))
            if current is not None and current.stage == Stage.VERIFY and current.checked_at is None:
                current.checked_at = at
            end(current, at, "reworked")
            first_fail, handle_since = first_fail or at, at
            task = next((r for r in reversed(rounds) if r.stage == Stage.HANDLE and r.outcome == "done"), None)
            if task is not None:  # the same task, its deadline unchanged (workflow.apply)
                task.done_at, task.outcome, task.failed, task.unit_id = None, None, True, holder
                current = task
            else:
                current = start(Stage.HANDLE, ev.seq, at, holder)
        elif a == Action.CLOSE:
            end(current, at, "done")
            current, closed_at = None, at
            event_fact(ev.seq, CLOSE, case.unit_id, at, (at - created).total_seconds())
        elif a == Action.APPROVE_EXTENSION and current is not None:
            new_due = _parse_dt(ev.payload.get("new_due_at"))
            if new_due is None and current.due is not None:
                extra = timelimits.Limit(int(ev.payload.get("minutes", 0)) or 1, bool(ev.payload.get("working")))
                new_due = timelimits.extend(current.due, extra, cal)
            current.due = new_due
        elif a == Action.SUSPEND:
            suspended_at = last_suspended = at
            last_resumed = None
        elif a == Action.RESUME:
            if current is not None and current.due is not None and suspended_at is not None:
                current.due = timelimits.shift_for_suspension(current.due, suspended_at, at, current.working, cal)
            suspended_at, last_resumed = None, at
        elif a == Action.ESCALATE and ev.payload.get("dispute") and current is not None:
            current.disputed = True  # the lead's decision from here: charged to no post
        elif a == Action.REOPEN:  # a dissatisfied reporter: open again, back in the dispatch queue
            holder, queue_since, closed_at = None, at, None
            current = start(Stage.DISPATCH, ev.seq, at, None)
        elif a == Action.DECIDE_OWNER:
            holder = ev.payload.get("unit_id")
            end(current, at, "done")
            wait = (at - queue_since).total_seconds() if queue_since is not None else None
            event_fact(ev.seq, DISPATCH, holder, at, wait)
            current = start(Stage.HANDLE, ev.seq, at, holder)
            handle_since = at

    # The last round of each stage: the case's own deadline is authoritative (a reopened handling task is
    # the last handling round: no round starts between a dispatch and its rework).
    last_of_stage: dict[Stage, _Round] = {r.stage: r for r in rounds}
    for stage, r in last_of_stage.items():
        if stage in case.deadlines:
            r.due = case.deadlines[stage]
    if current is not None and suspended_at is not None and current.due is not None \
            and current.due > suspended_at:
        current.due = None  # the clock is stopped before the deadline: nothing falls due while suspended

    late_at = first_fail
    for r in rounds:
        if r.due is None or (r.outcome == "voided" and r.stage not in (Stage.REGISTER, Stage.DISPATCH)):
            continue
        # a center round ended by voiding the case was finished by its post all the same
        done = r.done_at is not None and r.outcome in ("done", "voided") and r.done_at <= r.due
        if r.stage == Stage.REGISTER:
            facts.append(Fact(r.key, REGISTER_DUE, None, cat, r.due, day(r.due), met=done))
        elif r.stage == Stage.DISPATCH and not r.disputed:
            facts.append(Fact(r.key, DISPATCH_DUE, None, cat, r.due, day(r.due), met=done))
        elif r.stage == Stage.HANDLE and r.outcome != "returned":
            if r.done_at is None or r.done_at > r.due:
                late_at = r.due if late_at is None else min(late_at, r.due)
            facts.append(Fact(r.key, HANDLE_DUE, r.unit_id if r.unit_id is not None else holder, cat, r.due,
                              day(r.due), met=done and not r.failed))
        elif r.stage == Stage.VERIFY:
            checked = r.checked_at is not None and r.checked_at <= r.due
            facts.append(Fact(r.key + "i", VERIFY_DUE, None, cat, r.due, day(r.due), met=checked))
            if r.outcome != "reworked":
                facts.append(Fact(r.key, CLOSE_DUE, None, cat, r.due, day(r.due), met=done))
    facts += [Fact(f.key, f.kind, f.unit_id, cat, f.at, day(f.at), met=f.met) for f in satisfaction.callback_facts(case)]
    facts += [Fact(f.key, f.kind, f.unit_id, cat, f.at, day(f.at), met=f.met) for f in onsite.onsite_facts(case, refdata)]
    facts += task_facts.case_task_facts(
        case, lambda key, kind, unit, at, seconds, met: Fact(key, kind, unit, cat, at, day(at), seconds, met),
        {"dispatch": DISPATCH, "handled": HANDLED, "return": RETURN, "handle_due": HANDLE_DUE})
    # Registration's unit is the responsible unit, known only later: fill it in now.
    facts = [Fact(f.key, f.kind, case.unit_id, f.category_code, f.at, f.day, f.seconds, f.met)
             if f.kind == REGISTER else f for f in facts]
    return CaseFacts(tuple(facts), CaseFact(case.unit_id, cat, created, closed_at, voided_at, late_at,
                                            registered_at, last_suspended, last_resumed))
