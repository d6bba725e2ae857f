"""The two kinds of body on the wire: what a caller sends (`Request`) and what the server answers (`Answer`).

A request refuses any field it does not know, so a typo in a client is a 422 naming the field, not a
silently ignored value. An answer is read leniently by the console (a newer server may add a field and
an older console must keep working) but documented strictly: its schema says `additionalProperties:
false`, so the API fuzzer (tests/platform/server/test_api_fuzz.py) fails on any field the server sends
that the model does not name.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"additionalProperties": False})
