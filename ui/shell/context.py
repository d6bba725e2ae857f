"""What every dock is built from: the core objects plus Qt signals re-emitting the core's events on the
GUI thread. Docks take a ConsoleContext and nothing else, so a test can build any dock from a cache and a
session without a main window.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from app.cache import LocalCache
from app.platform import times
from app.sync.session import Session

if TYPE_CHECKING:  # the context names them; the shell does not need their modules to run
    from app.platform.settings import ConsoleSettings
    from app.sync.engine import SyncEngine
    from ui.sensors.hub import SensorHub
from ui.shell.current_case import CurrentCase


class CoreSignals(QObject):
    """Core events adapted to Qt: emitted from any thread, delivered queued on the GUI thread."""

    cases_changed = Signal(object)      # app.cache ChangeSet (added/updated/removed id sets)
    outbox_changed = Signal(int)
    conflicts_changed = Signal(int)
    settings_changed = Signal(str, object)
    entities_changed = Signal(str, object)  # kind ("alarm", "sensor", "shift", …), frozenset of ids
    sync_state_changed = Signal(object)  # app.sync.state SyncState
    case_selected = Signal(object)       # UUID | None: the one selection shared by queue, map, detail
    sensor_selected = Signal(str)
    alarm_selected = Signal(str)         # alarm id: the alarm list selects it (e.g. from a case's link)
    language_changed = Signal(str)
    refdata_changed = Signal(str)        # new reference data version (names, units, categories)
    pick_location_requested = Signal()   # a form asks the map for the next clicked point
    location_picked = Signal(float, float, str)  # lat, lon, address/grid text


def working_offline(ctx: ConsoleContext) -> bool:
    """Whether a command issued now is issued offline: in an offline session, and also in an online
    session while the server cannot be reached (the command waits in the outbox and is sent later).
    The flag travels with the command into the server's audit trail ("issued offline")."""
    session = getattr(ctx, "session", None)
    if bool(getattr(session, "offline", False)):
        return True
    engine = getattr(ctx, "engine", None)
    state = getattr(engine, "state", None) if engine is not None else None
    connection = getattr(state, "connection", None)
    return connection is not None and str(connection) in ("offline", "auth_expired")


@dataclass
class ConsoleContext:
    cache: LocalCache
    session: Session
    signals: CoreSignals
    engine: SyncEngine | None = None     # None when running without a server
    settings: ConsoleSettings | None = None  # tile URL, language, …; None in tests
    sensor_hub: SensorHub | None = None  # shared by the sensor dock, the alarms and the map (set by the hub)
    current: CurrentCase = field(default_factory=CurrentCase)  # the one current case and its message
    photos: object | None = None         # app.photos store over the console's cache; None: no photos
    queue_prefetch: object | None = None  # app.cases.queue_prefetch, started at login; the queue's first load

    @property
    def selected_case(self) -> UUID | None:
        return self.current.case_id

    def select_case(self, case_id: UUID | None) -> None:
        if self.current.select(case_id):
            self.signals.case_selected.emit(case_id)

    @property
    def refdata(self):
        return self.cache.refdata()

    @property
    def actor(self):
        return self.session.actor

    def follow_city_zone(self) -> None:
        """Show every time in the city's zone (the reference data's calendar, the server's setting)."""
        refdata = self.cache.refdata()
        if refdata is not None:
            times.set_city_zone(refdata.policy.calendar.tz)

    def connect_core(self) -> None:
        """Adapt the cache's and sync engine's plain-Python events to the Qt signals (call once)."""
        self.follow_city_zone()
        self.signals.refdata_changed.connect(lambda _version: self.follow_city_zone())
        ev = self.cache.events
        ev.cases_changed.connect(self.signals.cases_changed.emit)
        ev.outbox_changed.connect(self.signals.outbox_changed.emit)
        ev.conflicts_changed.connect(self.signals.conflicts_changed.emit)
        ev.settings_changed.connect(self.signals.settings_changed.emit)
        ev.entities_changed.connect(self.signals.entities_changed.emit)
        ev.refdata_changed.connect(self.signals.refdata_changed.emit)
        if self.engine is not None:
            self.engine.events.state_changed.connect(self.signals.sync_state_changed.emit)
