"""What the scale-out benchmark checks of every long-polling console (`bench.harness` pollers with `--track`):
the latest change of every case each one received, compared with the database by `Tracking.check`."""
from __future__ import annotations

import re

# `app.wire.raw.change` / `scope_exit` (an exit's data names the kind that left: only cases are tracked here)
_CASES = re.compile(rb'\{"position":(\d+),"kind":"(case|scope_exit)","id":"([0-9a-f-]{36})","data":(\{"kind":"case")?')
_PAGE_END = b'],"cursor":'  # what follows is the page's own members (`app.wire.raw.page_prefix`)


class Tracking:
    """What the scale-out benchmark checks of every console (`--track`): the last position each poller
    received of every case (its latest change, as the feed keeps one row per entity), its last cursor, and
    for the first `sample` pollers when each id first arrived (wall clock).

    Consoles of one scope mostly receive the same page, so one process's pollers parse each distinct
    page once (`_parsed`, keyed by the page's bytes up to its own members): the load generator's CPU goes
    to the server, not to parsing the same 100 KiB again for every console."""

    def __init__(self, count: int, sample: int):
        self.last: list[dict[bytes, int]] = [{} for _ in range(count)]
        self.cursors: list[str] = ["0"] * count
        self.sample = sample
        self.first_seen: dict[bytes, list[float]] = {}
        self._ids: dict[bytes, bytes] = {}  # one bytes object per case id, shared by every poller's dict
        self._parsed: dict[bytes, list[tuple[bytes, int]]] = {}
        self._bodies: dict[int, tuple[bytes, list[tuple[bytes, int]]]] = {}  # id -> (the body, its changes)
        self.parsed = 0  # distinct pages parsed (the report's stats)

    def _changes(self, body: bytes) -> list[tuple[bytes, int]]:
        same = self._bodies.get(id(body))  # the very bytes object another poller of this process had
        if same is not None and same[0] is body:
            return same[1]
        found = self._changes_of(body)
        if len(self._bodies) >= 64:
            self._bodies.clear()
        self._bodies[id(body)] = (body, found)
        return found

    def _changes_of(self, body: bytes) -> list[tuple[bytes, int]]:
        end = body.rfind(_PAGE_END)
        page = body[:end] if end >= 0 else body
        found = self._parsed.get(page)
        if found is None:
            ids = self._ids
            found = [(ids.setdefault(i, i), int(p) if k == b"case" else None)
                     for p, k, i, exit_of_case in _CASES.findall(page) if k == b"case" or exit_of_case]
            if len(self._parsed) >= 64:
                self._parsed.clear()
            self._parsed[page] = found
            self.parsed += 1
        return found

    def take(self, index: int, body: bytes, cursor: str, now: float) -> None:
        self.cursors[index] = cursor
        last = self.last[index]
        for case_id, position in self._changes(body):
            if position is None:  # a scope exit: the console drops its copy
                last.pop(case_id, None)
                continue
            if case_id not in last and index < self.sample:
                self.first_seen.setdefault(case_id, []).append(now)
            last[case_id] = position  # a page is in position order: the last one is the case's latest

    def check(self, expected: dict[bytes, int]) -> dict:
        """Every poller's cases against `expected` (case id → its feed row's position in the database, the
        poller's whole scope): complete = every case at its latest position and nothing else; `missing`
        (never received), `stale` (received, not its latest change) and `outside` (not in the scope) per
        poller that is not complete."""
        complete, short = 0, []
        for last in self.last:
            missing = stale = outside = 0
            for case_id, position in expected.items():
                got = last.get(case_id)
                if got is None:
                    missing += 1
                elif got != position:
                    stale += 1
            if len(last) > len(expected) - missing:
                outside = sum(1 for case_id in last if case_id not in expected)
            if missing or stale or outside:
                short.append([missing, stale, outside])
            else:
                complete += 1
        return {"complete": complete, "short": short}

    def report(self) -> dict:
        return {"seen": [len(s) for s in self.last], "cursors": self.cursors,
                "first_seen": {k.decode(): v for k, v in self.first_seen.items()}}
