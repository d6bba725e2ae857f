"""Fixtures of the console benchmarks (bench_console): a real `LocalCache` holding 100,000 valid cases.

A few dozen template cases are walked through the real workflow (`app.cases.workflow.apply`: create, register,
dispatch, accept, ... with the actor each step needs), then cloned as JSON with new ids, numbers,
locations, categories, priorities, creation and due times, and fed into the cache with `apply_changes`
in pages of 5,000, exactly as the sync engine applies the server's changes feed.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from app.cases.workflow import Actor
from app.platform.enums import TERMINAL_STATUSES, Action, Priority, Role, Source, Status

PAGE = 5_000
YEAR = 2026
OPERATOR = Actor("operator1", Role.OPERATOR)
LEAD = Actor("lead1", Role.SHIFT_LEAD)
INSPECTOR = Actor("inspector1", Role.INSPECTOR)
USERNAME = "operator1"
PASSWORD = "bench-operator1"  # stored as the offline login verifier of the launch benchmark

A = Action
S = Status
PATHS: dict[Status, list[Action]] = {  # how each status is reached (tests/support/ui.py CaseMaker)
    S.REPORTED: [],
    S.REGISTERED: [A.REGISTER],
    S.VOIDED: [A.VOID],
    S.DISPATCHED: [A.REGISTER, A.DISPATCH],
    S.RETURNED: [A.REGISTER, A.DISPATCH, A.RETURN],
    S.IN_PROGRESS: [A.REGISTER, A.DISPATCH, A.ACCEPT],
    S.HANDLED: [A.REGISTER, A.DISPATCH, A.ACCEPT, A.REPORT_HANDLED],
    S.VERIFYING: [A.REGISTER, A.DISPATCH, A.ACCEPT, A.REPORT_HANDLED, A.SEND_VERIFY],
    S.CLOSED: [A.REGISTER, A.DISPATCH, A.ACCEPT, A.REPORT_HANDLED, A.SEND_VERIFY, A.VERIFY_PASS, A.CLOSE],
    S.SUSPENDED: [A.REGISTER, A.SUSPEND],
}
# Share of each status among the 100,000 cases: a live city has a long tail of closed cases.
STATUS_WEIGHTS = {S.REPORTED: 6, S.REGISTERED: 5, S.DISPATCHED: 8, S.RETURNED: 2, S.IN_PROGRESS: 12,
                  S.HANDLED: 4, S.VERIFYING: 3, S.SUSPENDED: 2, S.CLOSED: 52, S.VOIDED: 6}
SOURCES = [s.value for s in Source]
PRIORITIES = [p.value for p in Priority]
DESCRIPTIONS = ["井盖破损 broken manhole cover", "路灯不亮 streetlight out", "垃圾满溢 overflowing bin",
                "占道经营 street vending", "积水 standing water", "树木倒伏 fallen tree", "违章停车 illegal parking",
                "管道漏水 leaking pipe", "噪音扰民 noise complaint", "道路破损 damaged road surface"]
STREETS = ["湖滨路", "延安路", "解放路", "庆春路", "凤起路", "中山北路", "环城西路", "体育场路"]
REPORTERS = ["王先生", "李女士", "张先生", "刘女士", "陈先生", ""]


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _handler(unit_id: str) -> Actor:
    return Actor(f"handler_{unit_id}", Role.UNIT_HANDLER, unit_id)


def _payload(action: Action, unit_id: str) -> dict[str, Any]:
    return {
        A.REGISTER: {}, A.VOID: {"reason": "duplicate"}, A.DISPATCH: {"unit_id": unit_id}, A.ACCEPT: {},
        A.RETURN: {"reason": "not ours"}, A.REPORT_HANDLED: {"note": "fixed on site"},
        A.SEND_VERIFY: {"inspector": "inspector1"}, A.VERIFY_PASS: {"note": "ok"}, A.CLOSE: {},
        A.SUSPEND: {"reason": "heavy rain"}, A.NOTE: {"text": "caller rang again"},
    }[action]


def _actor(action: Action, unit_id: str, desk: Actor) -> Actor:
    if action in (A.ACCEPT, A.RETURN, A.REPORT_HANDLED):
        return _handler(unit_id)
    if action in (A.VERIFY_PASS,):
        return INSPECTOR
    if action in (A.CLOSE, A.SUSPEND):
        return LEAD
    return desk


# Who reports a template case, and which desk operator then registers and dispatches it: operator1 (the
# user of the launch benchmark) is in the history of one case in four, as on a centre with several desks.
CREATORS = [(OPERATOR, OPERATOR), (Actor("operator2", Role.OPERATOR),) * 2, (Actor("operator3", Role.OPERATOR),) * 2,
            (INSPECTOR, Actor("operator2", Role.OPERATOR))]


def make_templates(refdata, now: datetime, per_status: int = 4) -> dict[Status, list[dict]]:
    """Valid server-side cases (JSON) in every status, made by the real workflow: a few categories, grids
    and reporting/desk users per status, some with an extra note (longer histories)."""
    from app.cases import workflow
    from app.cases.routing import rank_units

    rnd = random.Random(7)
    out: dict[Status, list[dict]] = {}
    serial = 0
    for status, path in PATHS.items():
        out[status] = []
        for k in range(per_status):
            serial += 1
            category = refdata.categories[(serial * 13) % len(refdata.categories)]
            grid = refdata.grids[(serial * 7) % len(refdata.grids)]
            unit_id = rank_units(refdata, category.code, grid.code)[0].unit_id
            lat, lon = grid.centroid
            t = now - timedelta(hours=len(path) + 1)
            case_id = uuid.UUID(int=rnd.getrandbits(128))
            payload = {"source": SOURCES[serial % len(SOURCES)], "category_code": category.code,
                       "description": DESCRIPTIONS[serial % len(DESCRIPTIONS)],
                       "location": {"lat": lat, "lon": lon, "address": f"{STREETS[serial % len(STREETS)]} 1 号"},
                       "priority": PRIORITIES[serial % len(PRIORITIES)], "reporter_name": "王先生",
                       "reporter_phone": "13800000000"}
            creator, desk = CREATORS[k % len(CREATORS)]
            case = workflow.apply(None, workflow.new_command(case_id, A.CREATE, payload, t), creator, refdata, t)
            case = case.model_copy(update={"number": f"{YEAR}-T{serial:05d}"})
            steps = list(path)
            if k == 1:
                steps.insert(min(1, len(steps)), A.NOTE)
            for action in steps:
                t += timedelta(minutes=20)
                command = workflow.new_command(case_id, action, _payload(action, unit_id), t)
                case = workflow.apply(case, command, _actor(action, unit_id, desk), refdata, t)
            assert case.status == status, (status, case.status)
            out[status].append(case.model_dump(mode="json"))
    return out


@dataclass
class CloneFactory:
    """Deterministic clones of the templates: case `i` always has the same id, number and content."""

    refdata: Any
    now: datetime
    templates: dict[Status, list[dict]]
    seed: int = 1
    _status_cycle: list[Status] = field(default_factory=list)

    def __post_init__(self):
        for status, weight in STATUS_WEIGHTS.items():
            self._status_cycle += [status] * weight
        self._units = [u.id for u in self.refdata.units if u.parent_id is not None]
        self._emergency = [c.code for c in self.refdata.categories if c.emergency]

    def case_id(self, i: int) -> uuid.UUID:
        return uuid.UUID(int=random.Random(self.seed * 1_000_003 + i).getrandbits(128))

    def case(self, i: int, *, version_bump: int = 0, status: Status | None = None) -> dict:
        """Case `i` as server JSON (`version_bump` > 0: a later server version of it)."""
        rnd = random.Random(self.seed * 7_919 + i)
        drawn = self._status_cycle[rnd.randrange(len(self._status_cycle))]  # always drawn: same sequence
        status = status or drawn
        tpl = self.templates[status][i % len(self.templates[status])]
        rd = self.refdata
        grid = rd.grids[rnd.randrange(len(rd.grids))]
        category = rd.categories[rnd.randrange(len(rd.categories))]
        lat, lon = grid.centroid
        created = self.now - timedelta(minutes=rnd.randint(5, 60 * 24 * 60))
        updated = min(self.now, created + timedelta(minutes=rnd.randint(1, 60 * 24 * 3)))
        case = dict(tpl)
        case["id"] = str(self.case_id(i))
        case["number"] = f"{YEAR}-{i + 1:06d}"
        case["category_code"] = category.code
        case["priority"] = PRIORITIES[rnd.randrange(3)] if rnd.random() < 0.4 else category.default_priority.value
        case["source"] = SOURCES[rnd.randrange(len(SOURCES))]
        case["description"] = f"{DESCRIPTIONS[rnd.randrange(len(DESCRIPTIONS))]} #{i}"
        case["reporter_name"] = REPORTERS[rnd.randrange(len(REPORTERS))]
        case["location"] = {"lat": round(lat + rnd.uniform(-0.0012, 0.0012), 6),
                            "lon": round(lon + rnd.uniform(-0.0012, 0.0012), 6),
                            "address": f"{STREETS[rnd.randrange(len(STREETS))]} {rnd.randint(1, 400)} 号",
                            "grid_code": grid.code}
        case["created_at"] = created.isoformat()
        case["updated_at"] = (updated + timedelta(minutes=version_bump)).isoformat()
        if tpl.get("unit_id"):
            case["unit_id"] = self._units[rnd.randrange(len(self._units))]
        if status not in TERMINAL_STATUSES:
            due = self.now + timedelta(minutes=rnd.randint(-3 * 24 * 60, 10 * 24 * 60))
            case["due_at"] = due.isoformat()
            case["escalation_level"] = 1 if rnd.random() < 0.05 else 0
        case["version"] = tpl["version"] + version_bump
        return case


    def status_of(self, i: int) -> Status:
        rnd = random.Random(self.seed * 7_919 + i)
        return self._status_cycle[rnd.randrange(len(self._status_cycle))]

    def updated(self, i: int, status: Status | None = None, *, bump: int = 1) -> dict:
        """The server's next version of case `i`: moved on one lifecycle step (or to `status`), a new
        due time for its new stage, updated just now."""
        old = self.case(i)
        status = status or NEXT_STATUS[self.status_of(i)]
        new = self.case(i, status=status)
        rnd = random.Random(self.seed * 31 + i + 1_000_000 * bump)
        if status not in TERMINAL_STATUSES:
            new["due_at"] = (self.now + timedelta(minutes=rnd.randint(-60, 5 * 24 * 60))).isoformat()
        new["updated_at"] = now_utc().isoformat()
        new["version"] = old["version"] + bump
        return new


# One step on in the lifecycle (terminal cases get a note: same status, new version).
NEXT_STATUS = {S.REPORTED: S.REGISTERED, S.REGISTERED: S.DISPATCHED, S.DISPATCHED: S.IN_PROGRESS,
               S.IN_PROGRESS: S.HANDLED, S.HANDLED: S.VERIFYING, S.VERIFYING: S.CLOSED, S.RETURNED: S.DISPATCHED,
               S.SUSPENDED: S.REGISTERED, S.CLOSED: S.CLOSED, S.VOIDED: S.VOIDED}


def change_pages(factory: CloneFactory, n: int, start_position: int = 1,
                 page: int = PAGE) -> Iterator[tuple[list, int]]:
    """(changes, cursor) pages of the changes feed holding cases 0..n-1."""
    from app.wire.feed import Change

    position = start_position
    for first in range(0, n, page):
        changes = []
        for i in range(first, min(n, first + page)):
            data = factory.case(i)
            changes.append(Change(position=position, kind="case", id=data["id"], data=data))
            position += 1
        yield changes, position - 1


@dataclass
class BuiltCache:
    directory: Path
    factory: CloneFactory
    count: int
    cursor: int
    seconds: float          # the whole build
    apply_seconds: float    # of which inside LocalCache.apply_changes


def build_cache(directory: Path, n: int, *, now: datetime | None = None, credentials: bool = True,
                log=lambda _m: None) -> BuiltCache:
    """A LocalCache in `directory` with the demo reference data, `n` cases applied in feed pages, and
    (optionally) an offline login verifier for operator1."""
    from app.cache import LocalCache
    from app.refdata.loading import load_demo_refdata

    started = time.perf_counter()
    now = now or now_utc()
    refdata = load_demo_refdata()
    factory = CloneFactory(refdata, now, make_templates(refdata, now))
    cache = LocalCache(directory)
    try:
        cache.store_refdata(refdata.to_dict())
        if credentials:
            cache.store_credentials(USERNAME, PASSWORD, {"username": USERNAME, "display_name": "Operator 1",
                                                         "role": "operator", "unit_id": None}, now)
        applied = 0.0
        cursor = 0
        for changes, cursor in change_pages(factory, n):
            t = time.perf_counter()
            cache.apply_changes(changes, cursor)
            applied += time.perf_counter() - t
            if cursor % 20_000 == 0:
                log(f"  {cursor:,} cases in the cache")
        assert cache.case_count() == n, cache.case_count()
    finally:
        cache.close()
    return BuiltCache(Path(directory), factory, n, cursor, time.perf_counter() - started, applied)
