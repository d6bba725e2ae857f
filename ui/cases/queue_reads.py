"""What the case queue reads on a reader thread (`ui.shell.ops.run_op`): changed cases' summaries as column
arrays, their free text folded for searching, "involves me" and co-handling units. Nothing here touches
the model; the GUI thread only assigns what these functions return."""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import numpy as np

from app.cache.models import CaseTexts
from app.cases.queue_columns import QueueColumns
from app.cases.queue_rows import BatchPrep, RowBatch, prepare
from app.cases.search import fold_texts


def _load_texts(cache, ids: list, username: str) -> CaseTexts:
    """Free text, "involves me" and co-handling units for cases (worker thread). Uses `cache.case_texts`
    when the cache offers it, else reads the full cases."""
    from app.cases.saved_views import involves
    from app.cases.search import case_text

    bulk = getattr(cache, "case_texts", None)
    if callable(bulk):
        return bulk(ids, username)
    result = CaseTexts({}, set(), {})
    for case_id in ids:
        case = cache.case(UUID(str(case_id)))
        if case is None:
            continue
        result.texts[case.id] = case_text(case)
        if involves(case, username):
            result.mine.add(case.id)
        if case.co_tasks:
            result.co_units[case.id] = tuple((t.unit_id, t.status) for t in case.co_tasks)
    return result


@dataclass
class TextChunk:
    """Free text read for some cases, folded for searching (worker thread): ids as S36 keys.

    `keys_at` and `mine_at` are the positions of `keys` and `mine` in `asked`: a sync batch asks for its
    own ids in order, so the GUI thread finds their slots by position instead of searching the id index."""

    keys: np.ndarray
    folded: list[bytes]
    mine: np.ndarray
    asked: np.ndarray  # every id asked for: "involves me" and co-units are cleared for those not found
    co_units: dict[bytes, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    keys_at: np.ndarray | None = None
    mine_at: np.ndarray | None = None
    co_at: np.ndarray | None = None  # positions in `asked` of the keys of `co_units`


def _positions(asked: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Where each of `keys` (all among `asked`, which holds each id once) is in `asked`."""
    if not len(keys):
        return np.zeros(0, np.int64)
    order = np.argsort(asked, kind="stable")
    return order[np.searchsorted(asked[order], keys)].astype(np.int64)


def read_texts(cache, keys: np.ndarray, username: str) -> TextChunk:
    texts, mine, co_units = _load_texts(cache, [k.decode() for k in keys], username)
    ids = list(texts)
    found = np.array([str(i) for i in ids], "S36")
    mine_keys = np.array([str(i) for i in mine], "S36")
    co_keys = {str(i).encode(): units for i, units in co_units.items()}
    return TextChunk(found, fold_texts(texts[i] for i in ids), mine_keys, keys, co_keys,
                     _positions(keys, found), _positions(keys, mine_keys),
                     _positions(keys, np.array(list(co_keys), "S36")))


def read_batch(cache, ids: list[UUID]) -> RowBatch:
    """The current summaries of `ids` as column arrays (worker thread), each id once; absent ids are not in
    it."""
    rows = getattr(cache, "summary_rows", None)
    if callable(rows):
        batch = RowBatch.from_rows([r for chunk in rows(ids) for r in chunk])
    else:
        batch = RowBatch.from_summaries(cache.summaries(ids))
    return batch.unique()


@dataclass
class ChangeRead:
    """One fetch of changed cases, ready for the model: the batch (each id once), the ids that are gone,
    the batch's text (asked for exactly the batch's ids, in order), the batch prepared for the columns
    (`app.cases.queue_rows.prepare`) and the slots its ids had when it was read (a hint the GUI thread
    checks: `SlotIndex.find_many(keys, hint)`)."""

    batch: RowBatch
    removed: list[UUID]
    texts: TextChunk
    prep: BatchPrep | None = None
    found: np.ndarray | None = None


def read_changes(cache, ids: list[UUID], username: str, cols: QueueColumns | None = None) -> ChangeRead:
    """`cols`: the model's columns, only read here (their slots for the batch's ids, as a hint)."""
    batch = read_batch(cache, ids)
    present = set(batch.ids.tolist())
    removed = [i for i in ids if str(i).encode() not in present]
    found = cols.slot_of.hint_many(batch.ids) if cols is not None else None
    return ChangeRead(batch, removed, read_texts(cache, batch.ids, username), prepare(batch), found)
