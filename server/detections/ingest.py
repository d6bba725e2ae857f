"""Receiving a detection (`POST /api/detections`): checked, decided by its type's rules
(`app.detections.rules.decide`) under its camera's row lock, stored with its frame and put in the feed
(kind `detection`, seen by the desk: no unit scope); a detection that opens a case creates it afterwards
through the one command path (`server.cases.commands.apply_command`, as the automatic desk user
`system:detections`), so the case gets the repeat check, the ledger, the feed and the audit like any other.

Idempotent by the gateway's detection id: a retry is answered with the stored detection (`duplicate`), and
a detection stored as `opened` whose case is missing (the server stopped between the two) gets it then.
"""
from __future__ import annotations

import base64
import binascii
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.commands import Command, CommandBatch
from app.detections import rules
from app.detections.review import case_payload
from app.platform.enums import Action, Role
from app.wire.detections import FRAME_MAX_BYTES, DetectionIn
from db.detections import (
    DetectionCameraRow,
    DetectionFrameRow,
    DetectionRow,
    DetectionTypeRow,
)
from server.cases.commands import apply_batch, system_command_id
from server.detections import nearby
from server.detections.data import DETECTION, detection_data
from server.feed.record import record_changes
from server.platform.auth import AuthUser
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

DETECTION_DESK = AuthUser("system:detections", "Video AI and drone detections (automatic)", Role.OPERATOR)
FUTURE_S = 300        # a detection further ahead of the server's clock is refused
MAX_AGE = timedelta(days=7)
_IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def decode_frame(text: str) -> tuple[bytes, str]:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "bad_frame", "frame: not base64") from None
    if len(data) > FRAME_MAX_BYTES:
        raise ApiError(413, "frame_too_large", f"frame: {len(data)} bytes; at most {FRAME_MAX_BYTES} are taken")
    for magic, content_type in _IMAGE_TYPES:
        if data.startswith(magic):
            return data, content_type
    raise ApiError(422, "bad_frame", "frame: neither a JPEG nor a PNG image")


@dataclass(frozen=True)
class Incoming:
    """A detection as checked on its own, before the database is asked anything."""

    body: DetectionIn
    det_id: uuid.UUID
    frame: tuple[bytes, str] | None
    now: datetime


def check(ctx, body: DetectionIn) -> Incoming:
    """The checks that need no database (frame, time, place given); ApiError (4xx) naming what is wrong."""
    now = ctx.now()
    frame = decode_frame(body.frame) if body.frame is not None else None
    if body.time > now + timedelta(seconds=FUTURE_S):
        raise ApiError(422, "future_time", f"time: {body.time.isoformat()} is ahead of the server's clock "
                                           f"({now.isoformat()}) by more than {FUTURE_S} s")
    if body.time < now - MAX_AGE:
        raise ApiError(422, "too_old", f"time: {body.time.isoformat()} is more than {MAX_AGE.days} days ago")
    if (body.lat is None) != (body.lon is None):
        raise ApiError(422, "bad_location", "lat and lon: send both or neither")
    if frame is not None and body.frame_url is not None:
        raise ApiError(422, "bad_frame", "frame and frame_url: send one or the other")
    return Incoming(body, body.id or uuid.uuid4(), frame, now)


def receive(ctx, body: DetectionIn) -> dict:
    """The stored detection's answer `{detection, duplicate}`, in a transaction of its own; ApiError (4xx)
    naming what is wrong."""
    (answer,) = receive_all(ctx, [check(ctx, body)])
    if isinstance(answer, ApiError):
        raise answer
    return answer


