"""The answers the server sends pre-serialised, written as bytes without building their models.

Three answers are hot enough that building the model and encoding it again would cost more than
everything else they do: feed pages (hundreds of long-polls answered per feed tick, 100,000 cases in an
initial sync: each entity's JSON is spliced in as the database stores it, never parsed), the stored answer
of an accepted command (written in the same statement that takes its feed position), and the reference
data bundle (encoded once per version). Every byte of them is written here, and tests/wire/test_raw.py
holds the result to the models of `app.wire.feed`, `app.cases.commands` and
`app.wire.refdata`: byte for byte where the model's own encoding applies, JSON-equal where the bytes
legitimately differ (an entity's JSON as the database renders it; `+00:00` where pydantic writes `Z`).
"""
from __future__ import annotations

import json
from typing import Any

_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as pydantic's model_dump_json


def text(value: Any) -> bytes:
    """`value` as compact JSON (a string, a number, a list, an object)."""
    return _DUMPS(value).encode()


# ---- a page of the changes feed (app.wire.feed.ChangesPage) ---------------------------------------------

def change(position: int, kind: str, entity_id: str, data: str | None) -> bytes:
    """One `Change`; `data` is the entity's JSON text as stored (None: null)."""
    return b'{"position":%d,"kind":%s,"id":%s,"data":%s}' % (
        position, _DUMPS(kind).encode(), _DUMPS(entity_id).encode(), (data if data is not None else "null").encode())


def scope_exit(position: int, entity_id: str, exit_data: dict[str, Any]) -> bytes:
    """One `Change` of kind `scope_exit` (`app.platform.scope`)."""
    return b'{"position":%d,"kind":"scope_exit","id":%s,"data":%s}' % (
        position, _DUMPS(entity_id).encode(), _DUMPS(exit_data).encode())


def page_prefix(changes: list[bytes], cursor: int, more: bool, scope: bytes) -> bytes:
    """A `ChangesPage` up to, not including, its `server_time` (`page_tail`): one prefix is shared by every
    long-poll answered with the same page. `scope` is `text(scope_tag)`."""
    return (b'{"changes":[' + b",".join(changes) + b'],"cursor":%d,"more":%s,"scope":%s'
            % (cursor, b"true" if more else b"false", scope))


def page_tail(server_time: str) -> bytes:
    """The rest of a page after `page_prefix`: its `server_time` (ISO 8601) and the closing brace."""
    return b',"server_time":' + _DUMPS(server_time).encode() + b"}"


# ---- the stored answer of an accepted command (app.cases.commands.CommandResult) ------------------------

def accepted_answer_parts(answer: dict[str, Any]) -> tuple[str, str]:
    """The JSON text of an accepted command's answer around its feed position, which is known only inside
    the statement that stores it: head + str(position) + tail is the answer with `position` first."""
    return '{"position":', "," + json.dumps(answer)[1:]  # json.dumps: as the JSON column stores it


# ---- the reference data (app.wire.refdata.RefDataAnswer) --------------------------------------------------

def refdata(bundle: dict[str, Any]) -> bytes:
    """GET /api/refdata's body: `RefData.to_dict()` (with its version)."""
    return text(bundle)
