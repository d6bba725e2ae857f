"""app.cases saved_views, search, countdown, duplicates and queue_columns: saved views, text matching,
countdowns, duplicate detection, and the vectorised queue columns agreeing with the plain per-summary
rules."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.cases.countdown import Level, countdown
from app.cases.duplicates import find_duplicates
from app.cases.queue_columns import QueueColumns
from app.cases.saved_views import View, ViewContext, in_view, involves, views_for
from app.cases.search import fold, matches_text
from app.cases.summary import CaseSummary
from app.platform.enums import Priority, Source, Stage, Status

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
LAT, LON = 30.2550, 120.1500


def summary(**kw) -> CaseSummary:
    base = dict(id=uuid.uuid4(), number="2026-000001", provisional_number=None, status=Status.REGISTERED,
                priority=Priority.ORDINARY, category_code="C0101", unit_id=None, grid_code="33010600100101",
                lat=LAT, lon=LON, source=Source.HOTLINE, created_at=NOW - timedelta(hours=1),
                updated_at=NOW, due_at=NOW + timedelta(hours=2), stage=Stage.DISPATCH, escalation_level=0,
                return_count=0, pending=False, server_version=1)
    base.update(kw)
    return CaseSummary(**base)


# ------------------------------------------------------------------------------------------------ views

@pytest.mark.parametrize("view, status, expected", [
    (View.ALL_ACTIVE, Status.REPORTED, True), (View.ALL_ACTIVE, Status.CLOSED, False),
    (View.ALL_ACTIVE, Status.VOIDED, False), (View.ALL, Status.CLOSED, True),
    (View.TO_REGISTER, Status.REPORTED, True), (View.TO_REGISTER, Status.REGISTERED, False),
    (View.TO_DISPATCH, Status.REGISTERED, True), (View.TO_DISPATCH, Status.RETURNED, True),
    (View.TO_DISPATCH, Status.DISPATCHED, False), (View.RETURNED, Status.RETURNED, True),
    (View.RETURNED, Status.REGISTERED, False), (View.AWAITING_VERIFICATION, Status.HANDLED, True),
    (View.AWAITING_VERIFICATION, Status.VERIFYING, True), (View.AWAITING_VERIFICATION, Status.IN_PROGRESS, False),
])
def test_status_views(view, status, expected):
    assert in_view(view, summary(status=status), ViewContext(now=NOW)) is expected


def test_overdue_view_needs_a_passed_deadline_and_a_running_clock():
    ctx = ViewContext(now=NOW)
    late = NOW - timedelta(minutes=1)
    assert in_view(View.OVERDUE, summary(due_at=late), ctx)
    assert not in_view(View.OVERDUE, summary(due_at=NOW + timedelta(minutes=1)), ctx)
    assert not in_view(View.OVERDUE, summary(due_at=None), ctx)
    assert not in_view(View.OVERDUE, summary(due_at=late, status=Status.SUSPENDED), ctx)
    assert not in_view(View.OVERDUE, summary(due_at=late, status=Status.CLOSED), ctx)


def test_escalated_view():
    ctx = ViewContext(now=NOW)
    assert in_view(View.ESCALATED, summary(escalation_level=1), ctx)
    assert not in_view(View.ESCALATED, summary(escalation_level=0), ctx)
    assert not in_view(View.ESCALATED, summary(escalation_level=2, status=Status.CLOSED), ctx)


def test_my_cases_by_history_or_by_unit():
    mine, other = summary(), summary()
    by_history = ViewContext(now=NOW, involved=frozenset({mine.id}))
    assert in_view(View.MINE, mine, by_history) and not in_view(View.MINE, other, by_history)
    handler = ViewContext(now=NOW, unit_ids=frozenset({"roads", "roads_north"}))
    assert in_view(View.MINE, summary(unit_id="roads_north"), handler)
    assert not in_view(View.MINE, summary(unit_id="sanitation"), handler)
    assert not in_view(View.MINE, summary(unit_id=None), handler)


def test_emergency_view_only_offered_in_emergency_mode():
    ctx = ViewContext(now=NOW, emergency_codes=frozenset({"E0401"}))
    assert in_view(View.EMERGENCY, summary(category_code="E0401"), ctx)
    assert not in_view(View.EMERGENCY, summary(category_code="C0101", priority=Priority.ORDINARY), ctx)
    assert in_view(View.EMERGENCY, summary(category_code="C0101", priority=Priority.URGENT), ctx)
    assert View.EMERGENCY in views_for(True) and View.EMERGENCY not in views_for(False)


def test_involves_reads_the_event_history(refdata):
    from app.cases.workflow import Actor, apply, new_command
    from app.platform.enums import Action, Role

    op = Actor("operator2", Role.OPERATOR)
    lat, lon = refdata.grid("33010600100101").centroid
    cmd = new_command(uuid.uuid4(), Action.CREATE, {"source": "hotline", "category_code": "C0101",
                                                    "description": "x", "location": {"lat": lat, "lon": lon}}, NOW)
    case = apply(None, cmd, op, refdata, NOW)
    assert involves(case, "operator2") and not involves(case, "operator1")


# ------------------------------------------------------------------------------------------------ text

def test_matches_text_all_tokens_case_and_width_insensitive():
    assert matches_text("manhole HUBIN", "Broken manhole cover", "Hubin Road 12")
    assert not matches_text("manhole lake", "Broken manhole cover", "Hubin Road 12")
    assert matches_text("", "anything")
    assert matches_text("１２", "Hubin Road 12")          # full-width digits typed with a Chinese IME
    assert matches_text("井盖", "上水井盖破损")
    assert fold("ＡＢＣ") == "abc"


# ------------------------------------------------------------------------------------------------ countdown

@pytest.mark.parametrize("minutes_left, level", [(100, Level.GREEN), (50, Level.AMBER), (15, Level.RED),
                                                  (-1, Level.OVERDUE)])
def test_countdown_levels_by_fraction_of_the_stage(minutes_left, level):
    c = countdown(NOW + timedelta(minutes=minutes_left), NOW, total_seconds=120 * 60)
    assert c.level == level
    if level == Level.OVERDUE:
        assert c.seconds_left < 0
    else:
        assert c.seconds_left == minutes_left * 60


def test_countdown_without_stage_length_uses_absolute_thresholds():
    assert countdown(NOW + timedelta(hours=3), NOW).level == Level.GREEN
    assert countdown(NOW + timedelta(hours=1), NOW).level == Level.AMBER
    assert countdown(NOW + timedelta(minutes=20), NOW).level == Level.RED
    assert countdown(None, NOW) == countdown(None, NOW) and countdown(None, NOW).level == Level.NONE
    assert countdown(NOW - timedelta(hours=1), NOW, paused=True).level == Level.PAUSED


def test_countdown_uses_working_time_left_but_overdue_by_the_clock():
    due = NOW + timedelta(hours=10)
    c = countdown(due, NOW, total_seconds=7 * 3600, left=timedelta(hours=1))
    assert c.seconds_left == 3600 and c.level == Level.RED
    assert countdown(NOW - timedelta(seconds=1), NOW, left=timedelta(0)).level == Level.OVERDUE


# ------------------------------------------------------------------------------------------------ duplicates

def test_find_duplicates_same_category_near_recent_open():
    near = summary(lat=LAT + 0.001, lon=LON)                      # ~111 m north
    nearer = summary(lat=LAT + 0.0002, lon=LON)                   # ~22 m
    far = summary(lat=LAT + 0.003, lon=LON)                       # ~333 m
    other_category = summary(category_code="C0110")  # not a related category (app.cases.merging)
    old = summary(created_at=NOW - timedelta(hours=73))
    closed = summary(status=Status.CLOSED)
    voided = summary(status=Status.VOIDED)
    found = find_duplicates([near, far, other_category, old, closed, voided, nearer], "C0101", LAT, LON, NOW)
    assert [d.summary for d in found] == [nearer, near]
    assert 15 < found[0].distance_m < 30 and 100 < found[1].distance_m < 125


def test_find_duplicates_radius_and_window_are_parameters():
    s = summary(lat=LAT + 0.003, lon=LON, created_at=NOW - timedelta(hours=100))
    assert not find_duplicates([s], "C0101", LAT, LON, NOW)
    assert find_duplicates([s], "C0101", LAT, LON, NOW, radius_m=400, window=timedelta(days=5))


# ------------------------------------------------------------------------------------------------ columns

def _random_summaries(n: int, seed: int = 7) -> list[CaseSummary]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        due = None if rnd.random() < 0.1 else NOW + timedelta(minutes=rnd.randint(-600, 3000))
        out.append(summary(id=uuid.UUID(int=rnd.getrandbits(128)), number=f"2026-{rnd.randint(0, 999999):06d}",
                           status=rnd.choice(list(Status)), priority=rnd.choice(list(Priority)),
                           category_code=rnd.choice(["C0101", "E0401", "E0502"]),
                           unit_id=rnd.choice([None, "roads", "roads_north", "sanitation"]),
                           source=rnd.choice(list(Source)), due_at=due, escalation_level=rnd.choice([0, 0, 1, 2]),
                           created_at=NOW - timedelta(minutes=rnd.randint(0, 9000)), pending=rnd.random() < 0.2))
    return out


def test_vectorised_views_agree_with_the_rules():
    rows = _random_summaries(600)
    cols = QueueColumns()
    for s in rows:
        cols.put(s)
    ctx = ViewContext(now=NOW, involved=frozenset(s.id for s in rows[:50]), emergency_codes=frozenset({"E0401"}))
    handler = ViewContext(now=NOW, unit_ids=frozenset({"roads", "roads_north"}))
    for view in View:
        for c in (ctx, handler):
            mask = cols.view_mask(view, c)
            expected = {s.id for s in rows if in_view(view, s, c)}
            assert {cols.summaries[i].id for i in mask.nonzero()[0]} == expected, view


def test_columns_update_remove_and_reuse_slots():
    cols = QueueColumns()
    a, b = summary(), summary(status=Status.REPORTED)
    slot_a, added = cols.put(a)
    assert added and cols.put(b)[0] != slot_a
    cols.put(summary(id=a.id, status=Status.CLOSED))
    assert not cols.view_mask(View.ALL_ACTIVE, ViewContext(now=NOW))[slot_a]
    assert cols.remove(a.id) == slot_a and len(cols) == 1
    assert not cols.view_mask(View.ALL, ViewContext(now=NOW))[slot_a]
    c = summary()
    assert cols.put(c) == (slot_a, True)  # the dead slot is reused
    assert cols.remove(uuid.uuid4()) is None


@pytest.mark.parametrize("key", ["number", "priority", "category", "grid", "status", "unit", "due", "source", "age",
                                 "pending"])
@pytest.mark.parametrize("descending", [False, True])
def test_ordering_matches_the_per_slot_key(key, descending):
    rows = _random_summaries(300, seed=3)
    cols = QueueColumns()
    for s in rows:
        cols.put(s)
    mask = cols.view_mask(View.ALL, ViewContext(now=NOW))
    order = cols.ordered(mask, key, descending)
    keys = [(cols.key_of(key, slot), slot) for slot in order]
    assert keys == sorted(keys, reverse=descending)
    assert len(order) == len(rows)


def test_text_mask_uses_summary_text_and_extra_text():
    s1 = summary(number="2026-000123")
    s2 = summary(number="2026-000456")
    cols = QueueColumns(lambda s: f"{s.display_number}\x1f{s.category_code}")
    for s in (s1, s2):
        cols.put(s)
    assert cols.text_mask("") is None
    assert cols.text_mask("000123").tolist() == [True, False]
    cols.set_extra_text({s2.id: "Manhole cover missing on 湖滨路"})
    assert cols.text_mask("湖滨路 manhole").tolist() == [False, True]
    assert cols.text_mask("c0101").tolist() == [True, True]


def test_hundred_thousand_rows_filter_and_sort():
    """100k rows: each view keeps exactly its rows, in order (the speed is make bench's, not asserted)."""
    rows = _random_summaries(100_000, seed=11)
    cols = QueueColumns()
    for s in rows:
        cols.put(s)
    ctx = ViewContext(now=NOW, emergency_codes=frozenset({"E0401"}))
    for view in (View.ALL_ACTIVE, View.OVERDUE, View.TO_DISPATCH, View.EMERGENCY):
        mask = cols.view_mask(view, ctx)
        assert int(mask.sum()) == sum(1 for s in rows if in_view(view, s, ctx)), view
        assert len(cols.ordered(mask, "due")) == int(mask.sum())
    active = cols.view_mask(View.ALL_ACTIVE, ctx)
    assert len(cols.ordered(active, "number", descending=True)) == int(active.sum())