def receive_all(ctx, incoming: list[Incoming]) -> list[dict | ApiError]:
    """Each detection's answer `{detection, duplicate}` or its ApiError, in order: all decided and stored
    in **one transaction** (the cameras locked in id order, so two processes' batches never deadlock; each
    detection sees those before it in the batch), their feed changes written last in one step; then the
    cases of those that open one, created together through the command path. A detection refused (4xx)
    writes nothing and does not stop the others."""
    refdata = ctx.refdata
    answers: list[dict | ApiError | None] = [None] * len(incoming)
    duplicates: dict[int, DetectionRow | uuid.UUID] = {}
    with ctx.db.writer() as session, session.begin():
        kinds = _types(session)  # first: it may expunge the session's objects
        asked = [i.det_id for i in incoming if i.body.id is not None]
        stored = {r.id: r for r in session.execute(select(DetectionRow).where(DetectionRow.id.in_(asked)))
                  .scalars()} if asked else {}
        names = sorted({i.body.camera_id for i in incoming})
        cameras = {c.id: c for c in session.execute(select(DetectionCameraRow).where(DetectionCameraRow.id.in_(names))
                                                    .order_by(DetectionCameraRow.id).with_for_update()).scalars()}
        changes: list[tuple[str, str, dict | None]] = []
        mine: dict[uuid.UUID, int] = {}  # ids stored by this batch: a second copy is a retry of the first
        batch = Batch()
        resolved: dict[int, Resolved] = {}
        for n, inc in enumerate(incoming):
            if inc.det_id in stored or inc.det_id in mine:
                duplicates[n] = stored.get(inc.det_id) or inc.det_id
                continue
            try:
                resolved[n] = _resolve(inc, cameras, kinds, refdata)
            except ApiError as exc:
                answers[n] = exc
                continue
            mine[inc.det_id] = n
        # what the batch's rules need, read for all of it at once (server.detections.nearby)
        wanted: dict[tuple[str, str], datetime] = {}
        for n, r in resolved.items():
            key = (r.camera.id, r.kind.code)
            since = nearby.quiet_since(incoming[n].body.time, r.kind.quiet_period_s)
            wanted[key] = min(wanted.get(key, since), since)
        latest = nearby.latest_live(session, wanted)
        found = nearby.masters(session, [nearby.Place(incoming[n].det_id, r.kind.category_code, r.lat, r.lon,
                                                      incoming[n].now) for n, r in resolved.items()], refdata)
        batch.latest.update(latest)
        with session.no_autoflush:  # the rows are written together below; `batch` stands in for them
            for n, r in resolved.items():
                row = _store(session, incoming[n], r, found.get(incoming[n].det_id), changes, batch)
                answers[n] = {"detection": row.data, "duplicate": False}
        session.flush()  # the detections (one multi-row insert), then their frames, which refer to them
        session.add_all(batch.frames)
        session.flush()
        record_changes(session, changes)  # last (server.feed.record)
    for n, earlier in duplicates.items():
        inc = incoming[n]
        if isinstance(earlier, uuid.UUID):  # its first copy in this batch, stored just now
            first = incoming[mine[earlier]]
            source, camera_id, data = first.body.source, first.body.camera_id, answers[mine[earlier]]["detection"]
        else:
            source, camera_id, data = earlier.source, earlier.camera_id, earlier.data
        if source != inc.body.source or camera_id != inc.body.camera_id:
            answers[n] = ApiError(409, "id_in_use", f"id: detection {inc.det_id} was received from another camera")
        else:
            answers[n] = {"detection": data, "duplicate": True}
    opened = {a["detection"]["id"]: a["detection"] for a in answers
              if isinstance(a, dict) and a["detection"]["state"] == rules.OPENED}
    if opened:
        reverted = _open_cases(ctx, list(opened.values()))
        for a in answers:
            if isinstance(a, dict) and a["detection"]["id"] in reverted:
                a["detection"] = reverted[a["detection"]["id"]]
    return answers  # type: ignore[return-value]


@dataclass
class Batch:
    """What a batch has decided so far and not yet written: the latest live detection of each (camera,
    type), which a later one of the batch may repeat, and the frames to add after the rows."""

    latest: dict[tuple[str, str], rules.Earlier] = field(default_factory=dict)
    frames: list[DetectionFrameRow] = field(default_factory=list)
    rows: dict[uuid.UUID, DetectionRow] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolved:
    """A detection's camera, type and place, checked against the reference tables."""

    camera: DetectionCameraRow
    kind: DetectionTypeRow
    lat: float
    lon: float


def _resolve(inc: Incoming, cameras: dict[str, DetectionCameraRow], kinds: dict[str, DetectionTypeRow],
             refdata) -> Resolved:
    body = inc.body
    camera = cameras.get(body.camera_id)  # locked by the caller: one camera's detections one at a time
    if camera is None:
        raise ApiError(422, "unknown_camera", f"camera_id: no camera or drone {body.camera_id!r} in the reference data")
    if not camera.active:
        raise ApiError(422, "inactive_camera", f"camera_id: {body.camera_id} is switched off in the reference data")
    if camera.kind != body.source:
        raise ApiError(422, "wrong_source", f"source: {body.camera_id} is a {camera.kind} source, not {body.source}")
    kind = kinds.get(body.type)
    if kind is None:
        raise ApiError(422, "unknown_type", f"type: no detection type {body.type!r} in the reference data")
    lat, lon = (body.lat, body.lon) if body.lat is not None else (camera.lat, camera.lon)
    if lat is None or lon is None:
        raise ApiError(422, "bad_location", f"lat and lon: {body.camera_id} has no known place; send where it was seen")
    if refdata.grid_at(lat, lon) is None:
        raise ApiError(422, "outside_city", f"lat/lon: ({lat}, {lon}) is in no grid of the city")
    return Resolved(camera, kind, lat, lon)


