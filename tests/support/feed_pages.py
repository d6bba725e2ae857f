"""A changes feed as the server sends it (page bodies, bytes), for tests of a console's first sync, and a
child process that applies such pages to a cache until it is killed (`python -m tests.support.feed_pages`).

The cases are workflow-built templates in several states, cloned with fresh ids, numbers and command ids;
the feed also carries a setting and a sensor, as a real one does.
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

from app.cases import workflow
from app.platform.enums import Action
from app.platform.feed_partition import Cursor
from tests.support.sync_helpers import LEAD, OPERATOR, create_payload, dispatch_unit


def case_templates(refdata, now: datetime) -> list[dict]:
    """Cases in several states, as JSON."""
    found = []
    unit = dispatch_unit(refdata)
    for k in range(6):
        case_id = uuid.uuid4()
        case = workflow.apply(None, workflow.new_command(case_id, Action.CREATE, create_payload(refdata, k), now),
                              OPERATOR, refdata, now)
        steps = [(LEAD, Action.REGISTER, {}), (OPERATOR, Action.DISPATCH, {"unit_id": unit})][:k % 3]
        for actor, action, payload in steps:
            case = workflow.apply(case, workflow.new_command(case_id, action, payload, now), actor, refdata, now)
        found.append(case.model_dump(mode="json"))
    return found


def feed_pages(refdata, count: int, page: int, *, now: datetime | None = None, seed: int = 1) -> list[bytes]:
    """`count` cases (plus a setting and a sensor) in pages of `page` entries, as `GET /api/changes` answers
    them to a reader from cursor 0: each page's `more` is true but the last's."""
    now = now or datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    rng = uuid.UUID(int=seed)  # ids derived from the seed, so two calls give the same feed
    templates = case_templates(refdata, now)
    entries = [{"kind": "setting", "id": "emergency_mode", "data": {"key": "emergency_mode", "value": False}},
               {"kind": "sensor", "id": "wl-001", "data": {"id": "wl-001", "level": "normal"}}]
    for i in range(count):
        data = templates[i % len(templates)]
        case_id = str(uuid.uuid5(rng, f"case-{i}"))
        entries.append({"kind": "case", "id": case_id, "data": {
            **data, "id": case_id, "number": f"2026-{i + 1:06d}",
            "events": [{**e, "command_id": str(uuid.uuid5(rng, f"event-{i}-{n}"))} for n, e in enumerate(data["events"])]}})
    bodies = []
    for start in range(0, len(entries), page):
        chunk = [{"position": start + n + 1, **entry} for n, entry in enumerate(entries[start:start + page])]
        last = chunk[-1]["position"]
        # as the server writes them: its JSON with spaces (PostgreSQL's text of a JSON column keeps them)
        bodies.append(json.dumps({"changes": chunk, "cursor": last, "more": last < len(entries), "scope": "*",
                                  "server_time": now.isoformat()}, ensure_ascii=False).encode())
    return bodies


def main() -> int:
    """Apply the pages in a file (JSON list of page texts) to a cache from its stored cursor on, as the sync
    engine does, saying "applied <cursor>" after each page."""
    from app.cache import LocalCache
    from app.wire.feed_decode import decode_page

    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--pages", type=Path, required=True)
    args = parser.parse_args()
    bodies = [text.encode() for text in json.loads(args.pages.read_text(encoding="utf-8"))]
    cache = LocalCache(args.cache)
    for body in bodies:
        page = decode_page(body)
        if page.cursor <= cache.cursor():
            continue
        cache.apply_changes(page.changes, Cursor().moved("", page.cursor), page.more)
        print(f"applied {page.cursor}", flush=True)
    cache.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
