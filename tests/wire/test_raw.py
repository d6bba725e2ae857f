"""The answers sent pre-serialised (`app.wire.raw`) are what their models would write: byte for byte where the
model's encoding applies, JSON-equal (and equal as models) where the bytes legitimately differ."""
from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone

import pydantic_core

from app.cases.commands import CommandResult
from app.platform.enums import Role
from app.refdata.loading import load_demo_refdata
from app.wire import raw
from app.wire.feed import Change, ChangesPage
from app.wire.feed_decode import CaseText, decode_page
from app.wire.refdata import CalendarData, RefDataAnswer
from server.platform.auth import AuthUser
from tests.support.server import HANDLER

BEIJING = timezone(timedelta(hours=8))
OTHER_UNIT = "roads"  # not the handler's unit (water_supply)


def test_a_feed_page_is_byte_for_byte_the_models():
    case_id = str(uuid.uuid4())
    entities = [  # (position, kind, id, data): a case, a setting, a sensor with a name no ASCII spells
        (11, "case", case_id, {"id": case_id, "status": "dispatched", "version": 3, "description": "井盖缺失"}),
        (12, "setting", "emergency_mode", {"key": "emergency_mode", "value": {"on": True, "reason": "台风"}}),
        (14, "sensor", "水位-07", {"sensor_id": "水位-07", "last_value": 0.31, "state": None}),
    ]
    # the entity's JSON as stored: here as pydantic writes it, so that only the frame is compared
    parts = [raw.change(p, k, i, pydantic_core.to_json(d).decode()) for p, k, i, d in entities]
    parts.append(raw.scope_exit(15, case_id, {"kind": "case", "version": 4}))
    server_time = datetime(2026, 12, 7, 9, 30, 15, 250000, tzinfo=BEIJING)
    body = raw.page_prefix(parts, 15, True, raw.text("units:roads,roads-east")) + raw.page_tail(server_time.isoformat())

    model = ChangesPage(changes=[*(Change(position=p, kind=k, id=i, data=d) for p, k, i, d in entities),
                                 Change(position=15, kind="scope_exit", id=case_id, data={"kind": "case", "version": 4})],
                        cursor=15, more=True, scope="units:roads,roads-east", server_time=server_time)
    assert body == model.model_dump_json().encode()
    # an empty page, and a page without more
    empty = raw.page_prefix([], 0, False, raw.text("all")) + raw.page_tail(server_time.isoformat())
    assert empty == ChangesPage(changes=[], cursor=0, more=False, scope="all",
                                server_time=server_time).model_dump_json().encode()


def test_a_feed_page_read_from_the_database_is_the_model_the_data_read_gives(single_srv):
    """Both readers page one position space: a one-counter server."""
    srv = single_srv
    """The serialised read splices each entity's JSON as the database renders it (PostgreSQL puts spaces and
    orders keys its own way) and writes UTC as `+00:00` where pydantic writes `Z`: JSON-equal, not byte-equal."""
    case = srv.case_at("dispatched")  # in the handler's unit
    srv.do("operator1", "note", srv.new_case()["id"], {"text": "水管破裂"})
    handler = srv.refdata.user(HANDLER)
    users = [AuthUser("operator1", "x", Role.OPERATOR), AuthUser(HANDLER, "x", Role.UNIT_HANDLER, handler.unit_id)]
    moved = srv.do("operator1", "reassign", case["id"], {"unit_id": OTHER_UNIT})  # leaves the handler's scope
    assert moved["status"] == "accepted", moved
    server_time = srv.clock().isoformat()
    for user in users:
        for after in (0, 2):
            data_page = srv.ctx.read_changes(after, 500, user)
            raw_page = srv.ctx.read_changes_raw(after, 500, srv.ctx.feed_scope(user))
            body = raw_page.body(server_time)
            model = ChangesPage(**data_page.to_dict(), server_time=server_time)
            assert ChangesPage.model_validate_json(body) == model, (user.username, after)
            from_model = json.loads(model.model_dump_json())
            assert json.loads(body) == {**from_model, "server_time": server_time}
            assert raw_page.count == len(model.changes)
            assert model.changes or user.role == Role.UNIT_HANDLER  # the handler's case left its unit
            # the sync engine's reader (cases kept as text) reads the same page
            decoded = decode_page(body)
            assert (decoded.cursor, decoded.more, decoded.scope) == (model.cursor, model.more, model.scope)
            assert [(c.position, c.kind, c.id, json.loads(c.text) if isinstance(c, CaseText) else c.data)
                    for c in decoded.changes] == [(c.position, c.kind, c.id, c.data) for c in model.changes]
    exits = ChangesPage.model_validate_json(srv.ctx.read_changes_raw(2, 500, srv.ctx.feed_scope(users[1])).body(server_time))
    assert [c.id for c in exits.changes if c.kind == "scope_exit"] == [case["id"]]  # the page compared above has one


def test_the_reference_data_bytes_are_the_models():
    refdata = load_demo_refdata()
    payload = refdata.to_dict()
    model = RefDataAnswer(format=payload["format"], units=list(refdata.units), categories=list(refdata.categories),
                          grids=list(refdata.grids), responsibility=list(refdata.responsibility),
                          users=[dataclasses.replace(u, password=None) for u in refdata.users],
                          sensors=list(refdata.sensors), calendar=CalendarData.model_validate(refdata.policy.to_dict()),
                          version=refdata.version)
    assert raw.refdata(payload) == model.model_dump_json().encode()
    assert b'"password":null' in raw.refdata(payload) and b"demo-" not in raw.refdata(payload)


def test_a_stored_command_answer_is_the_models_with_its_position_spliced_in():
    answer = CommandResult(command_id=uuid.uuid4(), case_id=uuid.uuid4(), status="accepted", version=2,
                           position=0, message="登记 ok")
    stored = answer.model_dump(mode="json", exclude={"position"})
    head, tail = raw.accepted_answer_parts(stored)
    text = head + "4711" + tail
    assert json.loads(text) == {**stored, "position": 4711} and text.startswith('{"position":4711,')
    assert CommandResult.model_validate_json(text) == answer.model_copy(update={"position": 4711})