def _store(session: Session, inc: Incoming, r: Resolved, master, changes: list, batch: Batch) -> DetectionRow:
    """Decide (`rules.decide`: the latest live detection of its camera and type is in `batch.latest`, the
    open case it repeats is `master`) and add the row, its frame and its feed changes."""
    body, det_id, frame, now = inc.body, inc.det_id, inc.frame, inc.now
    camera, kind, lat, lon = r.camera, r.kind, r.lat, r.lon
    earlier = batch.latest.get((camera.id, kind.code))
    outcome = rules.decide(rules_type(kind), body.confidence, body.time, earlier,
                           master.master.case_id if master is not None else None)
    case_id = outcome.case_id
    if outcome.state == rules.OPENED:
        case_id = uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:detection:{det_id}")
    frame_url = body.frame_url or (f"/api/detections/{det_id}/frame" if frame is not None else None)
    row = DetectionRow(id=det_id, source=body.source, camera_id=camera.id, type_code=kind.code,
                       category_code=kind.category_code, confidence=body.confidence, detected_at=body.time,
                       received_at=now, lat=lat, lon=lon, frame_url=frame_url, state=outcome.state, case_id=case_id,
                       repeat_of=outcome.repeat_of, version=1, data={})
    row.data = detection_data(row, camera.name, kind.name_en, outcome.why, repeats_count=0, type_name_zh=kind.name)
    session.add(row)
    batch.rows[det_id] = row
    key = (camera.id, kind.code)
    if outcome.state in rules.LIVE and (earlier is None or body.time >= earlier.detected_at):
        batch.latest[key] = rules.Earlier(det_id, body.time, outcome.state, case_id)  # the latest, for the next
    if frame is not None:
        batch.frames.append(DetectionFrameRow(detection_id=det_id, content_type=frame[1], data=frame[0]))
    if outcome.repeat_of is not None:  # the pending one carries its repeats into the review queue
        parent = batch.rows.get(outcome.repeat_of) or session.get(DetectionRow, outcome.repeat_of,
                                                                  with_for_update=True)
        if parent is not None:
            parent.version += 1
            parent.data = {**parent.data, "repeats": parent.data.get("repeats", 0) + 1, "version": parent.version}
            changes.append((DETECTION, str(parent.id), parent.data))
    if outcome.state != rules.IGNORED:
        changes.append((DETECTION, str(det_id), row.data))
    return row


_TYPES: dict = {"at": 0.0, "rows": {}, "bind": None}
_TYPES_TTL_S = 10.0  # a type changed by an admin is in force within this on every process


def _types(session: Session) -> dict[str, DetectionTypeRow]:
    """The detection types, read at most every few seconds (every detection needs its type; they change
    only when an admin replaces the reference tables, which also clears this)."""
    bind = session.get_bind().url
    if time.monotonic() - _TYPES["at"] > _TYPES_TTL_S or _TYPES["bind"] != bind:
        rows = session.execute(select(DetectionTypeRow)).scalars().all()
        session.expunge_all()
        _TYPES.update(at=time.monotonic(), bind=bind, rows={r.code: r for r in rows})
    return _TYPES["rows"]


def forget_types() -> None:
    _TYPES["at"] = 0.0


def rules_type(row: DetectionTypeRow) -> rules.DetectionType:
    return rules.DetectionType(row.code, row.name, row.name_en, row.category_code, row.min_confidence,
                               row.quiet_period_s, row.auto_open)


def _open_cases(ctx, detections: list[dict]) -> dict[str, dict]:
    """Create the cases of `opened` detections, together (one batch of the command path, committed in
    groups on PostgreSQL). Again on a retry: each command id is fixed, so a case is created once and a
    retry is answered from the stored answer. A creation the rules refuse leaves its detection pending for
    an operator: those are returned, by id, with their data now."""
    commands = []
    for data in detections:
        case_id = uuid.UUID(data["case_id"])
        commands.append(Command(command_id=system_command_id(case_id, "detection_open"), case_id=case_id,
                                action=Action.CREATE, payload=case_payload(data), issued_at=ctx.now(),
                                console_id="server"))
    result = apply_batch(ctx.db.writer, DETECTION_DESK, CommandBatch(commands=commands), ctx.refdata, ctx.now,
                         before_commit=ctx.before_commit, group=ctx.settings.commit_group)
    refused = [(data, r) for data, r in zip(detections, result.results) if r.status != "accepted"]
    if not refused:
        return {}
    reverted: dict[str, dict] = {}
    with ctx.db.writer() as session, session.begin():
        changes = []
        for data, r in refused:
            det_id = uuid.UUID(data["id"])
            log.warning("detection %s: its case was refused (%s: %s); it waits for an operator", det_id, r.reason,
                        r.message)
            row = session.get(DetectionRow, det_id, with_for_update=True)
            row.state, row.case_id, row.version = rules.PENDING, None, row.version + 1
            row.data = {**row.data, "state": rules.PENDING, "case_id": None, "version": row.version,
                        "why": f"its case was refused ({r.reason}); waits for an operator"}
            changes.append((DETECTION, str(det_id), row.data))
            reverted[data["id"]] = row.data
        record_changes(session, changes)
    return reverted
