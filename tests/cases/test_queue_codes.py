"""The queue's coded text columns (app.cases.queue_codes) and the integer columns read in one piece
(app.cases.queue_rows.RowBatch.from_columns)."""
from __future__ import annotations

import pytest

from app.cases.queue_codes import Codes
from app.cases.queue_rows import RowBatch


def test_codes_are_given_in_order_of_first_appearance_and_kept():
    units = Codes("unit")
    assert units.codes(["u2", None, "u1", "u2", "u1"]) == [0, -1, 1, 0, 1]
    assert units.values == ["u2", "u1"]
    assert units.codes(["u1", "u3", None, "u3"]) == [1, 2, -1, 2]  # a new text takes the next code
    assert [units.value(c) for c in (0, 1, 2, -1)] == ["u2", "u1", "u3", None]


def columns_row(status="0,1", version="3,-1"):
    """One `LocalCache.summary_columns()` row for two cases (the SQL's per-column concatenations)."""
    ids = "00000000-0000-0000-0000-000000000001" "00000000-0000-0000-0000-000000000002"
    return (2, ids, "2026-000001\x1f2026-000002", "\x1f", status, "0,0", "C1\x1fC2", "u1\x1f", "g1\x1fg2",
            "30.1,30.2", "120.1,120.2", "0,1", "1,2", "3,4", "-9223372036854775808,5", "0,-1", "0,1", "0,0",
            "1,0", version)


def test_integer_columns_are_read_in_one_piece():
    batch = RowBatch.from_columns(columns_row())
    assert batch.status.tolist() == [0, 1] and batch.version.tolist() == [3, -1]
    assert batch.due.tolist() == [-9223372036854775808, 5] and batch.pending.tolist() == [True, False]
    assert batch.unit == ["u1", None] and batch.lat.tolist() == [30.1, 30.2]


@pytest.mark.parametrize("status", ["0", "0,1,2", "0,,", ",0", "0,"])
def test_an_integer_column_without_one_value_per_case_is_refused(status):
    with pytest.raises(ValueError):
        RowBatch.from_columns(columns_row(status=status))
