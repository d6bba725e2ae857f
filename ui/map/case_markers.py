"""The map's case markers as data (any thread): a marker record per case straight from the columns
(`app.cases.queue_columns.QueueColumns`, no `CaseSummary` per case), its time-left class, a fingerprint of
what the page shows, and the first push serialised on a worker thread (`PreparedMarkers`).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from uuid import UUID

import numpy as np

from app.cases.queue_columns import QueueColumns, load_columns
from app.cases.queue_rows import EPOCH, MICROSECOND, NO_TIME, STATUS_ORDER, RowBatch
from app.map import layers as map_layers
from app.platform import fast_json
from app.platform.enums import Priority, Status

CHUNK = 2500            # markers per runJavaScript call

_TIME_CLASSES = (map_layers.OVERDUE, map_layers.DUE_SOON_CLASS, map_layers.ON_TIME, map_layers.NO_DEADLINE)
_NO_DEADLINE_STATUSES = np.array([STATUS_ORDER[s] for s in (Status.CLOSED, Status.VOIDED, Status.MERGED, Status.SUSPENDED)])


def _time_classes(cols: QueueColumns, slots: np.ndarray, now: datetime) -> np.ndarray:
    """`map_layers.time_left_class` of many slots at once, as indexes into _TIME_CLASSES."""
    due = cols.due_us[slots]
    left = due - (now - EPOCH) // MICROSECOND
    soon = map_layers.DUE_SOON // MICROSECOND
    classes = np.where(left < 0, 0, np.where(left <= soon, 1, 2)).astype(np.int8)
    classes[np.isin(cols.status[slots], _NO_DEADLINE_STATUSES) | (due == NO_TIME)] = 3
    return classes


_STATUS_VALUES = [st.value for st in Status]
_FILLS = [map_layers.STATUS_COLOURS[st] for st in Status]
_PRIORITY_VALUES = [p.value for p in Priority]
_RINGS = [map_layers.TIME_LEFT_STYLE[c] for c in _TIME_CLASSES]


def column_markers(cols: QueueColumns, slots: np.ndarray, now: datetime) -> list[dict | None]:
    """`map_layers.case_marker` of many slots straight from the columns (no CaseSummary per case; the
    same records: tests compare them), None where a case has no usable position."""
    slots = np.asarray(slots, np.int64)
    lat, lon = cols.lat[slots], cols.lon[slots]
    usable = (np.isfinite(lat) & np.isfinite(lon)).tolist()
    categories, units = cols._codes["category"].values, cols._codes["unit"].values
    co_units = cols.co_units
    out: list[dict | None] = []
    for (slot, case_id, number, la, lo, status, priority, category, unit, cls, due, ok) in zip(
            slots.tolist(),
            cols.ids[slots].tolist(), cols.display_numbers(slots).tolist(), lat.tolist(), lon.tolist(),
            cols.status[slots].tolist(), cols.priority[slots].tolist(), cols.category[slots].tolist(),
            cols.unit[slots].tolist(), _time_classes(cols, slots, now).tolist(), cols.due_us[slots].tolist(),
            usable):
        if not ok:
            out.append(None)
            continue
        ring, weight = _RINGS[cls]
        out.append({"id": case_id.decode(), "n": number.decode(), "lat": round(la, 6), "lon": round(lo, 6),
                    "s": _STATUS_VALUES[status], "p": _PRIORITY_VALUES[priority],
                    "c": categories[category] if category >= 0 else "", "u": units[unit] if unit >= 0 else "",
                    "f": _FILLS[status], "r": ring, "w": weight, "t": _TIME_CLASSES[cls],
                    "due": None if due == NO_TIME else (EPOCH + timedelta(microseconds=due)).isoformat(),
                    "cu": ",".join(u for u, _ in co_units.get(slot, ()))})
    return out


def _fingerprint(marker: dict) -> int:
    """What the page shows of a marker, as one number (0 means "not on the map")."""
    return hash(tuple(marker.values())) or 1


class PreparedMarkers:
    """Markers already serialised as the page's `cases` messages (built on a worker thread, a chunk at a
    time, so 100,000 marker dicts never exist at once); `len()` is the number of markers."""

    def __init__(self, scripts: list[str], count: int):
        self.scripts = scripts
        self.count = count

    def __len__(self) -> int:
        return self.count


def receive_script(message: dict) -> str:
    """The page's `OneGrid.receive(message)` call. The JSON by msgspec (`fast_json`): json.dumps of a
    2,500-marker message cost five times as much, ~0.3 s of a worker thread holding the GIL for a
    100,000-case first push while the GUI thread waits for it. Non-ASCII is kept as is (a JavaScript string
    takes it), except the two line separators that older JavaScript would not take inside a string."""
    text = fast_json.dumps(message)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"OneGrid.receive({text})"


def _cases_script(upsert: list[dict], remove: list[str], reset: bool = False) -> str:
    message = {"op": "cases", "reset": True, "upsert": upsert, "remove": remove} if reset else \
        {"op": "cases", "remove": remove, "upsert": upsert}
    return receive_script(message)


class _Snapshot:
    """A copy of the columns `column_markers` reads, for the live slots or the given ones (index k =
    slots[k]), so a worker thread can draw the first push, or a sync batch's markers, while the GUI thread
    goes on updating the real columns."""

    def __init__(self, cols: QueueColumns, slots: np.ndarray | None = None):
        self.slots = np.flatnonzero(cols.alive[:cols.size]) if slots is None else np.asarray(slots, np.int64)
        for name in ("lat", "lon", "ids", "status", "priority", "category", "unit", "due_us"):
            setattr(self, name, getattr(cols, name)[self.slots])
        self._numbers = cols.display_numbers(self.slots)
        where = {slot: k for k, slot in enumerate(self.slots.tolist())} if cols.co_units else {}
        self.co_units = {where[slot]: units for slot, units in cols.co_units.items() if slot in where}
        self._codes = {kind: SimpleNamespace(values=list(cols._codes[kind].values)) for kind in ("category", "unit")}

    def display_numbers(self, index: np.ndarray) -> np.ndarray:
        return self._numbers[index]


def _first_push(snap: _Snapshot, now: datetime) -> tuple[PreparedMarkers, np.ndarray, np.ndarray]:
    """The first push from a snapshot (worker thread): prepared scripts, fingerprints, time classes."""
    index = np.arange(len(snap.slots))
    marks = np.zeros(len(index), np.int64)
    scripts, count = [], 0
    for start in range(0, max(len(index), 1), CHUNK):
        part = index[start:start + CHUNK]
        markers = []
        for k, marker in zip(part.tolist(), column_markers(snap, part, now)):
            if marker is not None:
                marks[k] = _fingerprint(marker)
                markers.append(marker)
        scripts.append(_cases_script(markers, [], reset=start == 0))
        count += len(markers)
    return PreparedMarkers(scripts, count), marks, _time_classes(snap, index, now)


def _restyled(snap: _Snapshot, sent: np.ndarray, removed: list[str],
              now: datetime) -> tuple[np.ndarray, PreparedMarkers]:
    """A sync batch's markers from a snapshot of its slots (worker thread): their fingerprints (0: not on
    the map) and, serialised, the `cases` messages that send the ones whose fingerprint is not `sent` and
    remove `removed` and those that lost their place (the dock's `_send_markers`, prepared)."""
    index = np.arange(len(snap.slots))
    marks = np.zeros(len(index), np.int64)
    upsert, remove = [], list(removed)
    for k, marker in zip(index.tolist(), column_markers(snap, index, now)):
        if marker is None:
            if sent[k]:
                remove.append(snap.ids[k].decode())
            continue
        marks[k] = _fingerprint(marker)
        if sent[k] != marks[k]:
            upsert.append(marker)
    scripts = [_cases_script([], remove)] if remove and not upsert else []
    for start in range(0, len(upsert), CHUNK):  # removals ride with the first upserts
        scripts.append(_cases_script(upsert[start:start + CHUNK], remove if start == 0 else []))
    return marks, PreparedMarkers(scripts, len(upsert))


def _read_all_cases(cache, now: datetime) -> tuple:
    """Columns, the first push (PreparedMarkers), fingerprints and time classes of every case (worker)."""
    cols = load_columns(cache)
    sent = np.zeros(cols.size, np.int64)
    live = np.flatnonzero(cols.alive[:cols.size])
    scripts, count = [], 0
    for start in range(0, max(len(live), 1), CHUNK):
        markers = []
        part = live[start:start + CHUNK]
        for slot, marker in zip(part.tolist(), column_markers(cols, part, now)):
            if marker is not None:
                sent[slot] = _fingerprint(marker)
                markers.append(marker)
        scripts.append(_cases_script(markers, [], reset=start == 0))
        count += len(markers)
    classes = np.full(cols.size, -1, np.int8)
    classes[live] = _time_classes(cols, live, now)
    return cols, PreparedMarkers(scripts, count), sent, classes


def _read_changed_cases(cache, ids: list[UUID], now: datetime) -> tuple[RowBatch, list[dict | None]]:
    """The changed cases as a column batch, each case once (`QueueColumns.put_batch(..., unique=True)`), and
    their markers (worker thread): checking the batch for repeats on the GUI thread (`np.unique`) imported
    numpy.ma there on a console's first sync (~45 ms)."""
    summaries = list({s.id: s for s in cache.summaries(ids)}.values())
    return RowBatch.from_summaries(summaries), [map_layers.case_marker(s, now) for s in summaries]
