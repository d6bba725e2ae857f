"""HTTP endpoints: vehicles and field staff (docs/avl.md).

Reports come in from gateways (`X-OneGrid-Ingest-Key`, like sensor readings) or an admin's token; the
latest positions, a device's track and the refusals are read by any user within their scope (a unit
handler: its own unit's devices and those below it, as for sensors).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from app.avl.positions import Position, feed_data
from app.platform.edge_types import Text, check_time
from app.platform.scope import sees
from app.wire.avl import (
    PositionRejectionsAnswer,
    PositionsAnswer,
    PositionsBatch,
    PositionsIngestAnswer,
    TrackAnswer,
)
from server.avl import store
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, bearer_scheme, responses
from server.platform.errors import ApiError
from server.platform.scope import visible_units
from server.sensors.api import _ingest_actor, ingest_key_scheme

log = logging.getLogger(__name__)

router = APIRouter()


def _ingest(ctx):
    ingest = getattr(ctx, "position_ingest", None)
    if ingest is None:
        raise ApiError(503, "ingest_unavailable", "position ingest is not running on this server")
    return ingest


@router.post("/api/positions", tags=["avl"], response_model=None,
             responses=responses((401, "missing_credentials, invalid_ingest_key, invalid_token or token_expired"),
                                 (403, "forbidden (a bearer token that is not an admin's)"), *BODY,
                                 (503, "ingest_unavailable, database_unavailable"), ok=PositionsIngestAnswer))
async def post_positions(request: Request, body: PositionsBatch, ctx: Ctx,
                         _key: Annotated[str | None, Security(ingest_key_scheme)],
                         _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
                         ) -> dict[str, Any]:
    """Gateway batch ingest (≤ 5000): `{accepted, duplicates, rejected: [{index, device_id, reason, message}]}`."""
    await _ingest_actor(request, ctx)
    ingest = _ingest(ctx)
    outcome = await run_in_threadpool(ingest.ingest, body.positions, source="http")
    return outcome.to_dict()


@router.get("/api/positions", tags=["avl"], response_model=None, responses=responses(401, 503, ok=PositionsAnswer))
def list_positions(user: User, ctx: Ctx) -> dict[str, Any]:
    """Every device's latest position the caller may see."""
    units = visible_units(user, ctx.refdata)
    with ctx.db.reader() as session:
        devices = store.load_devices(session)
        rows = store.latest_rows(session)
    out = []
    for row in rows:
        device = devices.get(row.device_id)
        if device is None or not sees(units, device.unit_id):
            continue
        out.append(feed_data(device, Position(row.device_id, row.time, row.lat, row.lon, row.speed_kmh, row.heading)))
    return {"positions": out}


@router.get("/api/positions/rejections", tags=["avl"], response_model=None,
            responses=responses(401, 503, ok=PositionRejectionsAnswer))
def list_rejections(user: User, ctx: Ctx) -> dict[str, Any]:
    units = visible_units(user, ctx.refdata)
    with ctx.db.reader() as session:
        ids = None
        if units is not None:
            ids = [d.id for d in store.load_devices(session).values() if sees(units, d.unit_id)]
        return {"rejections": store.rejections(session, ids)}


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return check_time(datetime.fromisoformat(value))
    except ValueError as exc:
        raise ApiError(400, "invalid_time", f"{name} {value[:40]!r}: {exc}") from None


@router.get("/api/devices/{device_id}/track", tags=["avl"], response_model=None,
            responses=responses((400, "invalid_time, invalid_range, range_too_long"), 401, (403, "out_of_scope"),
                                404, 422, 503, ok=TrackAnswer))
def get_track(device_id: Annotated[Text, Path(max_length=64)], user: User, ctx: Ctx,
              start: Annotated[str | None, Query(description="ISO-8601 with zone; default end - 1 h")] = None,
              end: Annotated[str | None, Query(description="ISO-8601 with zone; default now")] = None,
              ) -> dict[str, Any]:
    """A device's raw track in [start, end) for replay, oldest first (at most 24 h per request)."""
    with ctx.db.reader() as session:
        device = store.load_devices(session).get(device_id)
        if device is None:
            raise ApiError(404, "not_found", f"no device {device_id!r}")
        if not sees(visible_units(user, ctx.refdata), device.unit_id):
            raise ApiError(403, "out_of_scope", f"device {device_id} is not in the scope of unit "
                                                f"'{user.unit_id}'")
        end_t = _when(end, "end") or ctx.now()
        start_t = _when(start, "start") or end_t - timedelta(hours=1)
        if start_t >= end_t:
            raise ApiError(400, "invalid_range", "start must be before end")
        if end_t - start_t > store.TRACK_MAX:
            raise ApiError(400, "range_too_long", f"at most {store.TRACK_MAX.total_seconds() / 3600:g} h per request")
        points = store.track(session, device_id, start_t, end_t)
    return {"device_id": device_id, "start": start_t.isoformat(), "end": end_t.isoformat(), "points": points}
