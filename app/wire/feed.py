"""The changes feed on the wire: `GET /api/changes` answers a `ChangesPage`.

The server answers it pre-serialised (`app.wire.raw`, spliced from the stored JSON of each entity), and
tests/wire/test_raw.py holds those bytes to this model.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_serializer

from app.wire.base import Answer

PAGE_MAX = 1000  # `limit`: the entries of a page, long-poll or not
# `bulk`: a first sync's page read without waiting (`wait=0`), instead of `limit`. Each page of a first sync costs
# a request, a feed query and a cache transaction; at 100,000 cases a page of 1,000 made those a tenth of the time.
# Sent beside `limit`, which a server older than `bulk` reads instead (it ignores the unknown parameter).
BULK_PAGE_MAX = 5000


class Change(Answer):
    """One feed entry. kind `case`: data is the full case JSON; kind `setting`: data is {key, value};
    kind `scope_exit` (`app.platform.scope`): the entity `id` of kind `data.kind` left the user's scope."""

    position: int
    # unknown kinds (from a newer server) are skipped by the cache
    kind: str = Field(description="'case' (data = the case), 'setting' (data = {key, value}), 'scope_exit' "
                                  "(data = {kind, version?}), or another feature's entity (sensor, alarm, "
                                  "shift, handover)")
    id: str
    data: dict[str, Any]


class ChangesPage(Answer):
    changes: list[Change]
    cursor: int
    more: bool
    # None only from a server older than the scope rule; every current server sends it
    scope: str | None = Field(default=None, description="what the user sees (`app.platform.scope.scope_tag`); a "
                              "console whose copy came under another one starts again from 0")
    # only in the answer to a partition cursor (`cursor=`, `app.platform.feed_partition.Cursor`): the next one
    cursors: str | None = Field(default=None, description="the reader's cursor after this page, one position "
                                "per feed partition (`g.120_3301.5012`); `cursor` is then the global partition's")
    server_time: datetime

    @model_serializer(mode="wrap")
    def _without_absent_cursors(self, handler):
        # the server writes `cursors` only in the answer to a partition cursor (`server.feed.api`)
        data = handler(self)
        if isinstance(data, dict) and data.get("cursors") is None:
            data.pop("cursors", None)
        return data
