"""Endpoints for the people and tools that run the server: `GET /readyz` (is this process ready to serve?)
and `GET /metrics` (Prometheus). `GET /healthz` (liveness: the process answers and its database does) is
in `server.platform.api`.

`/readyz` answers 200 only when every part a console depends on is up, else 503 naming each part that is
down, so a load balancer takes the process out of rotation and an operator sees why:

| check | ok when |
|---|---|
| database | a trivial query answers |
| listen | PostgreSQL: the feed's LISTEN connection is up (long-polls of other processes' commits wake); SQLite: not used |
| mqtt | `ONEGRID_MQTT_URL` set: connected to the broker; unset: not configured |
| migrations | the database's alembic revision is the newest this server knows |

`/metrics` is readable from the networks in `ONEGRID_METRICS_ALLOW` (loopback by default) or, from
anywhere, with `Authorization: Bearer <ONEGRID_METRICS_TOKEN>`; anything else gets 403.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import lru_cache
from typing import Any, Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from server.platform.api import Ctx
from server.platform.api_responses import responses
from server.platform.database import alembic_config
from server.platform.errors import ApiError
from server.platform.prometheus import CONTENT_TYPE
from server.platform.settings import parse_networks

log = logging.getLogger(__name__)

router = APIRouter()

OK = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    checks: dict[str, str] = Field(description="each part (database, listen, mqtt, migrations): 'ok', "
                                               "'not used', 'not configured', or why it is down")
    down: list[str] = Field(description="the parts that are down (empty when ready)")


@lru_cache(maxsize=1)
def newest_revisions() -> frozenset[str]:
    """The migrations' heads this server ships (they do not change while it runs)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def readiness(ctx) -> dict[str, Any]:
    checks: dict[str, str] = {}
    down: list[str] = []
    try:
        with ctx.db.engine.connect() as conn:
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
        checks["database"] = OK
    except Exception as exc:  # noqa: BLE001 - any failure to answer is "down", said with its reason
        checks["database"] = f"unreachable: {_first_line(exc)}"
        current = None
    if current is None:
        checks["migrations"] = "not checked: the database is unreachable"
    elif current == newest_revisions():
        checks["migrations"] = OK
    else:
        checks["migrations"] = (f"the database is at {', '.join(sorted(current)) or 'no revision'}, the newest is "
                                f"{', '.join(sorted(newest_revisions()))}: run onegrid-ctl migrate")
    if ctx.db.is_postgres:
        checks["listen"] = OK if ctx.notifier.listening else "the LISTEN connection for feed wake-ups is down"
    else:
        checks["listen"] = "not used"
    if ctx.settings.mqtt_url:
        subscriber = getattr(ctx.sensor_ingest, "mqtt", None)
        connected = getattr(subscriber, "connected", None)
        checks["mqtt"] = OK if connected is not None and connected.is_set() else "not connected to the broker"
    else:
        checks["mqtt"] = "not configured"
    down = [name for name, text in checks.items() if text not in (OK, "not used", "not configured")]
    return {"status": "unavailable" if down else "ready", "checks": checks, "down": down}


@router.get("/readyz", tags=["ops"], response_model=Readiness,
            responses={503: {"model": Readiness, "description": "a part is down: `down` names it"}})
def readyz(ctx: Ctx) -> Any:
    """Readiness: 200 when the database, the feed's LISTEN connection, the MQTT broker (when configured)
    and the schema's migrations are all as they must be; 503 naming the parts that are not."""
    answer = readiness(ctx)
    if answer["down"]:
        log.warning("not ready: %s", "; ".join(f"{name}: {answer['checks'][name]}" for name in answer["down"]))
        return JSONResponse(answer, status_code=503)
    return answer


def may_read_metrics(request: Request, settings) -> bool:
    token = settings.metrics_token
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
            return True
    host = request.client.host if request.client else None
    try:
        address = ipaddress.ip_address(host) if host else None
    except ValueError:  # not an IP address (e.g. a Unix socket peer)
        return False
    return address is not None and any(address in network for network in parse_networks(settings.metrics_allow))


@router.get("/metrics", tags=["ops"], response_class=Response,
            responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
                             "description": "Prometheus text format (version 0.0.4)"},
                       **responses((403, "forbidden: neither from a network in ONEGRID_METRICS_ALLOW nor with "
                                         "ONEGRID_METRICS_TOKEN"))})
def metrics(request: Request, ctx: Ctx) -> Response:
    """This process's metrics for Prometheus (`server.platform.prometheus` lists them)."""
    if not may_read_metrics(request, ctx.settings):
        raise ApiError(403, "forbidden", "metrics are readable only from the networks in ONEGRID_METRICS_ALLOW "
                                         "or with the token in ONEGRID_METRICS_TOKEN")
    return Response(ctx.metrics.render(), media_type=CONTENT_TYPE)
