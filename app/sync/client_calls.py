"""The console's calls of the features beside the case loop and the feed (cases looked up, sensors and
alarms, vehicles' tracks, shifts and handovers, the audit trail, figures, the base map, health): a part of
`app.sync.client.ServerClient` (which it is mixed into: each call is one `_request` and one `_parse`, so they
fail as every other call does: ServerUnreachable, AuthExpired, ServerRefused)."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

from pydantic import BaseModel

from app.cases.case import Case
from app.wire.platform import Health

if TYPE_CHECKING:  # each call imports its own answers: they (numpy with the sensors') load after the login
    from app.metrics.figures import Report
    from app.wire.audit import AuditPage
    from app.wire.avl import TrackAnswer
    from app.wire.lookup import CaseSearchAnswer
    from app.wire.map import BaseMapAnswer
    from app.wire.sensors import AlarmAnswer, ReadingsAnswer, SensorStateAnswer
    from app.wire.shifts import (
        HandoverAnswer,
        OutagesAnswer,
        ScheduleAnswer,
        SettingAnswer,
        ShiftAnswer,
        ShiftsAnswer,
    )

log = logging.getLogger(__name__)


def request_body(model: type[BaseModel], **fields: Any) -> dict[str, Any]:
    """The JSON body of request `model` with `fields` (the others left to the server's defaults). Not
    validated here: the server judges every request, and its refusal names the field (ServerRefused), the
    same for this console as for any other caller."""
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    return model.model_construct(**fields).model_dump(mode="json", exclude_unset=True, warnings=False)


class FeatureCalls:
    """Mixed into ServerClient; expects its `_request` and `_parse`."""

    def case(self, case_id: UUID) -> Case:
        """The server's current state of one case (within the user's scope)."""
        return self._parse(Case, self._request("GET", f"/api/cases/{case_id}"))

    def search_cases(self, query: str, limit: int = 30) -> CaseSearchAnswer:
        """The server's cases (within the user's scope) matching `query`, as the cache's lookup ranks them:
        for the cases this console does not hold."""
        from app.wire.lookup import MAX_QUERY, CaseSearchAnswer

        return self._parse(CaseSearchAnswer, self._request("GET", "/api/search/cases",
                                                           params={"q": query[:MAX_QUERY], "limit": limit}))

    def set_emergency_mode(self, on: bool, reason: str) -> SettingAnswer:
        """Switch emergency mode (shift_lead only); the setting reaches every console through the feed."""
        from app.wire.shifts import EmergencyModeRequest, SettingAnswer

        return self._parse(SettingAnswer, self._request("PUT", "/api/settings/emergency_mode",
                                                        json=request_body(EmergencyModeRequest, on=on, reason=reason)))

    # ------------------------------------------------------------------ sensors and alarms

    def sensors(self) -> list[SensorStateAnswer]:
        """Every sensor's latest state in the user's scope (`GET /api/sensors`)."""
        from app.wire.sensors import SensorsAnswer

        return self._parse(SensorsAnswer, self._request("GET", "/api/sensors")).sensors

    def sensor_readings(self, sensor_id: str, start: datetime, end: datetime,
                        resolution: str = "auto") -> ReadingsAnswer:
        """One sensor's readings in [start, end] (`GET /api/sensors/{id}/readings`): `{sensor_id,
        resolution, times, values, min, max}`, times in epoch seconds; `auto` gives raw readings up to
        6 h and per-minute aggregates beyond."""
        from app.wire.sensors import ReadingsAnswer

        if resolution not in ("auto", "raw", "minute"):
            raise ValueError(f"resolution must be auto, raw or minute, not {resolution!r}")
        params = {"start": start.isoformat(), "end": end.isoformat(), "resolution": resolution}
        return self._parse(ReadingsAnswer, self._request("GET", f"/api/sensors/{quote(sensor_id, safe='')}/readings",
                                                         params=params))

    def device_track(self, device_id: str, start: datetime, end: datetime) -> TrackAnswer:
        """A device's raw track in [start, end) for replay (`GET /api/devices/{id}/track`), oldest first."""
        from app.wire.avl import TrackAnswer

        params = {"start": start.isoformat(), "end": end.isoformat()}
        return self._parse(TrackAnswer, self._request("GET", f"/api/devices/{quote(device_id, safe='')}/track",
                                                      params=params))

    def alarms(self, *, active: bool | None = None, sensor_id: str | None = None,
               limit: int | None = None) -> list[AlarmAnswer]:
        """Alarms in the user's scope (`GET /api/alarms`), newest first."""
        from app.wire.sensors import AlarmsAnswer

        params: dict[str, Any] = {}
        if active is not None:
            params["active"] = "true" if active else "false"
        if sensor_id is not None:
            params["sensor_id"] = sensor_id
        if limit is not None:
            params["limit"] = int(limit)
        return self._parse(AlarmsAnswer, self._request("GET", "/api/alarms", params=params)).alarms

    def acknowledge_alarm(self, alarm_id: str, note: str | None = None) -> AlarmAnswer:
        """Acknowledge an alarm; returns the server's alarm. 409 `wrong_state` (cleared already), 403, 404
        arrive as ServerRefused."""
        from app.wire.sensors import AcknowledgeRequest, AlarmAnswer

        return self._parse(AlarmAnswer, self._request("POST", f"/api/alarms/{quote(str(alarm_id), safe='')}/acknowledge",
                                                      json=request_body(AcknowledgeRequest, note=note or None)))

    def clear_alarm(self, alarm_id: str, reason: str) -> AlarmAnswer:
        """Clear an alarm by hand with a reason (shift lead, or the owner unit's handler)."""
        from app.wire.sensors import AlarmAnswer, ClearRequest

        return self._parse(AlarmAnswer, self._request("POST", f"/api/alarms/{quote(str(alarm_id), safe='')}/clear",
                                                      json=request_body(ClearRequest, reason=reason)))

    # ---- shifts and handovers ----

    def report_outages(self, console_id: str, outages: Sequence[dict[str, Any]]) -> OutagesAnswer:
        """This console's closed offline periods (idempotent by outage id)."""
        from app.wire.shifts import OutagesAnswer, OutagesRequest

        return self._parse(OutagesAnswer, self._request("POST", "/api/console-outages", json=request_body(
            OutagesRequest, console_id=console_id, outages=list(outages))))

    def shifts(self, limit: int = 50) -> ShiftsAnswer:
        """The open shift (`current`, or None) and the latest shifts."""
        from app.wire.shifts import ShiftsAnswer

        return self._parse(ShiftsAnswer, self._request("GET", "/api/shifts", params={"limit": limit}))

    def shift_schedule(self) -> ScheduleAnswer:
        from app.wire.shifts import ScheduleAnswer

        return self._parse(ScheduleAnswer, self._request("GET", "/api/shifts/schedule"))

    def open_shift(self, on_duty: Sequence[str] = (), name: str | None = None) -> ShiftAnswer:
        from app.wire.shifts import OpenShiftRequest, ShiftAnswer

        body = request_body(OpenShiftRequest, on_duty=list(on_duty), **({"name": name} if name else {}))
        return self._parse(ShiftAnswer, self._request("POST", "/api/shifts", json=body))

    def close_shift(self, shift_id: str | UUID, notes: str = "") -> HandoverAnswer:
        """Close the shift; answers its drafted handover report."""
        from app.wire.shifts import CloseShiftRequest, HandoverAnswer

        return self._parse(HandoverAnswer, self._request("POST", f"/api/shifts/{shift_id}/close",
                                                         json=request_body(CloseShiftRequest, notes=notes)))

    # ------------------------------------------------------------------ audit trail

    def audit(self, *, before: int | None = None, limit: int = 200, **filters: Any) -> AuditPage:
        """One page of the server's audit trail, newest first (`GET /api/audit`, shift_lead and admin). `filters`: start, end (ISO text), actor, action,
        entity_kind, entity_id, console_id, result, offline ("true"/"false"); pass `before=next_before`
        for the next page."""
        from app.wire.audit import AuditPage

        params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        if before is not None:
            params["before"] = int(before)
        params["limit"] = int(limit)
        return self._parse(AuditPage, self._request("GET", "/api/audit", params=params))

    # ------------------------------------------------------------------ performance metrics

    def metrics(self, start: date, end: date, unit_id: str | None = None, rollup: bool = True,
                jurisdiction: str | None = None) -> Report:
        """The performance report (`GET /api/metrics`) for local days [start, end] and a unit (None:
        city-wide), of the cases that lie in `jurisdiction` (None: the caller's); shift leads and admins only
        (403 arrives as ServerRefused)."""
        from app.metrics.figures import Report

        params = {"start": start.isoformat(), "end": end.isoformat(), "rollup": "true" if rollup else "false"}
        if unit_id:
            params["unit"] = unit_id
        if jurisdiction:
            params["jurisdiction"] = jurisdiction
        return self._parse(Report, self._request("GET", "/api/metrics", params=params))

    def basemap(self) -> BaseMapAnswer | None:
        """The base map the server serves, or None when it has none."""
        from app.wire.map import BaseMapAnswer

        response = self._request("GET", "/api/basemap", accept_status=(404,))
        return None if response.status_code == 404 else self._parse(BaseMapAnswer, response)

    def basemap_tile(self, z: int, x: int, y: int) -> bytes | None:
        """One base-map tile's image, or None when the package has no tile there."""
        response = self._request("GET", f"/api/basemap/tiles/{z}/{x}/{y}", accept_status=(404,),
                                 timeout=(3.05, 10), retry=False)
        return None if response.status_code == 404 else response.content

    def healthz(self) -> Health:
        """The server's health; an unreachable database is an answer too (503 with its reason)."""
        response = self._request("GET", "/healthz", authenticated=False, accept_status=(503,))
        return self._parse(Health, response)

    # ------------------------------------------------------------------ plumbing
