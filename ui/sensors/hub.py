"""`SensorHub`: the GUI-thread owner of the console's sensors and alarms, shared by the sensor panel, the
alarm list, the map and the case detail (kept as ``ctx.sensor_hub``).

It reads the server's word only: sensor states and alarms arrive in the local cache through the changes
feed (`ctx.signals.entities_changed` for kinds "sensor" and "alarm"); the hub reads the changed rows on a
worker (`ui.shell.ops.Op`) and applies them on the GUI thread. Plots ask for history with `request_history`,
fetched by range from the server on a worker and cached per sensor (`app.sensors.feed`); while a sensor
is plotted its tail is fetched again every `refresh_s`. Offline, nothing is fetched, the plot keeps what
it has and `history_note` says that the rest needs the server; back online, the wanted histories load.

Signals (GUI thread): `ready()` once the cached states and alarms are loaded; `updated(list[str])` sensor
ids whose plotted readings changed; `states_changed(dict)` sensor id → {"state", "value", "at", …} (all
sensors, when any display state changed); `alarms_changed(list[str])` alarm ids added or changed;
`history_changed(str)` a sensor's history status (loading / needs the server / failed) changed.

The simulated hub that evaluates thresholds itself (`tests/support/simulated_sensor_hub.py`) has the same face and
is used only by tests and benchmarks.
"""
from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.platform.enums import Role
from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.scope import sees_owned, visible_units
from app.refdata.errors import RefDataError
from app.sensors.alarm_source import FeedAlarmSource, NeedsServer
from app.sensors.feed import BadReadings, Fetched, SensorHistory, ServerSensorFeed
from app.sensors.series import SensorInfo
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.state import Connection
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "SensorHub"
NOTE_LOADING = QT_TRANSLATE_NOOP("SensorHub", "Loading readings from the server…")
NOTE_OFFLINE = QT_TRANSLATE_NOOP("SensorHub", "Offline: showing the readings this console has; older "
                                              "history needs the server.")
NOTE_FAILED = QT_TRANSLATE_NOOP("SensorHub", "The server did not give the history: {error}")
ONLINE = (Connection.ONLINE, Connection.SYNCING)


def sensors_of(ctx: ConsoleContext) -> list[SensorInfo]:
    """The reference data's sensors this console's user may see (the server's scope rule: its feed carries
    no others): a unit handler those of its unit and the units below it, a user assigned jurisdictions those
    lying in its streets, everyone else all. What the sensor panel lists and the map draws."""
    refdata = ctx.refdata
    sensors = list(getattr(refdata, "sensors", ()) or ()) if refdata is not None else []
    actor = getattr(ctx.session, "actor", None) if getattr(ctx, "session", None) is not None else None
    role = getattr(actor, "role", None)
    if role is None or not sensors:
        return [SensorInfo.from_refdata(s) for s in sensors]
    unit = getattr(actor, "unit_id", None)
    try:
        units = visible_units(role, unit, refdata, getattr(actor, "jurisdictions", ()) or ())
    except RefDataError:  # a unit the reference data does not know (yet): its own sensors only
        units = frozenset({unit}) if role == Role.UNIT_HANDLER else None
    return [SensorInfo.from_refdata(s) for s in sensors if sees_owned(units, s.owner_unit_id, s.jurisdiction)]


