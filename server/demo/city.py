"""The demo city simulator: a living city for `onegrid-server --demo` and `onegrid --demo`.

It acts through the very same command path as real consoles (`apply_command` as demo users), so the
demo exercises the real server: new cases arrive every few seconds from every source; colleagues in the
centre register and dispatch what the console's operator leaves alone; units accept, return and finish
after realistic delays; inspectors verify (and sometimes fail the work); leads close. A backlog with
past timestamps gives the queue overdue and escalated cases from the first second.
"""
from __future__ import annotations

import functools
import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select

from app.cases.case import Case
from app.cases.commands import CommandResult
from app.cases.routing import rank_units, suggest_co_units
from app.cases.workflow import new_command
from app.platform.enums import Action, Priority, Role, Source, Status
from app.platform.geo import bbox, point_in_polygon
from db.cases import CaseRow
from server.cases.commands import apply_command
from server.demo import followups
from server.demo.descriptions import describe
from server.demo.pictures import picture
from server.photos.direct import attach_bytes
from server.platform.auth import AuthUser
from server.platform.database import Database

log = logging.getLogger(__name__)

_STREETS = ["湖滨路", "清泰街", "延安路", "解放路", "庆春路", "凤起路", "环城东路", "建国北路"]
@functools.cache
def _demo_roads():
    """The demo base map's streets (resources/demo_city/basemap.geojson), so case addresses name the street
    the map shows at the case."""
    import json

    from app.map.gazetteer import Gazetteer, basemap_places
    from app.map.mbtiles import plan_names
    from app.refdata.loading import demo_dir

    plan = json.loads((demo_dir() / "basemap.geojson").read_text(encoding="utf-8"))
    return Gazetteer(p for p in basemap_places(plan_names(plan)) if p.kind == "road" and not p.name.endswith("弄"))


_SOURCE_WEIGHTS = [(Source.HOTLINE, 35), (Source.GRID_INSPECTOR, 30), (Source.VIDEO_AI, 15),
                   (Source.CITIZEN_APP, 12), (Source.SENSOR_ALARM, 5), (Source.WALK_IN, 3)]

_CHECKED_SOURCES = (Source.HOTLINE, Source.CITIZEN_APP)  # reports an inspector may confirm before registering

# Seconds each step takes in the demo (min, max), and how a step can branch.
_DELAYS = {
    Status.REPORTED: (40, 120),     # colleagues register what the console's operator has not
    Status.REGISTERED: (30, 90),
    Status.RETURNED: (30, 90),
    Status.DISPATCHED: (20, 70),
    Status.IN_PROGRESS: (60, 240),
    Status.HANDLED: (20, 60),
    Status.VERIFYING: (30, 90),
}


@dataclass
class SimStats:
    created: int = 0
    advanced: int = 0
    rejected: int = 0


