"""HTTP endpoints: Sensors, readings and alarms (docs/ARCHITECTURE.md, "Sensors and alarms").

A unit handler sees the sensors (and their alarms, readings, rejections) of its own unit's scope only,
like cases; a user assigned jurisdictions those lying in its streets (`app.platform.scope.sees_owned`). Gateway ingest is authenticated by `X-OneGrid-Ingest-Key` (keys from `ONEGRID_INGEST_KEYS`)
or an admin's bearer token.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from app.platform.edge_types import Text, check_time
from app.platform.enums import Role
from app.platform.scope import sees_owned
from app.refdata.errors import RefDataError
from app.wire.sensors import (
    AcknowledgeRequest,
    AlarmAnswer,
    AlarmsAnswer,
    ClearRequest,
    IngestAnswer,
    ReadingsAnswer,
    ReadingsBatch,
    RejectionsAnswer,
    SensorsAnswer,
)
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, bearer_scheme, responses
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.platform.scope import feed_units, may_see_sensor
from server.platform.settings import parse_ingest_keys
from server.sensors import alarms as sensor_alarms
from server.sensors import store as sensor_store
from server.sensors.states import state_data, state_row_data

log = logging.getLogger(__name__)

router = APIRouter()

INGEST_KEY_HEADER = "X-OneGrid-Ingest-Key"
# For the schema only (see server.platform.api_responses): `_ingest_actor` reads the header and refuses.
ingest_key_scheme = APIKeyHeader(name=INGEST_KEY_HEADER, scheme_name="IngestKey", auto_error=False,
                                 description="a gateway's key (server setting ONEGRID_INGEST_KEYS)")


def _visible_sensor_ids(user: AuthUser, refdata) -> list[str] | None:
    """None = every sensor (and unknown ids); else the ids of the user's scope (a unit handler's units, or
    its jurisdictions' streets)."""
    units = feed_units(user, refdata)  # once, not once per sensor
    if units is None:
        return None
    return [s.id for s in refdata.sensors if sees_owned(units, s.owner_unit_id, s.jurisdiction)]


def _out_of_scope(user: AuthUser, sensor_id: str) -> ApiError:
    # Names the caller only: whose sensor it is, or where it lies, is what the caller may not read.
    return ApiError(403, "out_of_scope", f"sensor {sensor_id} is not in the scope of {user.role} '{user.username}'")


def _sensor_in_scope(user: AuthUser, sensor_id: str, refdata):
    try:
        sensor = refdata.sensor(sensor_id)
    except RefDataError:
        raise ApiError(404, "not_found", f"no sensor {sensor_id!r}") from None
    if not may_see_sensor(user, sensor, refdata):
        raise _out_of_scope(user, sensor_id)
    return sensor


@router.get("/api/sensors", tags=["sensors"], response_model=None, responses=responses(401, 503, ok=SensorsAnswer))
def list_sensors(user: User, ctx: Ctx) -> dict[str, Any]:
    """Every sensor's latest state (the feed's kind `sensor` data); `unknown` for one never heard from."""
    refdata = ctx.refdata
    visible = _visible_sensor_ids(user, refdata)
    visible = set(visible) if visible is not None else None
    with ctx.db.reader() as session:
        rows = sensor_store.state_rows(session)
    now = ctx.now()
    out = []
    for sensor in refdata.sensors:
        if visible is not None and sensor.id not in visible:
            continue
        row = rows.get(sensor.id)
        out.append(state_row_data(row, sensor.owner_unit_id, sensor.jurisdiction) if row is not None
                   else state_data(sensor.id, None, None, 0, "unknown", None, 0, now, sensor.owner_unit_id,
                                   sensor.jurisdiction))
    return {"sensors": out}


@router.get("/api/sensors/rejections", tags=["sensors"], response_model=None,
            responses=responses(401, 503, ok=RejectionsAnswer))
def list_rejections(user: User, ctx: Ctx) -> dict[str, Any]:
    visible = _visible_sensor_ids(user, ctx.refdata)
    with ctx.db.reader() as session:
        return {"rejections": sensor_store.rejections(session, visible)}


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "invalid_time", f"{name} {value!r} is not ISO-8601") from None
    try:
        return check_time(parsed)  # an offset and years 1970-2999: the range arithmetic cannot overflow
    except ValueError as exc:
        raise ApiError(400, "invalid_time", f"{name} {value!r} {exc}") from None


@router.get("/api/sensors/{sensor_id}/readings", tags=["sensors"], response_model=None,
            responses=responses((400, "invalid_time, invalid_range, range_too_long"), 401, (403, "out_of_scope"),
                                404, 422, 503, ok=ReadingsAnswer))
