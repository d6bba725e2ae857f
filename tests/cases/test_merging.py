"""The repeat rule (app/cases/merging.py) with hand-worked examples, and the duplicate dialog's use of it."""
from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone

from app.cases import merging
from app.cases.duplicates import find_duplicates
from app.cases.merging import Candidate, cell_of, cells_near, likely_master, open_cell
from app.platform.enums import Status
from app.refdata.loading import load_demo_refdata

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
LAT, LON = 30.25, 120.16
REF = load_demo_refdata()  # the demo city's categories.csv carries the rules (merge_radius_m, …)


def test_cell_of_by_hand():
    # 30.25 / 0.002 = 15125 → row 15125 + 45000 = 60125; 120.16 / 0.002 = 60080 → col 60080 + 90000 = 150080
    assert cell_of(30.2501, 120.1601) == 60125 * 1_000_000 + 150080
    # the south-west corner belongs to the cell, the next step north to the next row
    assert cell_of(30.2521, 120.1601) == 60126 * 1_000_000 + 150080
    assert cell_of(-0.0001, -0.0001) == (45_000 - 1) * 1_000_000 + 90_000 - 1  # floor, not truncation


def test_cells_near_cover_the_radius():
    cells = cells_near(LAT + 0.001, LON + 0.001, 200)
    # 200 m is 0.0018° of latitude and 0.0021° of longitude at 30.25°N: one row and one column either side
    assert len(cells) == 9 and cell_of(LAT + 0.001, LON + 0.001) in cells
    for bearing in range(0, 360, 15):  # every point 199 m away falls in one of them
        dlat = 199 * math.cos(math.radians(bearing)) / 111_195
        dlon = 199 * math.sin(math.radians(bearing)) / (111_195 * math.cos(math.radians(LAT)))
        assert cell_of(LAT + 0.001 + dlat, LON + 0.001 + dlon) in cells
    assert len(cells_near(LAT, LON, 50_000)) <= 13 * 13  # capped at 1 km


def test_open_cell_only_for_open_cases():
    assert open_cell(Status.DISPATCHED, LAT, LON) == cell_of(LAT, LON)
    for ended in (Status.CLOSED, Status.VOIDED, Status.MERGED):
        assert open_cell(ended, LAT, LON) is None


def _c(metres_north: float, *, category="C0101", age=timedelta(hours=1)) -> Candidate:
    return Candidate(uuid.uuid4(), f"2026-{int(metres_north):06d}", category, LAT + metres_north / 111_195, LON,
                     T0 - age)


def test_likely_master_is_the_nearest_then_the_oldest():
    near, nearer, far = _c(150), _c(40), _c(260)
    older_twin = _c(40, age=timedelta(hours=5))
    found = likely_master([near, nearer, far, older_twin], case_id=uuid.uuid4(), category_code="C0101", lat=LAT,
                          lon=LON, reported_at=T0, refdata=REF)
    assert found is not None and found.master == older_twin  # 40 m either way: the older one is the master
    assert abs(found.distance_m - 40) < 0.5


def test_likely_master_respects_category_window_and_self():
    new_id = uuid.uuid4()
    assert likely_master([_c(10, category="C0110")], case_id=new_id, category_code="C0101", lat=LAT, lon=LON,
                         reported_at=T0, refdata=REF) is None                      # street lamp ≠ manhole cover
    assert likely_master([_c(10, category="C0103")], case_id=new_id, category_code="C0101", lat=LAT, lon=LON,
                         reported_at=T0, refdata=REF) is not None                  # storm drain cover: related
    assert likely_master([_c(10, age=timedelta(hours=73))], case_id=new_id, category_code="C0101", lat=LAT,
                         lon=LON, reported_at=T0, refdata=REF) is None             # 73 h > 72 h
    me = Candidate(new_id, None, "C0101", LAT, LON, T0)
    assert likely_master([me], case_id=new_id, category_code="C0101", lat=LAT, lon=LON, reported_at=T0, refdata=REF) is None