class CitySimulator:
    def __init__(self, db: Database, refdata, *, seed: int | None = None, new_case_every_s: float = 5.0,
                 clock: Callable[[], datetime] | None = None):
        self.db = db
        self.refdata = refdata
        self.rng = random.Random(seed)
        # case ids from the seed too (a random generator of their own, so the choices above keep their sequence):
        # which cases are left to the console and which reporters are called back follow from the ids, so a
        # seeded run plays the same city every time
        self._ids = random.Random(None if seed is None else seed ^ 0x1D5)
        self.new_case_every_s = new_case_every_s
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.stats = SimStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_due: dict[uuid.UUID, datetime] = {}
        users = list(refdata.users)
        self._by_role = {role: [u for u in users if u.role == role] for role in Role}
        self._handlers = {u.unit_id: u for u in users if u.role == Role.UNIT_HANDLER and u.unit_id}
        self._categories = list(refdata.categories.values()) if isinstance(refdata.categories, dict) \
            else list(refdata.categories)
        self._grids = list(refdata.grids.values()) if isinstance(refdata.grids, dict) else list(refdata.grids)
        self.photo_ctx = None  # the server context whose photo storage takes the drawn pictures (demo_hooks)

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="city-simulator", daemon=True)
        self._thread.start()
        log.info("city simulator started (a new case about every %.0f s)", self.new_case_every_s)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.tick()
            except Exception:  # the demo must keep going; the log says what broke
                log.exception("simulator tick failed")

    def tick(self) -> None:
        now = self.clock()
        if self.rng.random() < 1.0 / self.new_case_every_s:
            self.create_case(now)
        for case in self._active_cases():
            due = self._next_due.setdefault(case.id, case.updated_at + self._delay(case.status))
            if now >= due:
                self.advance(case, now)
                self._next_due.pop(case.id, None)
        followups.tick(self, now)  # supervision orders and callbacks

    # -- the city's people -----------------------------------------------------------------------
    def _user(self, role: Role, *, exclude: tuple[str, ...] = ("operator1", "lead1")) -> AuthUser:
        """A colleague in the given role; the console's own demo logins are left to the human."""
        pool = [u for u in self._by_role.get(role, []) if u.username not in exclude] or self._by_role.get(role, [])
        u = self.rng.choice(pool)
        return AuthUser(u.username, u.display_name, role, u.unit_id)

    def _handler(self, unit_id: str) -> AuthUser:
        u = self._handlers.get(unit_id)
        if u is None:  # squads without a demo login: a handler of their own
            return AuthUser(f"sim-{unit_id}", f"{unit_id} handler", Role.UNIT_HANDLER, unit_id)
        return AuthUser(u.username, u.display_name, Role.UNIT_HANDLER, unit_id)

    def _delay(self, status: Status) -> timedelta:
        lo, hi = _DELAYS.get(status, (30, 90))
        return timedelta(seconds=self.rng.uniform(lo, hi))

    def _new_case_id(self) -> uuid.UUID:
        return uuid.UUID(int=self._ids.getrandbits(128), version=4)

    def _send(self, user: AuthUser, case_id: uuid.UUID, action: Action, payload: dict, now: datetime) -> CommandResult:
        command = new_command(case_id, action, payload, now, console_id="simulator")
        result = apply_command(self.db.writer, user, command, self.refdata, lambda: now)
        if result.status == "rejected":
            self.stats.rejected += 1
            log.debug("simulated %s on %s rejected: %s", action, case_id, result.message)
        return result

    # -- new problems ----------------------------------------------------------------------------
    def _random_location(self) -> dict:
        grid = self.rng.choice(self._grids)
        min_lon, min_lat, max_lon, max_lat = bbox(grid.geometry["coordinates"])
        for _ in range(30):
            lon, lat = self.rng.uniform(min_lon, max_lon), self.rng.uniform(min_lat, max_lat)
            if point_in_polygon(lon, lat, grid.geometry["coordinates"]):
                break
        else:
            lat, lon = grid.centroid
        street = self.rng.choice(_STREETS)
        near = _demo_roads().nearest(lat, lon, within_m=400, kinds=("road",))
        if near is not None:  # the street the base map draws there (the draw above keeps the seed's sequence)
            street = near[0].name
        return {"lat": round(lat, 6), "lon": round(lon, 6), "grid_code": grid.code,
                "address": f"{street}{self.rng.randint(1, 300)}号附近"}

    def create_case(self, now: datetime) -> CommandResult:
        source = self.rng.choices([s for s, _ in _SOURCE_WEIGHTS], [w for _, w in _SOURCE_WEIGHTS])[0]
        category = self.rng.choice(self._categories)
        text = describe(category, self.rng)
        payload = {"source": str(source), "category_code": category.code, "description": text,
                   "location": self._random_location()}
        if self.rng.random() < 0.12:
            payload["priority"] = str(Priority.URGENT)
        if source in (Source.HOTLINE, Source.CITIZEN_APP):  # a reporter to call back after closure
            payload |= {"reporter_name": self.rng.choice(["王先生", "李女士", "张先生", "陈女士", "匿名"]),
                        "reporter_phone": f"1{self.rng.randint(3, 9)}{self.rng.randint(0, 99999999):08d}"[:11]}
        role = Role.INSPECTOR if source == Source.GRID_INSPECTOR else Role.OPERATOR
        user = self._user(role) if role != Role.OPERATOR or source == Source.HOTLINE else \
            AuthUser("system", "System", Role.SYSTEM)
        result = self._send(user, self._new_case_id(), Action.CREATE, payload, now)
        self.stats.created += result.status == "accepted"
        if result.status == "accepted" and result.case is not None and source != Source.HOTLINE:
            step = "detection" if source == Source.VIDEO_AI else "report"
            self._photo(user, result.case, step, now)  # the reporter's (or the camera's) picture
        return result

    # -- moving cases along ------------------------------------------------------------------------
    def _active_cases(self, limit: int = 500) -> list[Case]:
        terminal = [str(Status.CLOSED), str(Status.VOIDED), str(Status.MERGED), str(Status.SUSPENDED)]
        with self.db.reader() as session:
            rows = session.execute(select(CaseRow.data).where(CaseRow.status.not_in(terminal))
                                   .order_by(CaseRow.updated_at.desc()).limit(limit)).scalars().all()
        return [Case.model_validate(d) for d in rows]

    def _stuck(self, case: Case) -> bool:
        """About one case in twelve is left alone, so the demo always has some going overdue."""
        return case.id.int % 12 == 0

    def advance(self, case: Case, now: datetime) -> CommandResult | None:
        if case.status == Status.MERGED:  # a repeat the server merged (`server.cases.repeats`): its master is worked
            return None
        if (ordered := followups.maybe_issue_order(self, case, now)) is not None:
            return ordered
        if self._stuck(case):
            return None
        r = self.rng.random()
        s = case.status
        if case.extension is not None:
            if r < 0.7:
                return self._step(self._user(Role.SHIFT_LEAD), case, Action.APPROVE_EXTENSION, {}, now)
            return self._step(self._user(Role.SHIFT_LEAD), case, Action.DENY_EXTENSION,
                              {"reason": "时限内可完成"}, now)
        if s == Status.REPORTED:
            if case.check is not None and case.check.result is None:  # the grid's inspector goes and looks
                return self._step(self._named(case.check.inspector, Role.INSPECTOR), case, Action.CONFIRM_CHECK,
                                  {"found": r >= 0.1, "note": "现场核实" + ("属实" if r >= 0.1 else "未发现问题")}, now)
            if case.check is not None and case.check.result == "not_found":
                return self._step(self._user(Role.OPERATOR), case, Action.VOID, {"reason": "核实未发现问题"}, now)
            if case.check is None and case.source in _CHECKED_SOURCES and r < 0.3:
                return self._step(self._user(Role.OPERATOR), case, Action.SEND_CHECK, {}, now)
            if r < 0.06:
                return self._step(self._user(Role.OPERATOR), case, Action.VOID, {"reason": "重复上报"}, now)
            return self._step(self._user(Role.OPERATOR), case, Action.REGISTER, {}, now)
        if s == Status.RETURNED and case.dispute_since is not None:  # the lead settles the dispute, in time
            if r < 0.7:
                return None
            ranked = rank_units(self.refdata, case.category_code, case.location.grid_code)
            return self._step(self._user(Role.SHIFT_LEAD), case, Action.DECIDE_OWNER,
                              {"unit_id": ranked[0].unit_id, "reason": "按部件权属台账裁定"}, now)
        if s in (Status.REGISTERED, Status.RETURNED):
            co_units = {task.unit_id for task in case.co_tasks}  # a co-handling unit is not also made the lead
            ranked = [u for u in rank_units(self.refdata, case.category_code, case.location.grid_code)
                      if u.unit_id not in co_units]
            if not ranked:
                return None
            unit = ranked[1].unit_id if (r < 0.08 and len(ranked) > 1) else ranked[0].unit_id
            return self._step(self._user(Role.OPERATOR), case, Action.DISPATCH, {"unit_id": unit}, now)
        if (step := self._joint_step(case, r, now)) is not None:
            return step
        if s == Status.DISPATCHED and case.unit_id:
            handler = self._handler(case.unit_id)
            if r < 0.10 and case.owner_decision is None:  # a decided owner cannot return it
                return self._step(handler, case, Action.RETURN, {"reason": "不属于本单位职责范围"}, now)
            if r < 0.14:
                return self._step(handler, case, Action.REQUEST_EXTENSION,
                                  {"minutes": 240, "working": True, "reason": "需协调材料"}, now)
            return self._step(handler, case, Action.ACCEPT, {}, now)
        if s == Status.IN_PROGRESS and case.unit_id:
            return self._step(self._handler(case.unit_id), case, Action.REPORT_HANDLED,
                              {"note": "已现场处置完毕"}, now)
        if s == Status.HANDLED:  # to the grid's inspector
            return self._step(self._user(Role.OPERATOR), case, Action.SEND_VERIFY, {}, now)
        if s == Status.VERIFYING:
            if case.verification == "passed":
                return self._step(self._user(Role.SHIFT_LEAD), case, Action.CLOSE, {}, now)
            inspector = self._named(case.inspector, Role.INSPECTOR) if case.inspector else \
                self._user(Role.SHIFT_LEAD)
            if r < 0.15:
                return self._step(inspector, case, Action.VERIFY_FAIL, {"reason": "现场问题仍存在"}, now)
            return self._step(inspector, case, Action.VERIFY_PASS, {"note": "现场核查通过"}, now)
        return None

    def _joint_step(self, case: Case, r: float, now: datetime) -> CommandResult | None:
        """Joint handling: about one dispatched case in seven gets a co-handling unit from the matrix; each
        co-unit accepts and reports its own task before the lead may report the case handled."""
        if case.status == Status.DISPATCHED and not case.co_tasks and case.id.int % 7 == 1:
            co = suggest_co_units(self.refdata, case)
            if co:
                return self._step(self._user(Role.OPERATOR), case, Action.ADD_CO_UNIT,
                                  {"unit_id": co[0].unit_id, "note": "协同处置"}, now)
        if case.status in (Status.DISPATCHED, Status.IN_PROGRESS):
            for task in case.co_tasks:
                if task.status == "dispatched":
                    return self._step(self._handler(task.unit_id), case, Action.CO_ACCEPT, {}, now)
                if task.status == "in_progress" and (case.status == Status.IN_PROGRESS or r < 0.5):
                    return self._step(self._handler(task.unit_id), case, Action.CO_HANDLED,
                                      {"note": "协办部分已处置"}, now)
        return None

    def _named(self, username: str, role: Role) -> AuthUser:
        u = next((u for u in self._by_role.get(role, []) if u.username == username), None)
        return AuthUser(username, u.display_name if u else username, role, u.unit_id if u else None)

    def _photo(self, user: AuthUser, case: Case, step: str, now: datetime) -> str | None:
        """A drawn picture of the case's place attached to the step; its hash (None: no photo storage)."""
        if self.photo_ctx is None:
            return None
        try:
            return attach_bytes(self.photo_ctx, user, case.id, step, picture(case.id, step, case.number, now),
                                filename=f"{step}.jpg", at=now)
        except Exception:  # the demo goes on without the picture; the log says why
            log.exception("demo photo for %s failed", case.id)
            return None

    def _step(self, user: AuthUser, case: Case, action: Action, payload: dict, now: datetime) -> CommandResult:
        step = _PHOTO_STEPS.get(action)
        if step is not None and (sha := self._photo(user, case, step, now)) is not None:
            payload = {**payload, "attachments": [*payload.get("attachments", ()), sha]}  # sent before its command
        result = self._send(user, case.id, action, payload, now)
        self.stats.advanced += result.status == "accepted"
        return result

    # -- history -----------------------------------------------------------------------------------
    def seed_backlog(self, count: int = 120, *, hours: float = 36.0) -> None:
        """Cases created over the past `hours`, each advanced a random number of steps at past times, so
        the demo opens on a realistic mix: closed, in progress, overdue, returned, escalated."""
        now = self.clock()
        for _ in range(count):
            at = now - timedelta(hours=self.rng.uniform(0.2, hours))
            result = self.create_case(at)
            if result.status != "accepted" or result.case is None:
                continue
            case = result.case
            for _ in range(self.rng.randint(0, 8)):
                at = at + self._delay(case.status) * self.rng.uniform(1, 20)
                if at >= now:
                    break
                step = self.advance(case, at)
                if step is None or step.status != "accepted" or step.case is None:
                    break
                case = step.case
            followups.play_history(self, case, at, now)
        self.seed_stories(now)
        log.info("simulator seeded %d backlog cases", count)

    def seed_stories(self, now: datetime) -> dict[str, Case]:
        """Three cases the evaluation must show from the first second: one the center registered late (its
        delay is the intake post's, not the unit's), one reworked after a failed verification (against its
        original deadline), and one returned twice, waiting in the dispute queue for a lead."""
        out: dict[str, Case] = {}
        operator, _lead, inspector = self._user(Role.OPERATOR), self._user(Role.SHIFT_LEAD), self._user(Role.INSPECTOR)
        by_code = {c.code: c for c in self._categories}
        stories = {
            "late_register": ("C0110", [(95, operator, Action.REGISTER, {})]),
            "rework": ("C0205", [(5, operator, Action.REGISTER, {}), (10, operator, "dispatch", {}),
                                 (15, "handler", Action.ACCEPT, {}), (60, "handler", Action.REPORT_HANDLED,
                                                                     {"note": "已修补坑槽"}),
                                 (70, operator, Action.SEND_VERIFY, {"inspector": inspector.username}),
                                 (90, inspector, Action.VERIFY_FAIL, {"reason": "修补处再次塌陷"})]),
            "dispute": ("C0103", [(5, operator, Action.REGISTER, {}), (10, operator, "dispatch", {}),
                                  (30, "handler", Action.RETURN, {"reason": "该井盖不属于本单位"}),
                                  (40, operator, "dispatch_second", {}),
                                  (60, "handler", Action.RETURN, {"reason": "权属不清，非本单位设施"})]),
        }
        for name, (code, steps) in stories.items():
            category = by_code.get(code) or self._categories[0]
            start = now - timedelta(hours=3)
            payload = {"source": str(Source.HOTLINE), "category_code": category.code,
                       "description": describe(category, self.rng), "location": self._random_location()}
            result = self._send(operator, self._new_case_id(), Action.CREATE, payload, start)
            if result.status != "accepted" or result.case is None:
                continue
            case = result.case
            if case.status == Status.MERGED:  # its spot repeats an open case: the story needs a case of its own
                log.info("demo story %s: its report was merged into %s as a repeat", name, case.merged_number)
                continue
            self._photo(operator, case, "report", start)
            ranked = [s.unit_id for s in rank_units(self.refdata, case.category_code, case.location.grid_code)]
            for minutes, who, action, body in steps:
                if action in ("dispatch", "dispatch_second"):
                    unit = ranked[1] if action == "dispatch_second" and len(ranked) > 1 else ranked[0]
                    action, body = Action.DISPATCH, {"unit_id": unit}
                user = self._handler(case.unit_id) if who == "handler" else who
                at = start + timedelta(minutes=minutes)
                if action in _PHOTO_STEPS and (sha := self._photo(user, case, _PHOTO_STEPS[action], at)) is not None:
                    body = {**body, "attachments": [sha]}
                step = self._send(user, case.id, action, body, at)
                if step.status != "accepted" or step.case is None:
                    log.warning("demo story %s stopped at %s: %s", name, action, step.reason)
                    break
                case = step.case
            out[name] = case
        return out


_PHOTO_STEPS = {Action.REPORT_HANDLED: "handled", Action.VERIFY_PASS: "verify_pass", Action.VERIFY_FAIL: "verify_fail"}
