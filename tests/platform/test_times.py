"""One clock: every time in the city's zone, written the same way, and the zone named once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.platform import times


@pytest.fixture(autouse=True)
def shanghai():
    times.set_city_zone(ZoneInfo("Asia/Shanghai"))
    yield
    times.set_city_zone(None)


def test_utc_with_microseconds_reads_as_city_time_to_the_minute():
    # 12:21:07.123456 UTC is 20:21 in Shanghai (UTC+8): no microseconds, no ISO "T", no zone suffix
    moment = datetime(2026, 3, 2, 12, 21, 7, 123456, tzinfo=timezone.utc)
    assert times.fmt(moment) == "2026-03-02 20:21"
    assert times.fmt(moment, "seconds") == "2026-03-02 20:21:07"
    assert times.fmt(moment, "time") == "20:21"
    assert times.fmt("2026-03-02T12:21:07.123456+00:00") == "2026-03-02 20:21"
    assert times.fmt("2026-03-02T23:00:00-05:00") == "2026-03-03 12:00"  # another zone's text, same instant


def test_nothing_and_unreadable_text():
    assert times.fmt(None) == "" and times.fmt("") == ""
    assert times.fmt("not a time") == "not a time"


def test_the_day_changes_in_the_city_not_in_utc():
    # 16:30 UTC on 2 March is 00:30 on 3 March in Shanghai
    assert times.fmt(datetime(2026, 3, 2, 16, 30, tzinfo=timezone.utc)) == "2026-03-03 00:30"
    now = datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc)
    assert times.fmt_relative_day(datetime(2026, 3, 2, 16, 30, tzinfo=timezone.utc), now) == "00:30:00"
    assert times.fmt_relative_day(datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc), now) == "2026-03-02 23:30"


def test_zone_label_names_the_zone_once():
    assert times.zone_label(datetime(2026, 3, 2, tzinfo=timezone.utc)) == "Times in Asia/Shanghai (UTC+08:00)"
    times.set_city_zone(ZoneInfo("America/St_Johns"))
    assert times.zone_label(datetime(2026, 1, 2, tzinfo=timezone.utc)) == "Times in America/St_Johns (UTC-03:30)"


def test_durations_in_days_hours_minutes():
    assert times.duration_text(timedelta(hours=9, minutes=49)) == "9 h 49 min"
    assert times.duration_text(timedelta(days=2, hours=3)) == "2 d 3 h"
    assert times.duration_text(timedelta(seconds=20)) == "0 min"
    assert times.duration_text(-timedelta(minutes=45)) == "-45 min"
