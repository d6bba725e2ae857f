"""Tests for app.refdata.timelimits: working-time arithmetic, deadlines, suspension, extension, configuration."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.refdata.time_fields import TimeLimitError
from app.refdata.timelimits import (
    Limit,
    TimeLimitPolicy,
    deadline,
    extend,
    is_overdue,
    on_time,
    remaining,
    shift_for_suspension,
)
from app.refdata.work_calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc
H = timedelta(hours=1)
M = timedelta(minutes=1)

# China's National Day 2026: Thu 10-01 .. Wed 10-07 off; make-up working days Sun 09-27 and Sat 10-10.
NATIONAL_DAY = frozenset(date(2026, 10, d) for d in range(1, 8))
MAKEUP = frozenset({date(2026, 9, 27), date(2026, 10, 10)})
CAL = WorkCalendar(holidays=NATIONAL_DAY, extra_workdays=MAKEUP)


def sh(y, mo, d, hh=0, mm=0, ss=0):
    return datetime(y, mo, d, hh, mm, ss, tzinfo=SH)


def add(start, **kw):
    out = CAL.add_working(start, timedelta(**kw))
    assert out.tzinfo is UTC
    return out


# ------------------------------------------------------------------------------------------------
# add_working: the basic shapes


def test_defaults():
    cal = WorkCalendar()
    assert cal.tz.key == "Asia/Shanghai"
    assert cal.minutes_per_day() == 420
    assert cal.weekdays == frozenset(range(5))


def test_within_one_period():
    assert add(sh(2026, 11, 23, 9, 0), hours=2) == sh(2026, 11, 23, 11, 0)  # Monday
    assert add(sh(2026, 11, 23, 8, 30), minutes=210) == sh(2026, 11, 23, 12, 0)  # ends at 12:00, not 14:00


def test_crossing_lunch():
    assert add(sh(2026, 11, 23, 11, 0), hours=2) == sh(2026, 11, 23, 15, 0)
    assert add(sh(2026, 11, 23, 11, 59), minutes=2) == sh(2026, 11, 23, 14, 1)


def test_crossing_overnight():
    assert add(sh(2026, 11, 23, 17, 0), hours=1) == sh(2026, 11, 24, 9, 0)
    assert add(sh(2026, 11, 23, 17, 30), hours=7) == sh(2026, 11, 24, 17, 30)  # exactly one working day


def test_across_weekend():
    assert add(sh(2026, 11, 27, 17, 0), hours=1) == sh(2026, 11, 30, 9, 0)  # Fri -> Mon
    assert add(sh(2026, 11, 27, 8, 30), hours=14) == sh(2026, 11, 30, 17, 30)  # two full working days


def test_across_national_day_holiday_block():
    for d in range(1, 8):
        assert not CAL.is_working_day(date(2026, 10, d))
    assert CAL.is_working_day(date(2026, 10, 8))
    # Wed 09-30 17:00 + 1 h: 30 min that evening, then nothing until Thu 10-08
    assert add(sh(2026, 9, 30, 17, 0), hours=1) == sh(2026, 10, 8, 9, 0)
    assert CAL.working_between(sh(2026, 9, 30, 17, 30), sh(2026, 10, 8, 8, 30)) == timedelta(0)


def test_makeup_working_sunday_and_saturday():
    assert date(2026, 9, 27).weekday() == 6 and CAL.is_working_day(date(2026, 9, 27))
    assert not CAL.is_working_day(date(2026, 9, 26))  # ordinary Saturday
    assert add(sh(2026, 9, 25, 17, 0), hours=1) == sh(2026, 9, 27, 9, 0)  # Fri -> make-up Sun
    assert add(sh(2026, 10, 9, 17, 0), hours=1) == sh(2026, 10, 10, 9, 0)  # Fri -> make-up Sat
    # without the make-up days the same count lands on Monday
    plain = WorkCalendar(holidays=NATIONAL_DAY)
    assert plain.add_working(sh(2026, 9, 25, 17, 0), H) == sh(2026, 9, 28, 9, 0)


@pytest.mark.parametrize(
    "start, expected",
    [
        (sh(2026, 11, 23, 7, 0), sh(2026, 11, 23, 9, 30)),  # before 08:30
        (sh(2026, 11, 23, 12, 30), sh(2026, 11, 23, 15, 0)),  # at lunch
        (sh(2026, 11, 23, 22, 0), sh(2026, 11, 24, 9, 30)),  # at night
        (sh(2026, 11, 24, 3, 0), sh(2026, 11, 24, 9, 30)),  # small hours
        (sh(2026, 11, 28, 10, 0), sh(2026, 11, 30, 9, 30)),  # Saturday
        (sh(2026, 10, 3, 10, 0), sh(2026, 10, 8, 9, 30)),  # on a public holiday
        (sh(2026, 11, 23, 17, 30), sh(2026, 11, 24, 9, 30)),  # at the close
    ],
)
def test_start_outside_working_time(start, expected):
    assert CAL.add_working(start, H) == expected


def test_zero_duration_returns_start_in_utc():
    for start in (sh(2026, 11, 23, 22, 0), sh(2026, 10, 3, 10, 0), sh(2026, 11, 23, 9, 0)):
        out = CAL.add_working(start, timedelta(0))
        assert out == start and out.tzinfo is UTC


def test_start_in_any_zone_result_in_utc():
    start_utc = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    start_ny = start_utc.astimezone(NY)
    assert CAL.add_working(start_utc, H) == CAL.add_working(start_ny, H) == sh(2026, 11, 23, 10, 0)
    assert CAL.add_working(start_ny, H).tzinfo is UTC


def test_sub_minute_precision():
    assert add(sh(2026, 11, 23, 11, 59, 30), seconds=45) == sh(2026, 11, 23, 14, 0, 15)


# ------------------------------------------------------------------------------------------------
# long durations against a brute-force minute-stepping reference


def _brute_add(cal: WorkCalendar, start: datetime, minutes: int) -> datetime:
    """Step minute by minute from ``start`` (minute-aligned, UTC+8 calendar) counting working minutes."""
    local = start.astimezone(cal.tz).replace(tzinfo=None)
    assert local.second == 0 and local.microsecond == 0
    origin = datetime.combine(local.date(), time())
    spans = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in cal.periods]
    day_ok: dict[int, bool] = {}
    m = (local - origin) // M
    count = 0
    while count < minutes:
        day, mod = divmod(m, 1440)
        ok = day_ok.get(day)
        if ok is None:
            ok = day_ok[day] = cal.is_working_day(origin.date() + timedelta(days=day))
        if ok:
            for s, e in spans:
                if s <= mod < e:
                    count += 1
                    break
        m += 1
    return (origin + timedelta(minutes=m)).replace(tzinfo=cal.tz)


def test_ninety_working_days_matches_brute_force():
    rng = random.Random(20261001)
    minutes = 90 * CAL.minutes_per_day()
    base = sh(2026, 8, 1)
    for _ in range(3):
        start = base + timedelta(minutes=rng.randrange(0, 100 * 1440))
        expected = _brute_add(CAL, start, minutes)
        assert CAL.add_working(start, timedelta(minutes=minutes)) == expected, start
        assert CAL.working_between(start, expected) == timedelta(minutes=minutes)


def test_short_durations_match_brute_force():
    rng = random.Random(7)
    base = sh(2026, 9, 20)
    for _ in range(60):
        start = base + timedelta(minutes=rng.randrange(0, 30 * 1440))
        minutes = rng.randrange(1, 3 * 420)
        assert CAL.add_working(start, timedelta(minutes=minutes)) == _brute_add(CAL, start, minutes), (start, minutes)


def test_very_long_duration():
    five_years = timedelta(minutes=5 * 250 * 420)
    due = CAL.add_working(sh(2026, 1, 5, 8, 30), five_years)
    assert CAL.working_between(sh(2026, 1, 5, 8, 30), due) == five_years
    assert due.year in (2030, 2031)


# ------------------------------------------------------------------------------------------------
# working_between


def test_working_between_basics():
    mon = sh(2026, 11, 23)
    assert CAL.working_between(mon, mon + timedelta(days=1)) == timedelta(hours=7)
    assert CAL.working_between(mon, mon + timedelta(days=7)) == timedelta(hours=35)
    assert CAL.working_between(sh(2026, 11, 23, 11, 0), sh(2026, 11, 23, 15, 0)) == timedelta(hours=2)
    assert CAL.working_between(sh(2026, 11, 28), sh(2026, 11, 30)) == timedelta(0)  # weekend
    assert CAL.working_between(sh(2026, 11, 23, 15, 0), sh(2026, 11, 23, 11, 0)) == -timedelta(hours=2)
    a = sh(2026, 11, 23, 9, 0)
    assert CAL.working_between(a, a) == timedelta(0)
    assert CAL.working_between(a.astimezone(UTC), a.astimezone(NY) + H) == H


def test_working_between_inverts_add_working_property():
    rng = random.Random(12345)
    base = sh(2026, 9, 1)
    for _ in range(400):
        start = base + timedelta(seconds=rng.randrange(0, 90 * 86400))
        dur = timedelta(seconds=rng.randrange(1, 20 * 420 * 60))
        due = CAL.add_working(start, dur)
        assert due >= start
        assert CAL.working_between(start, due) == dur, (start, dur)
        assert CAL.working_between(due, start) == -dur
        # and the other way round: counting the working time of [start, end) never overshoots end
        end = start + timedelta(seconds=rng.randrange(0, 20 * 86400))
        w = CAL.working_between(start, end)
        back = CAL.add_working(start, w)
        assert back <= end and CAL.working_between(back, end) == timedelta(0)


# ------------------------------------------------------------------------------------------------
# other zones, DST


def test_dst_zone_periods_in_local_wall_time():
    cal = WorkCalendar(tz=NY, periods=((time(9), time(17)),))
    # Fri 2026-03-06 16:00 EST + 2 h: one hour Friday, one hour Monday 03-09 (now EDT, UTC-4)
    out = cal.add_working(datetime(2026, 3, 6, 16, 0, tzinfo=NY), 2 * H)
    assert out == datetime(2026, 3, 9, 10, 0, tzinfo=NY)
    assert out == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert cal.working_between(datetime(2026, 3, 2, tzinfo=NY), datetime(2026, 3, 14, tzinfo=NY)) == 80 * H


def test_dst_day_counts_real_elapsed_time():
    # a period 01:00-04:00 on the spring-forward Sunday lasts only two real hours
    cal = WorkCalendar(tz=NY, periods=((time(1), time(4)),), weekdays=frozenset(range(7)))
    day = datetime(2026, 3, 8, tzinfo=NY)
    assert cal.working_between(day, day + timedelta(days=1)) == 2 * H
    assert cal.working_between(datetime(2026, 11, 1, tzinfo=NY), datetime(2026, 11, 2, tzinfo=NY)) == 4 * H
    start = datetime(2026, 3, 8, 1, 0, tzinfo=NY)
    assert cal.add_working(start, 2 * H) == datetime(2026, 3, 8, 4, 0, tzinfo=NY)


# ------------------------------------------------------------------------------------------------
# deadlines, remaining, overdue


def test_calendar_vs_working_limits():
    fri = sh(2026, 11, 27, 17, 0)
    assert deadline(fri, Limit(120, False), CAL) == sh(2026, 11, 27, 19, 0)
    assert deadline(fri, Limit(120, True), CAL) == sh(2026, 11, 30, 10, 0)
    assert deadline(fri, Limit(120, False), CAL).tzinfo is UTC
    assert deadline(fri, Limit(120, True), CAL).tzinfo is UTC


def test_remaining_and_overdue():
    due = sh(2026, 11, 30, 10, 0)  # Monday
    fri = sh(2026, 11, 27, 17, 0)
    assert remaining(fri, due, False, CAL) == timedelta(hours=65)
    assert remaining(fri, due, True, CAL) == timedelta(hours=2)
    late = sh(2026, 11, 30, 11, 0)
    assert remaining(late, due, True, CAL) == -H
    assert remaining(late, due, False, CAL) == -H
    assert is_overdue(due, late) and not is_overdue(due, due) and not is_overdue(due, fri)
    assert on_time(due, due) and on_time(fri, due) and not on_time(due + timedelta(seconds=1), due)
    assert is_overdue(due.astimezone(UTC), late.astimezone(NY))


def test_naive_datetimes_refused():
    naive = datetime(2026, 11, 23, 9, 0)
    aware = sh(2026, 11, 23, 9, 0)
    calls = [
        lambda: CAL.add_working(naive, H),
        lambda: CAL.working_between(naive, aware),
        lambda: CAL.working_between(aware, naive),
        lambda: deadline(naive, Limit(30, False), CAL),
        lambda: deadline(naive, Limit(30, True), CAL),
        lambda: remaining(naive, aware, False, CAL),
        lambda: is_overdue(aware, naive),
        lambda: on_time(naive, aware),
        lambda: shift_for_suspension(aware, naive, aware, True, CAL),
        lambda: extend(naive, Limit(30, False), CAL),
    ]
    for call in calls:
        with pytest.raises(TimeLimitError, match="naive datetime"):
            call()


def test_negative_duration_refused():
    with pytest.raises(TimeLimitError, match="duration"):
        CAL.add_working(sh(2026, 11, 23, 9), -H)


# ------------------------------------------------------------------------------------------------
# suspension and extension


def test_suspend_with_time_left_calendar_mode():
    due = sh(2026, 11, 23, 12, 0)
    out = shift_for_suspension(due, sh(2026, 11, 23, 11, 0), sh(2026, 11, 23, 20, 0), False, CAL)
    assert out == sh(2026, 11, 23, 21, 0) and out.tzinfo is UTC


def test_suspend_with_time_left_working_mode():
    due = sh(2026, 11, 23, 15, 0)  # 2 h of working time left at 11:00 (one before lunch, one after)
    out = shift_for_suspension(due, sh(2026, 11, 23, 11, 0), sh(2026, 11, 24, 9, 0), True, CAL)
    assert out == sh(2026, 11, 24, 11, 0)


def test_suspend_across_weekend_working_mode():
    due = sh(2026, 11, 30, 10, 30)  # Monday; at Fri 16:30 there are 1 h Friday + 2 h Monday left
    out = shift_for_suspension(due, sh(2026, 11, 27, 16, 30), sh(2026, 11, 28, 10, 0), True, CAL)
    assert out == sh(2026, 11, 30, 11, 30)
    # resumed late Monday: the same 3 h run from then (1.5 h Monday, 1.5 h Tuesday)
    out = shift_for_suspension(due, sh(2026, 11, 27, 16, 30), sh(2026, 11, 30, 16, 0), True, CAL)
    assert out == sh(2026, 12, 1, 10, 0)


def test_suspend_when_already_overdue_stays_overdue_by_same_amount():
    due = sh(2026, 11, 23, 10, 0)
    suspended, resumed = sh(2026, 11, 23, 11, 0), sh(2026, 11, 25, 9, 0)
    out = shift_for_suspension(due, suspended, resumed, False, CAL)
    assert out == resumed - H and is_overdue(out, resumed)
    out = shift_for_suspension(due, suspended, resumed, True, CAL)
    assert out == resumed - H and is_overdue(out, resumed)


def test_suspend_exactly_at_due_and_zero_length_suspension():
    due = sh(2026, 11, 23, 10, 0)
    assert shift_for_suspension(due, due, sh(2026, 11, 24, 9), True, CAL) == sh(2026, 11, 24, 9)
    t = sh(2026, 11, 23, 9, 0)
    assert shift_for_suspension(due, t, t, True, CAL) == due
    assert shift_for_suspension(due, t, t, False, CAL) == due


def test_resume_before_suspend_refused():
    with pytest.raises(TimeLimitError, match="resumed_at"):
        shift_for_suspension(sh(2026, 11, 23, 12), sh(2026, 11, 23, 11), sh(2026, 11, 23, 10), True, CAL)


def test_extension_in_its_own_mode():
    due = sh(2026, 11, 27, 17, 0)  # Friday
    assert extend(due, Limit(60, True), CAL) == sh(2026, 11, 30, 9, 0)
    assert extend(due, Limit(60, False), CAL) == sh(2026, 11, 27, 18, 0)
    # three working days: 0.5 h Fri, 7 h Mon, 7 h Tue, 6.5 h Wed
    assert extend(due, Limit(3 * 420, True), CAL) == sh(2026, 12, 2, 17, 0)
    out = extend(due, Limit(60, False), CAL)
    assert out.tzinfo is UTC


# ------------------------------------------------------------------------------------------------
# no working days


def test_calendar_without_working_days_guarded():
    cal = WorkCalendar(weekdays=frozenset())
    with pytest.raises(TimeLimitError, match="weekdays"):
        cal.add_working(sh(2026, 11, 23, 9), H)
    assert cal.add_working(sh(2026, 11, 23, 9), timedelta(0)) == sh(2026, 11, 23, 9)
    assert cal.working_between(sh(2026, 11, 1), sh(2026, 12, 1)) == timedelta(0)
    only_makeup = WorkCalendar(weekdays=frozenset(), extra_workdays=frozenset({date(2026, 11, 28)}))
    assert only_makeup.add_working(sh(2026, 11, 23, 9), H) == sh(2026, 11, 28, 9, 30)
    with pytest.raises(TimeLimitError, match="no working days"):
        only_makeup.add_working(sh(2026, 11, 23, 9), 8 * H)
    with pytest.raises(TimeLimitError, match="periods"):
        WorkCalendar(periods=()).add_working(sh(2026, 11, 23, 9), H)


# ------------------------------------------------------------------------------------------------
# configuration: parsing, validation, round trips

CALENDAR_JSON = {
    "timezone": "Asia/Shanghai",
    "periods": [["08:30", "12:00"], ["14:00", "17:30"]],
    "weekdays": [0, 1, 2, 3, 4],
    "holidays": [f"2026-10-0{d}" for d in range(1, 8)],
    "extra_workdays": ["2026-09-27", "2026-10-10"],
    "stage_limits": {
        "register": {"minutes": 30, "working": False},
        "dispatch": {"hours": 1, "working": True},
        "verify": {"minutes": 120, "working": False},
    },
}


def test_calendar_from_dict():
    cal = WorkCalendar.from_dict(CALENDAR_JSON)
    assert cal == CAL
    assert WorkCalendar.from_dict({}) == WorkCalendar()
    unsorted = WorkCalendar.from_dict({"periods": [["14:00", "17:30"], ["08:30", "12:00"]]})
    assert unsorted.periods == WorkCalendar().periods


def test_calendar_round_trip():
    assert WorkCalendar.from_dict(CAL.to_dict()) == CAL
    other = WorkCalendar(tz=NY, periods=((time(9), time(13)), (time(13), time(18, 15))), weekdays=frozenset({0, 2, 5}))
    d = other.to_dict()
    assert d["timezone"] == "America/New_York" and d["periods"] == [["09:00", "13:00"], ["13:00", "18:15"]]
    assert WorkCalendar.from_dict(d) == other
    assert CAL.to_dict()["holidays"][0] == "2026-10-01"


def test_limit_from_dict_units_and_round_trip():
    assert Limit.from_dict({"minutes": 120, "working": False}) == Limit(120, False)
    assert Limit.from_dict({"hours": 2, "working": False}) == Limit(120, False)
    assert Limit.from_dict({"hours": 1.5, "working": True}) == Limit(90, True)
    assert Limit.from_dict({"days": 1, "working": True}) == Limit(420, True)
    assert Limit.from_dict({"days": 1, "working": False}) == Limit(1440, False)
    eight_hours = WorkCalendar(periods=((time(9), time(12)), (time(13), time(18))))
    assert Limit.from_dict({"days": 3, "working": True}, eight_hours) == Limit(3 * 480, True)
    for lim in (Limit(1, True), Limit(4321, False)):
        assert Limit.from_dict(lim.to_dict()) == lim
    assert Limit(120, False).to_dict() == {"minutes": 120, "working": False}


@pytest.mark.parametrize(
    "d, field",
    [
        ({"minutes": 0, "working": False}, "minutes"),
        ({"minutes": -5, "working": False}, "minutes"),
        ({"minutes": "30", "working": False}, "minutes"),
        ({"minutes": 1.5, "working": False}, "minutes"),
        ({"minutes": True, "working": False}, "minutes"),
        ({"hours": "2", "working": False}, "hours"),
        ({"hours": 0.01, "working": False}, "hours"),
        ({"days": -1, "working": True}, "days"),
        ({"minutes": 30}, "working"),
        ({"minutes": 30, "working": "yes"}, "working"),
        ({"minutes": 30, "hours": 1, "working": True}, "exactly one"),
        ({"working": True}, "exactly one"),
        ({"minutes": 30, "working": True, "mins": 3}, "mins"),
        ([30, True], "limit"),
    ],
)
def test_limit_from_dict_errors_name_the_field(d, field):
    with pytest.raises(TimeLimitError) as exc:
        Limit.from_dict(d)
    assert field in str(exc.value)


def test_limit_constructor_validation():
    with pytest.raises(TimeLimitError, match="minutes"):
        Limit(0, True)
    with pytest.raises(TimeLimitError, match="working"):
        Limit(10, 1)


@pytest.mark.parametrize(
    "d, field, bad",
    [
        ({"periods": [["08:30", "25:00"]]}, "periods", "25:00"),
        ({"periods": [["8.30", "12:00"]]}, "periods", "8.30"),
        ({"periods": [["08:30", "12:00"], ["11:00", "13:00"]]}, "periods", "11:00"),
        ({"periods": [["12:00", "08:30"]]}, "periods", "12:00"),
        ({"periods": [["08:30"]]}, "periods", "08:30"),
        ({"periods": []}, "periods", "[]"),
        ({"periods": "08:30-12:00"}, "periods", "08:30-12:00"),
        ({"weekdays": [0, 7]}, "weekdays", "7"),
        ({"weekdays": ["mon"]}, "weekdays", "mon"),
        ({"weekdays": []}, "weekdays", "no working days"),
        ({"holidays": ["2026-13-01"]}, "holidays", "2026-13-01"),
        ({"holidays": ["2026/10/01"]}, "holidays", "2026/10/01"),
        ({"extra_workdays": ["27 Sep 2026"]}, "extra_workdays", "27 Sep 2026"),
        ({"holidays": ["2026-10-01"], "extra_workdays": ["2026-10-01"]}, "extra_workdays", "2026-10-01"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Mars/Olympus_Mons"),
        ({"timezone": 8}, "timezone", "8"),
        ({"weekday": [0]}, "weekday", "unknown"),
    ],
)
def test_calendar_from_dict_errors_name_the_field(d, field, bad):
    with pytest.raises(TimeLimitError) as exc:
        WorkCalendar.from_dict(d)
    msg = str(exc.value)
    assert field in msg and bad in msg, msg


def test_calendar_constructor_validation():
    with pytest.raises(TimeLimitError, match="periods"):
        WorkCalendar(periods=((time(9), time(12)), (time(11), time(13))))
    with pytest.raises(TimeLimitError, match="weekdays"):
        WorkCalendar(weekdays=frozenset({-1}))
    with pytest.raises(TimeLimitError, match="holidays"):
        WorkCalendar(holidays=frozenset({"2026-10-01"}))
    cal = WorkCalendar(weekdays=[0, 1], holidays={date(2026, 10, 1)}, periods=[[time(9), time(10)]])
    assert cal.weekdays == frozenset({0, 1}) and cal.periods == ((time(9), time(10)),)
    hash(cal)


def test_policy_from_dict_and_defaults():
    policy = TimeLimitPolicy.from_dict(CALENDAR_JSON)
    assert policy.calendar == CAL
    assert policy.stage_limit("register") == Limit(30, False)
    assert policy.stage_limit("dispatch") == Limit(60, True)
    assert policy.stage_limit("verify") == Limit(120, False)
    bare = TimeLimitPolicy.from_dict({})
    assert bare.stage_limit("register") == Limit(30, False)
    assert bare.stage_limit("dispatch") == Limit(30, False)
    assert bare.stage_limit("verify") == Limit(120, False)
    partial = TimeLimitPolicy.from_dict({"stage_limits": {"verify": {"days": 1, "working": True}}})
    assert partial.stage_limit("verify") == Limit(420, True) and partial.stage_limit("register") == Limit(30, False)


def test_policy_days_use_the_policy_calendar():
    d = {"periods": [["09:00", "12:00"], ["13:00", "18:00"]], "stage_limits": {"verify": {"days": 2, "working": True}}}
    assert TimeLimitPolicy.from_dict(d).stage_limit("verify") == Limit(960, True)


def test_policy_round_trip():
    policy = TimeLimitPolicy.from_dict(CALENDAR_JSON)
    d = policy.to_dict()
    assert d["stage_limits"]["dispatch"] == {"minutes": 60, "working": True}
    assert set(d) == {"timezone", "periods", "weekdays", "holidays", "extra_workdays", "stage_limits"}
    assert TimeLimitPolicy.from_dict(d) == policy
    assert TimeLimitPolicy.from_dict(TimeLimitPolicy.from_dict({}).to_dict()) == TimeLimitPolicy.from_dict({})


@pytest.mark.parametrize(
    "d, field",
    [
        ({"stage_limits": {"verify": {"minutes": -1, "working": False}}}, "stage_limits.verify.minutes"),
        ({"stage_limits": {"register": {"minutes": 30}}}, "stage_limits.register.working"),
        ({"stage_limits": {"closing": {"minutes": 30, "working": False}}}, "stage_limits"),
        ({"stage_limits": {"handle": {"minutes": 30, "working": False}}}, "handle"),
        ({"stage_limits": [1, 2]}, "stage_limits"),
        ({"periods": [["08:30", "25:00"]], "stage_limits": {}}, "periods"),
    ],
)
def test_policy_from_dict_errors_name_the_field(d, field):
    with pytest.raises(TimeLimitError) as exc:
        TimeLimitPolicy.from_dict(d)
    assert field in str(exc.value)


def test_stage_limit_unknown_stage():
    policy = TimeLimitPolicy.from_dict({})
    with pytest.raises(TimeLimitError, match="unknown stage"):
        policy.stage_limit("nope")
    with pytest.raises(TimeLimitError, match="category"):
        policy.stage_limit("handle")


def test_time_limit_error_is_value_error():
    assert issubclass(TimeLimitError, ValueError)