def test_category_rules():
    assert merging.rule_for("C0101", REF) == merging.MergeRule(200.0, timedelta(hours=72))
    waterlogging = merging.rule_for("E0401", REF)
    assert waterlogging.radius_m == 300 and waterlogging.window == timedelta(hours=24)
    # 250 m is a repeat of waterlogging (300 m) but not of a manhole cover (200 m)
    assert likely_master([_c(250, category="E0401")], case_id=uuid.uuid4(), category_code="E0401", lat=LAT,
                         lon=LON, reported_at=T0, refdata=REF) is not None
    assert likely_master([_c(250)], case_id=uuid.uuid4(), category_code="C0101", lat=LAT, lon=LON,
                         reported_at=T0, refdata=REF) is None


def test_merge_refusal():
    a, b = uuid.uuid4(), uuid.uuid4()
    assert "itself" in merging.merge_refusal(a, a, Status.REPORTED)
    assert "no master" in merging.merge_refusal(a, b, None)
    assert "merged" in merging.merge_refusal(a, b, Status.MERGED)
    assert merging.merge_refusal(a, b, Status.DISPATCHED) is None


def test_the_duplicate_dialog_uses_the_same_rule():
    from app.cases.summary import CaseSummary
    from app.platform.enums import Priority, Source

    def summary(metres, category="C0101", status=Status.REGISTERED):
        return CaseSummary(uuid.uuid4(), "2026-000001", None, status, Priority.ORDINARY, category, None, None,
                           LAT + metres / 111_195, LON, Source.HOTLINE, T0 - timedelta(hours=1), T0, None, None,
                           0, 0, False, 1)
    rows = [summary(20), summary(20, "C0102"), summary(20, "C0110"), summary(20, status=Status.MERGED),
            summary(250)]
    found = find_duplicates(rows, "C0101", LAT, LON, T0, refdata=REF)
    assert [d.summary for d in found] == rows[:2]


def with_rules(refdata, **rules: dict):
    """`refdata` with some categories' repeat rule changed (the way an admin's import changes it)."""
    from app.refdata.model import RefData

    data = refdata.to_dict(include_secrets=True)
    data.pop("version")
    data["categories"] = [c | rules.get(c["code"], {}) for c in data["categories"]]
    return RefData.from_dict(data)


def test_the_rule_is_the_reference_datas():
    assert [c.code for c in REF.categories if c.merge_group == "manhole_cover"] == ["C0101", "C0102", "C0103"]
    assert merging.rule_for("E0501", REF) == merging.MergeRule(100.0, timedelta(hours=12))
    assert merging.rule_for("E0401") == merging.MergeRule(), "without reference data: the defaults, 200 m / 72 h"
    assert merging.rule_for("X9999", REF) == merging.MergeRule(), "a code the reference data does not know"
    # C0110 given its own radius and window: 350 m and 3 h old is a repeat only under its own rule
    ref = with_rules(REF, C0110={"merge_radius_m": 400, "merge_window_h": 2},
                     C0104={"merge_group": "manhole_cover"})
    far_recent = _c(350, category="C0110", age=timedelta(hours=1))
    old_near = _c(20, category="C0110", age=timedelta(hours=3))
    for refdata, expected in ((REF, None), (ref, far_recent)):
        found = likely_master([far_recent], case_id=uuid.uuid4(), category_code="C0110", lat=LAT, lon=LON,
                              reported_at=T0, refdata=refdata)
        assert (found.master if found else None) == expected
    assert likely_master([old_near], case_id=uuid.uuid4(), category_code="C0110", lat=LAT, lon=LON,
                         reported_at=T0, refdata=REF) is not None          # 3 h < 72 h
    assert likely_master([old_near], case_id=uuid.uuid4(), category_code="C0110", lat=LAT, lon=LON,
                         reported_at=T0, refdata=ref) is None              # 3 h > its 2 h
    # a group grows by the reference data: the gully grate joins the covers
    assert merging.related_categories("C0104", ref) == {"C0101", "C0102", "C0103", "C0104"}
    assert merging.related_categories("C0104", REF) == {"C0104"}


def test_bad_rules_are_refused_naming_the_category():
    import pytest

    from app.refdata.errors import RefDataError

    for bad in ({"merge_radius_m": 0}, {"merge_radius_m": 5000}, {"merge_window_h": "soon"},
                {"merge_group": "two words"}):
        with pytest.raises(RefDataError, match="C0110"):
            with_rules(REF, C0110=bad)