class SensorHub(QObject):
    """Server-backed sensors and alarms for one console (see the module docstring)."""

    ready = Signal()
    updated = Signal(list)
    states_changed = Signal(dict)
    alarms_changed = Signal(list)
    history_changed = Signal(str)

    def __init__(self, ctx: ConsoleContext, *, feed: ServerSensorFeed | None = None, alarms: FeedAlarmSource | None = None,
                 refresh_s: float = 30.0, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.feed = feed if feed is not None else ServerSensorFeed(sensors_of(ctx), ctx.cache, self.client)
        self.alarms = alarms if alarms is not None else FeedAlarmSource(ctx.cache, self.client)
        self.alarms.events.alarms_changed.connect(self.alarms_changed.emit)
        self.sensors: dict[str, SensorInfo] = {s.id: s for s in self.feed.sensors()}
        self._ready = False
        self._starting = False
        self._wanted: dict[str, float] = {}        # plotted sensor → window (s)
        self._loading: set[str] = set()
        self._status: dict[str, str] = {}          # sensor → "offline" | "failed:<text>"
        self._pending_rows: dict[str, set[str]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(int(refresh_s * 1000))
        self._timer.timeout.connect(self.refresh_wanted)
        ctx.signals.entities_changed.connect(self._entities_changed)
        ctx.signals.sync_state_changed.connect(self._sync_state_changed)

    @classmethod
    def for_context(cls, ctx: ConsoleContext) -> SensorHub:
        """The context's hub, made (and started) on first use and kept as ``ctx.sensor_hub``."""
        hub = getattr(ctx, "sensor_hub", None)
        if hub is None:
            hub = cls(ctx, parent=ctx.signals)
            ctx.sensor_hub = hub
            hub.start()
        return hub

    # -- connection

    def client(self) -> Any:
        """The sync client while the console is connected with a login, else None (any thread)."""
        engine = getattr(self.ctx, "engine", None)
        if engine is None or engine.state.connection not in ONLINE:
            return None
        client = engine.client
        return client if getattr(client, "token", None) else None

    @property
    def online(self) -> bool:
        return self.client() is not None

    def _sync_state_changed(self, state: Any) -> None:
        if getattr(state, "connection", None) in ONLINE:
            waiting = [sid for sid, status in self._status.items() if status == "offline"]
            for sid in waiting:
                if sid in self._wanted:
                    self.request_history(sid, self._wanted[sid])
        else:  # the plots say at once that their history stops at what this console has
            for sid in list(self._wanted):
                self._set_status(sid, "offline")

    # -- start-up

    @property
    def is_ready(self) -> bool:
        return self._ready

    def start(self) -> None:
        if self._starting or self._ready:
            return
        self._starting = True
        feed, alarms = self.feed, self.alarms
        run_op(lambda: (feed.read_rows(), alarms.read_all()), self._loaded, self._load_failed, owner=self)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _loaded(self, result: tuple[dict, dict]) -> None:
        sensor_rows, alarm_rows = result
        self.feed.apply_rows(sensor_rows)
        self.alarms.apply_rows(alarm_rows)
        self._ready = True
        self.ready.emit()
        self.states_changed.emit(self.feed.states())
        for kind, ids in list(self._pending_rows.items()):  # changes that arrived while loading
            self._read_rows(kind, ids)
        self._pending_rows.clear()

    def _load_failed(self, exc: BaseException) -> None:
        self._starting = False
        log.error("cached sensor states and alarms could not be read: %s", exc, exc_info=exc)

    # -- the feed

    def _entities_changed(self, kind: str, ids: Any) -> None:
        if kind not in ("sensor", "alarm"):
            return
        if not self._ready:
            self._pending_rows.setdefault(kind, set()).update(ids)
            return
        self._read_rows(kind, set(ids))

    def _read_rows(self, kind: str, ids: set[str]) -> None:
        reader = self.feed.read_rows if kind == "sensor" else self.alarms.read
        run_op(lambda: reader(ids), lambda rows: self._apply(kind, rows, ids - set(rows)),
               lambda exc: log.error("cannot read %s rows from the cache: %s", kind, exc), owner=self)

    def _apply(self, kind: str, rows: dict[str, Any], gone: set[str] = frozenset()) -> None:
        """Take the changed rows; `gone`: rows the cache no longer has (they left the user's scope)."""
        if kind == "alarm":
            self.alarms.apply_rows(rows)  # → alarms_changed
            self.alarms.forget(gone)
            return
        changed, fresh = self.feed.apply_rows(rows)
        if fresh:
            self.updated.emit(fresh)
        if self.feed.forget(gone):
            changed = True
        if changed:
            self.states_changed.emit(self.feed.states())

    def states(self) -> dict[str, dict[str, Any]]:
        return self.feed.states()

    # -- history for plots

    def series(self, sensor_id: str) -> SensorHistory:
        return self.feed.histories[sensor_id]

    def watch(self, sensor_id: str, window_s: float | None) -> None:
        """A plot of this sensor shows the last `window_s` (None: no longer plotted)."""
        if window_s is None:
            self._wanted.pop(sensor_id, None)
            return
        self._wanted[sensor_id] = window_s
        self.request_history(sensor_id, window_s)

    def refresh_wanted(self) -> None:
        for sid, window in list(self._wanted.items()):
            self.request_history(sid, window)

    def request_history(self, sensor_id: str, window_s: float) -> None:
        """Fetch what the plot of the last `window_s` lacks, in the background."""
        if sensor_id not in self.sensors or sensor_id in self._loading:
            return
        if not self.online:
            self._set_status(sensor_id, "offline")
            return
        start, end, resolution = self.feed.plan(sensor_id, window_s)
        feed = self.feed
        self._loading.add(sensor_id)
        if self.feed.histories[sensor_id].covered is None:
            self.history_changed.emit(sensor_id)  # "loading…" until the first answer
        run_op(lambda: feed.fetch(sensor_id, start, end, resolution),
               lambda fetched: self._fetched(sensor_id, fetched),
               lambda exc: self._fetch_failed(sensor_id, exc), owner=self)

    def _fetched(self, sensor_id: str, fetched: Fetched) -> None:
        self._loading.discard(sensor_id)
        self.feed.install(fetched)
        self._set_status(sensor_id, None)
        self.updated.emit([sensor_id])

    def _fetch_failed(self, sensor_id: str, exc: BaseException) -> None:
        self._loading.discard(sensor_id)
        if isinstance(exc, (NeedsServer, ServerUnreachable, AuthExpired)):
            log.info("history of %s not fetched: %s", sensor_id, exc)
            self._set_status(sensor_id, "offline")
        elif isinstance(exc, (ServerRefused, BadReadings)):
            log.warning("history of %s refused: %s", sensor_id, exc)
            self._set_status(sensor_id, "failed:" + (getattr(exc, "message", None) or str(exc)))
        else:
            log.error("history of %s failed", sensor_id, exc_info=exc)
            self._set_status(sensor_id, f"failed:{type(exc).__name__}: {exc}")

    def _set_status(self, sensor_id: str, status: str | None) -> None:
        old = self._status.get(sensor_id)
        if status is None:
            self._status.pop(sensor_id, None)
        else:
            self._status[sensor_id] = status
        if old != status:
            self.history_changed.emit(sensor_id)

    def history_note(self, sensor_id: str) -> str:
        """What the plot of this sensor should say about its history ("" when all is well)."""
        status = self._status.get(sensor_id)
        if status == "offline":
            return QCoreApplication.translate(CTX, NOTE_OFFLINE)
        if status and status.startswith("failed:"):
            return QCoreApplication.translate(CTX, NOTE_FAILED).format(error=status[len("failed:"):])
        if sensor_id in self._loading and self.feed.histories[sensor_id].covered is None:
            return QCoreApplication.translate(CTX, NOTE_LOADING)
        return ""

    def alarm_periods(self, sensor_id: str, now: float) -> list[tuple[float, float, int]]:
        """(start, end, level) of this sensor's alarms, for shading its plot (active ones end now)."""
        out = []
        for alarm in self.alarms.for_sensor(sensor_id):
            end = alarm.cleared_at if alarm.cleared_at is not None else now
            if math.isfinite(alarm.raised_at):
                out.append((alarm.raised_at, max(end, alarm.raised_at), alarm.level))
        return out

    def now(self) -> float:
        return self.feed.now()