def get_readings(
    sensor_id: Annotated[Text, Path()], user: User, ctx: Ctx,
    start: Annotated[str | None, Query(description="ISO-8601 with zone; default end - 24 h")] = None,
    end: Annotated[str | None, Query(description="ISO-8601 with zone; default now")] = None,
    resolution: Annotated[Literal["auto", "raw", "minute"], Query()] = "auto",
) -> dict[str, Any]:
    """Plot arrays (epoch seconds): raw readings up to 6 h with `auto`, per-minute aggregates (mean,
    min, max) beyond."""
    _sensor_in_scope(user, sensor_id, ctx.refdata)
    end_t = _when(end, "end") or ctx.now()
    start_t = _when(start, "start") or end_t - timedelta(hours=24)
    if start_t >= end_t:
        raise ApiError(400, "invalid_range", f"start {start_t.isoformat()} must be before end {end_t.isoformat()}")
    if end_t - start_t > sensor_store.HISTORY_MAX:
        raise ApiError(400, "range_too_long", f"at most {sensor_store.HISTORY_MAX.days} days per request")
    if resolution == "raw" and end_t - start_t > sensor_store.RAW_MAX:
        raise ApiError(400, "range_too_long", f"raw readings are served for at most "
                                              f"{sensor_store.RAW_MAX.total_seconds() / 3600:g} h; use resolution=minute")
    with ctx.db.reader() as session:
        return sensor_store.history(session, sensor_id, start_t, end_t, resolution)


@router.get("/api/alarms", tags=["alarms"], response_model=None,
            responses=responses(401, (403, "out_of_scope"), 422, 503, ok=AlarmsAnswer))
def list_alarms(
    user: User, ctx: Ctx,
    active: Annotated[bool | None, Query(description="true: not cleared; false: cleared; absent: all")] = None,
    sensor_id: Annotated[Text | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    """Alarms, newest first."""
    visible = _visible_sensor_ids(user, ctx.refdata)
    if sensor_id is not None:
        if visible is not None and sensor_id not in visible:
            raise _out_of_scope(user, sensor_id)
        visible = [sensor_id]
    with ctx.db.reader() as session:
        return {"alarms": sensor_store.alarms(session, active=active, sensor_ids=visible, limit=limit)}


@router.post("/api/alarms/{alarm_id}/acknowledge", tags=["alarms"], response_model=None,
             responses=responses(401, 403, 404, (409, "wrong_state (already cleared)"), *BODY, 503, ok=AlarmAnswer))
def acknowledge_alarm(alarm_id: uuid.UUID, body: AcknowledgeRequest, user: User, ctx: Ctx) -> dict[str, Any]:
    return sensor_alarms.acknowledge(ctx, alarm_id, user, body.note)


@router.post("/api/alarms/{alarm_id}/clear", tags=["alarms"], response_model=None,
             responses=responses(401, 403, 404, (409, "wrong_state (already cleared)"), *BODY, 503, ok=AlarmAnswer))
def clear_alarm(alarm_id: uuid.UUID, body: ClearRequest, user: User, ctx: Ctx) -> dict[str, Any]:
    return sensor_alarms.clear(ctx, alarm_id, user, body.reason)


@functools.lru_cache(maxsize=8)
def _key_digests(ingest_keys: str) -> tuple[bytes, ...]:
    """The digests of the configured keys (`settings.ingest_keys`), worked out once, not per request."""
    return tuple(hashlib.sha256(k.encode()).digest() for k in parse_ingest_keys(ingest_keys))


def _known_key(key: str, digests: tuple[bytes, ...]) -> bool:
    offered = hashlib.sha256(key.encode()).digest()
    found = False
    for known in digests:
        found |= hmac.compare_digest(offered, known)
    return found


async def _ingest_actor(request: Request, ctx) -> tuple[str, str]:
    key = request.headers.get(INGEST_KEY_HEADER)
    if key is not None:
        # Every configured key compared in constant time: how long a refusal takes says nothing of the keys.
        if not _known_key(key, _key_digests(ctx.settings.ingest_keys)):
            raise ApiError(401, "invalid_ingest_key", f"the {INGEST_KEY_HEADER} header does not hold a configured key")
        return f"gateway:{hashlib.sha256(key.encode()).hexdigest()[:12]}", "gateway"
    if not request.headers.get("authorization"):
        raise ApiError(401, "missing_credentials",
                       f"send readings with an {INGEST_KEY_HEADER} header or an admin's bearer token")
    user = await ctx.user_for_token(auth.bearer_token(request))  # the token cache, as every endpoint
    auth.require_role(user, Role.ADMIN)
    return user.username, str(user.role)


@router.post("/api/sensors/readings", tags=["sensors"], response_model=None,
             responses=responses((401, "missing_credentials, invalid_ingest_key, invalid_token or token_expired"),
                                 (403, "forbidden (a bearer token that is not an admin's)"), *BODY,
                                 (503, "ingest_unavailable, database_unavailable"), ok=IngestAnswer))
async def post_readings(request: Request, body: ReadingsBatch, ctx: Ctx,
                        _key: Annotated[str | None, Security(ingest_key_scheme)],
                        _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
                        ) -> dict[str, Any]:
    """Gateway batch ingest (≤ 5000): `{accepted, duplicates, rejected: [{index, sensor_id, reason, message}]}`."""
    actor = await _ingest_actor(request, ctx)
    ingest = ctx.sensor_ingest
    if ingest is None:
        raise ApiError(503, "ingest_unavailable", "sensor ingest is not running on this server")
    outcome = await run_in_threadpool(ingest.ingest, body.readings, source="http", actor=actor)
    return outcome.to_dict()
