"""server.sensors.batch_split: a batch written whole, or in halves until what fails stands alone; a database
that cannot be reached is not split."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from server.sensors.batch_split import splittable, write_split


class Refused(Exception):
    pass


def writer(bad: set[int]):
    calls: list[list[int]] = []

    def write(items):
        calls.append(list(items))
        if bad & set(items):
            raise Refused(f"refused {sorted(bad & set(items))}")
        return list(items)

    return write, calls


def test_a_batch_without_failure_is_written_once():
    write, calls = writer(set())
    done, refused = write_split(range(100), write)
    assert done == [list(range(100))] and refused == [] and calls == [list(range(100))]


@pytest.mark.parametrize("bad", [{0}, {57}, {99}, {3, 4}, {0, 50, 99}, set(range(100))])
def test_only_the_items_that_fail_alone_are_refused_and_every_other_is_written_in_order(bad):
    write, calls = writer(bad)
    undone = []
    done, refused = write_split(list(range(100)), write, after_failure=lambda items, exc: undone.append(len(items)))
    written = [i for part in done for i in part]
    assert written == [i for i in range(100) if i not in bad]
    assert [i for i, _exc in refused] == sorted(bad)
    assert all(isinstance(exc, Refused) for _i, exc in refused)
    assert len(undone) == len(calls) - len(done)  # every failed attempt is undone before the next
    if len(bad) == 1:
        assert len(calls) <= 2 * 7 + 1  # about 2·log2(100) attempts


@pytest.mark.parametrize("error", [
    OperationalError("INSERT", {}, Exception("connection refused")),
    PoolTimeoutError("QueuePool limit reached"),
])
def test_an_unreachable_database_is_not_split(error):
    calls = []

    def write(items):
        calls.append(len(items))
        raise error

    with pytest.raises(type(error)):
        write_split(list(range(100)), write)
    assert calls == [100]


def test_which_errors_are_splittable():
    assert splittable(IntegrityError("INSERT", {}, Exception("check constraint")))
    assert splittable(DataError("INSERT", {}, Exception("NUL in text")))
    assert splittable(OverflowError("int too large"))
    assert not splittable(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
    lost = DataError("INSERT", {}, Exception("x"), connection_invalidated=True)
    assert not splittable(lost)
