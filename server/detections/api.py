"""HTTP endpoints: detections from video AI and drones (docs/detections.md).

Gateways post with `X-OneGrid-Ingest-Key` (the keys of `ONEGRID_INGEST_KEYS`, as sensor gateways) or an
admin's bearer token. The review queue, the frames and the rates are the command centre's (operator, shift
lead; admin for the reference tables); a unit handler gets 403. Confirming and rejecting are commands
(`POST /api/commands`, kind `detection`: `server.detections.commands`), not endpoints here.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from app.detections import rules
from app.metrics.detection_rates import FORMULA, false_positive_rates
from app.platform.enums import Role
from app.wire.detections import (
    DetectionIn,
    FrameAnswer,
    IngestAnswer,
    QueueAnswer,
    RatesAnswer,
    ReferenceAnswer,
    ReferenceBody,
)
from db.detections import DetectionFrameRow, DetectionRow
from server.detections import ingest, reference
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, bearer_scheme, responses
from server.platform.errors import ApiError
from server.platform.settings import parse_ingest_keys

router = APIRouter()

INGEST_KEY_HEADER = "X-OneGrid-Ingest-Key"
ingest_key_scheme = APIKeyHeader(name=INGEST_KEY_HEADER, scheme_name="IngestKey", auto_error=False,
                                 description="a gateway's key (server setting ONEGRID_INGEST_KEYS)")
DESK = (Role.OPERATOR, Role.SHIFT_LEAD)
QUEUE_MAX = 500


async def _gateway(request: Request, ctx) -> str:
    key = request.headers.get(INGEST_KEY_HEADER)
    if key is not None:
        offered = hashlib.sha256(key.encode()).digest()
        found = False
        for known in parse_ingest_keys(ctx.settings.ingest_keys):  # every key compared, in constant time
            found |= hmac.compare_digest(offered, hashlib.sha256(known.encode()).digest())
        if not found:
            raise ApiError(401, "invalid_ingest_key", f"the {INGEST_KEY_HEADER} header does not hold a configured key")
        return "gateway"
    if not request.headers.get("authorization"):
        raise ApiError(401, "missing_credentials",
                       f"send detections with an {INGEST_KEY_HEADER} header or an admin's bearer token")
    user = await ctx.user_for_token(auth.bearer_token(request))
    auth.require_role(user, Role.ADMIN)
    return user.username


@router.post("/api/detections", tags=["detections"], response_model=None,
             responses=responses((401, "missing_credentials, invalid_ingest_key, invalid_token or token_expired"),
                                 (403, "forbidden (a bearer token that is not an admin's)"),
                                 (409, "id_in_use"), *BODY, 503, ok=IngestAnswer))
async def post_detection(request: Request, body: DetectionIn, ctx: Ctx,
                         _key: Annotated[str | None, Security(ingest_key_scheme)],
                         _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
                         ) -> dict[str, Any]:
    """One detection → `{detection, duplicate}`; its `state` says what became of it (docs/detections.md).
    422 `unknown_camera`, `inactive_camera`, `wrong_source`, `unknown_type`, `bad_location`, `outside_city`,
    `future_time`, `too_old`, `bad_frame`; 413 `frame_too_large`."""
    await _gateway(request, ctx)
    # a frame is up to 2 MiB of base64 to decode: not on the event loop
    incoming = await run_in_threadpool(ingest.check, ctx, body) if body.frame is not None else ingest.check(ctx, body)
    writer = ctx.detection_writer
    if writer is None or not writer.running:  # detection_batch_ms = 0: in a transaction of its own
        return await run_in_threadpool(_one, ctx, incoming)
    return await asyncio.wrap_future(writer.submit(incoming))


def _one(ctx, incoming: ingest.Incoming) -> dict[str, Any]:
    (answer,) = ingest.receive_all(ctx, [incoming])
    if isinstance(answer, ApiError):
        raise answer
    return answer


@router.get("/api/detections", tags=["detections"], response_model=None,
            responses=responses(401, (403, "forbidden"), 422, 503, ok=QueueAnswer))
def list_detections(user: User, ctx: Ctx,
                    state: Annotated[str, Query(pattern="^(pending|confirmed|rejected|opened|joined|ignored)$")]
                    = rules.PENDING,
                    limit: Annotated[int, Query(ge=1, le=QUEUE_MAX)] = 200) -> dict[str, Any]:
    """The review queue (`state=pending`, oldest first) or the detections in another state (newest first),
    with the count of each state."""
    auth.require_role(user, *DESK)
    order = DetectionRow.detected_at.asc() if state == rules.PENDING else DetectionRow.detected_at.desc()
    with ctx.db.reader() as session:
        rows = session.execute(select(DetectionRow.data).where(DetectionRow.state == state).order_by(order)
                               .limit(limit)).scalars().all()
        counts = dict(session.execute(select(DetectionRow.state, func.count()).group_by(DetectionRow.state)).all())
    return {"detections": list(rows), "counts": {s: counts.get(s, 0) for s in rules.STATES}}


@router.get("/api/detections/rates", tags=["detections"], response_model=None,
            responses=responses(401, (403, "forbidden"), (400, "invalid_range"), 422, 503, ok=RatesAnswer))
def detection_rates(user: User, ctx: Ctx,
                    start: Annotated[datetime | None, Query(description="decided at ≥ start; default end - 30 days")]
                    = None,
                    end: Annotated[datetime | None, Query(description="decided at ≤ end; default now")] = None,
                    ) -> dict[str, Any]:
    """False-positive rates per camera and detection type (`app.metrics.detection_rates`)."""
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
    end = end or ctx.now()
    start = start or end - timedelta(days=30)
    if start.tzinfo is None or end.tzinfo is None:
        raise ApiError(400, "invalid_time", "start and end need a time zone")
    if start >= end:
        raise ApiError(400, "invalid_range", f"start {start.isoformat()} must be before end {end.isoformat()}")
    with ctx.db.reader() as session:
        decided = session.execute(select(DetectionRow.camera_id, DetectionRow.type_code, DetectionRow.state)
                                  .where(DetectionRow.decided_at >= start, DetectionRow.decided_at <= end)).all()
    return {"formula": FORMULA, "start": start.isoformat(), "end": end.isoformat(),
            "rates": [{"camera_id": r.camera_id, "type_code": r.type_code, "confirmed": r.confirmed,
                       "rejected": r.rejected, "value": r.value} for r in false_positive_rates(decided)]}


@router.get("/api/detections/reference", tags=["detections"], response_model=None,
            responses=responses(401, 503, ok=ReferenceAnswer))
def get_reference(user: User, ctx: Ctx) -> dict[str, Any]:
    with ctx.db.reader() as session:
        return reference.reference_data(session)


@router.put("/api/detections/reference", tags=["detections"], response_model=None,
            responses=responses(401, (403, "forbidden"), *BODY, 503, ok=ReferenceAnswer))
def put_reference(body: ReferenceBody, user: User, ctx: Ctx) -> dict[str, Any]:
    """Replace the cameras and detection types (admin). 422 `unknown_category` naming the type."""
    auth.require_role(user, Role.ADMIN)
    refdata = ctx.refdata
    for kind in body.types:
        try:
            refdata.category(kind.category_code)
        except Exception:
            raise ApiError(422, "unknown_category", f"types: {kind.code} maps to unknown category "
                                                    f"{kind.category_code!r}") from None
    if len({c.id for c in body.cameras}) != len(body.cameras) or len({t.code for t in body.types}) != len(body.types):
        raise ApiError(422, "duplicate_id", "cameras and types: each id and code once")
    with ctx.db.writer() as session, session.begin():
        reference.replace(session, body)
        data = reference.reference_data(session)
    ingest.forget_types()
    return data


@router.get("/api/detections/{detection_id}/frame", tags=["detections"], response_model=None,
            responses=responses(401, (403, "forbidden"), 404, 422, 503, ok=FrameAnswer))
def get_frame(detection_id: uuid.UUID, user: User, ctx: Ctx) -> dict[str, Any]:
    """The frame sent with a detection: `{content_type, data}` (base64), for the desk."""
    auth.require_role(user, *DESK, Role.ADMIN)
    with ctx.db.reader() as session:
        row = session.get(DetectionFrameRow, detection_id)
    if row is None:
        raise ApiError(404, "not_found", f"no frame stored for detection {detection_id}")
    return {"detection_id": str(detection_id), "content_type": row.content_type,
            "data": base64.b64encode(row.data).decode()}
