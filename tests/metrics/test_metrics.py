"""Performance metrics on a hand-scripted day (tests/support/metrics_history.py): every expected number below was
worked out by hand from the definitions in DOMAIN.md, not by running the code.

Period: the local day 2026-11-23 (Asia/Shanghai) = [2026-11-22 16:00Z, 2026-11-23 16:00Z); as_of is the
next day, so the whole period has passed. B = 2026-11-23 01:00Z.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.metrics import figures as m
from tests.support import metrics_history as hist

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
B = hist.B
H, M = hist.H, hist.M


@pytest.fixture(scope="module")
def cases(refdata):
    return hist.build_cases(refdata)


def report(cases, refdata, unit=None, rollup=True, start=DAY, end=DAY, as_of=AS_OF):
    return m.compute_offline(cases.values(), refdata, start, end, unit, rollup, as_of)


def fig(rep, key):
    return rep.figure(key)


def test_counts_city_wide(cases, refdata):
    rep = report(cases, refdata)
    # registered: A B C D E H (G was registered at 23:50 the day before; F was voided, never registered)
    assert fig(rep, "registered").value == 6
    # dispatches: A, B, C twice (after its return), D, E, G (00:05), H (23:20)
    assert fig(rep, "dispatched").value == 8
    # handling reports: A, B twice (rework), C, D, E
    assert fig(rep, "handled").value == 6
    assert fig(rep, "closed").value == 2  # A, B


def test_rates_city_wide(cases, refdata):
    rep = report(cases, refdata)
    # handling tasks due in the day: A B+2h20 met; B B+2h10 missed (handled B+3h, and its first report failed
    # verification: the rework continues the same task against the same deadline); C's second task B+2h50
    # met (its first ended with the return: the dispatch post's, not counted); D B+5h10 (moved by the
    # suspension) met; E B+3h30 (moved by the extension) met; G 18:05Z the day before = 02:05 local, missed.
    # H falls due the next day.
    f = fig(rep, "on_time_handling_rate")
    assert (f.numerator, f.denominator) == (4, 6)
    assert f.value == pytest.approx(4 / 6)
    # closing (verification) deadlines: A B+3h20 met, B B+6h met (its first round ended by the failed
    # verification: not counted), C B+3h50, D B+7h, E B+5h20 open and past: missed.
    f = fig(rep, "on_time_closure_rate")
    assert (f.numerator, f.denominator) == (2, 5)
    # closure: the cases registered in the day, A B C D E H (F voided, G registered the day before), of
    # which A and B are closed by its end; none is suspended at the end (D was resumed): 2 / (6 − 0)
    f = fig(rep, "closure_rate")
    assert (f.numerator, f.denominator) == (2, 6)
    # closed in the day: A (timely) and B (late handling, failed verification); open at the end of the day
    # with the unit's handling past its deadline: G only. C, D and E are late in verification, the
    # inspectors' stage, not the units': they do not count here. H is not late yet; F is voided.
    f = fig(rep, "timely_resolution_rate")
    assert (f.numerator, f.denominator) == (1, 3)
    f = fig(rep, "rework_rate")
    assert (f.numerator, f.denominator) == (1, 6)
    f = fig(rep, "return_rate")
    assert (f.numerator, f.denominator) == (1, 8)
    assert f.value == pytest.approx(0.125)
    # composite, default weights: 0.4 × 1/3 + 0.3 × 4/6 + 0.2 × 2/6 + 0.1 × (1 − 1/6)
    #   = 8/60 + 12/60 + 4/60 + 5/60 = 29/60
    f = fig(rep, "composite")
    assert f.value == pytest.approx(29 / 60)
    assert "0.40 × timely_resolution_rate" in f.formula and "(1 − rework_rate)" in f.formula


def test_per_post_figures(cases, refdata):
    posts = {p.post: {f.key: f for f in p.figures} for p in report(cases, refdata).posts}
    pair = lambda f: (f.numerator, f.denominator)  # noqa: E731
    # intake: registered A B C D E H + voided F = 7; registration deadlines in the day A B C D E F H (G's
    # fell the day before), all met (F voided at B+10 before its B+30)
    assert posts["intake"]["intake_handled"].value == 7
    assert pair(posts["intake"]["intake_on_time"]) == (7, 7)
    # dispatch: 8 dispatches; rounds due in the day A B C C' D E G H, all met; C's return is a wrong dispatch
    assert posts["dispatch"]["dispatch_handled"].value == 8
    assert pair(posts["dispatch"]["dispatch_on_time"]) == (8, 8)
    assert pair(posts["dispatch"]["dispatch_wrong"]) == (1, 8)
    # inspectors: verdicts A pass, B fail, B pass = 3; verification rounds due A B+3h20 (met), B B+5h (verdict
    # B+3h30, met), B' B+6h (met), C B+3h50, D B+7h, E B+5h20 (no verdict: missed) → 3 / 6; 1 failure in 3
    assert posts["inspectors"]["inspectors_handled"].value == 3
    assert pair(posts["inspectors"]["inspectors_on_time"]) == (3, 6)
    assert pair(posts["inspectors"]["inspectors_failed"]) == (1, 3)
    assert pair(posts["closing"]["closing_on_time"]) == (2, 5)
    assert report(cases, refdata, unit="water_supply").posts == []

def test_durations(cases, refdata):
    rep = report(cases, refdata)
    # report → register (s): A 600, B 300, C 300, D 300, E 1200, H 600 → [300 300 300 600 600 1200]
    # median at position 2.5 → 450; p90 at 4.5 → 600 + 0.5 × 600 = 900
    f = fig(rep, "time_to_register")
    assert (f.value, f.p90, f.denominator) == (450, 900, 6)
    # register (or return) → dispatch: A 600, B 300, C 300 and 600, D 300, E 600, G 900, H 600
    # sorted [300 300 300 600 600 600 600 900]: median at 3.5 → 600; p90 at 6.3 → 600 + 0.3 × 300 = 690
    f = fig(rep, "time_to_dispatch")
    assert f.value == pytest.approx(600) and f.p90 == pytest.approx(690) and f.denominator == 8
    # dispatch (or rework) → handled: A 3600, B 10200 and 1800, C 3600, D 17400, E 10200
    # sorted [1800 3600 3600 10200 10200 17400]: median at 2.5 → 6900; p90 at 4.5 → 13800
    f = fig(rep, "time_to_handle")
    assert (f.value, f.p90) == (pytest.approx(6900), pytest.approx(13800))
    # report → close: A 6600, B 16200: median 11400, p90 6600 + 0.9 × 9600 = 15240
    f = fig(rep, "time_to_close")
    assert (f.value, f.p90, f.denominator) == (pytest.approx(11400), pytest.approx(15240), 2)


def test_a_zero_denominator_is_na_not_zero(cases, refdata):
    rep = report(cases, refdata, start=date(2026, 11, 25), end=date(2026, 11, 25))
    for key in ("on_time_handling_rate", "on_time_closure_rate", "closure_rate", "rework_rate", "return_rate",
                "time_to_close"):
        assert fig(rep, key).value is None, key
        assert m.format_value(fig(rep, key)) == "n/a"
    assert fig(rep, "registered").value == 0
    # G and now H (handling due 01:20 local on the 24th) are still open with the unit's handling late on the
    # 25th: that denominator is not zero, and nothing was closed in time: 0 %, not n/a.
    f = fig(rep, "timely_resolution_rate")
    assert (f.numerator, f.denominator, f.value) == (0, 2, 0.0)
    rep = report(cases, refdata, unit="gas")
    assert fig(rep, "timely_resolution_rate").value is None


def test_period_boundary_is_local_midnight(cases, refdata):
    rep = report(cases, refdata, start=date(2026, 11, 22), end=date(2026, 11, 22))
    # the day before (local): only G's report (23:00) and registration (23:50); its dispatch at 00:05 is the 23rd
    assert fig(rep, "registered").value == 1
    assert fig(rep, "dispatched").value == 0
    # G's registration deadline (23:30) fell that day and was missed: the intake post's, not a unit's;
    # its handling was not due yet at midnight, so no case should have been resolved that day
    f = fig(rep, "timely_resolution_rate")
    assert (f.numerator, f.denominator) == (0, 0)
    intake = {f.key: f for f in rep.posts[0].figures}
    assert (intake["intake_on_time"].numerator, intake["intake_on_time"].denominator) == (0, 1)
    two_days = report(cases, refdata, start=date(2026, 11, 22), end=DAY)
    assert fig(two_days, "registered").value == 7
    assert [p.registered for p in two_days.trend] == [1, 6]


def test_a_period_still_running_counts_only_deadlines_already_passed(cases, refdata):
    # at B+2h15 only A's deadline (B+2h20) has not come yet; B's (B+2h10) and G's have passed and were missed
    rep = report(cases, refdata, as_of=B + 2 * H + 15 * M)
    f = fig(rep, "on_time_handling_rate")
    assert (f.numerator, f.denominator) == (0, 2)


def test_suspension_and_extension_move_the_deadline(cases, refdata):
    facts = {f.key: f for f in m.case_facts(cases["D"], refdata).facts}
    due = [f for f in facts.values() if f.kind == m.HANDLE_DUE]
    assert [(f.at, f.met) for f in due] == [(B + 5 * H + 10 * M, True)]  # 1 h left at suspension, kept on resume
    facts = m.case_facts(cases["E"], refdata).facts
    assert [(f.at, f.met) for f in facts if f.kind == m.HANDLE_DUE] == [(B + 3 * H + 30 * M, True)]


def test_rework_continues_the_handling_task(cases, refdata):
    facts = m.case_facts(cases["B"], refdata).facts
    assert [(f.at, f.met) for f in facts if f.kind == m.HANDLE_DUE] == [(B + 2 * H + 10 * M, False)]
    assert [f.at for f in facts if f.kind == m.CLOSE_DUE] == [B + 6 * H]
    assert [(f.at, f.met) for f in facts if f.kind == m.VERIFY_DUE] == [(B + 5 * H, True), (B + 6 * H, True)]
    assert m.case_facts(cases["B"], refdata).case.late_at == B + 2 * H + 10 * M


def test_a_suspended_case_has_no_deadline_falling_due(refdata):
    from app.cases.workflow import Actor, apply, new_command
    from app.platform.enums import Action

    ids = hist.case_ids()
    reported, steps = hist.script()["D"]
    op = refdata.user("operator1")
    # D as it was while suspended (its first four steps: register, dispatch, accept, suspend)
    suspended = apply(None, new_command(ids["D"], Action.CREATE, hist.create_payload(refdata, "D"), reported),
                      Actor(op.username, op.role), refdata, reported)
    for at, username, action, payload in steps[:4]:
        user = refdata.user(username)
        suspended = apply(suspended, new_command(ids["D"], Action(action), payload, at),
                          Actor(user.username, user.role, user.unit_id), refdata, at)
    assert suspended.status == "suspended"
    facts = m.case_facts(suspended, refdata).facts
    assert [f for f in facts if f.kind == m.HANDLE_DUE] == []
    assert m.case_facts(suspended, refdata).case.late_at is None


def test_roll_up_through_the_hierarchy(cases, refdata):
    # C was re-dispatched to roads_north, a sub-unit of roads
    rolled = report(cases, refdata, unit="roads", rollup=True)
    assert fig(rolled, "registered").value == 1  # C's responsible unit is roads_north
    assert fig(rolled, "dispatched").value == 1
    assert fig(rolled, "handled").value == 1
    assert (fig(rolled, "on_time_handling_rate").numerator, fig(rolled, "on_time_handling_rate").denominator) == (1, 1)
    # C is late only in verification (the inspectors'): nothing the unit should have resolved
    assert (fig(rolled, "timely_resolution_rate").numerator,
            fig(rolled, "timely_resolution_rate").denominator) == (0, 0)
    alone = report(cases, refdata, unit="roads", rollup=False)
    assert fig(alone, "registered").value == 0
    assert fig(alone, "on_time_handling_rate").value is None
    water = report(cases, refdata, unit="water_supply")
    assert fig(water, "registered").value == 5  # A B D E H
    assert (fig(water, "return_rate").numerator, fig(water, "return_rate").denominator) == (1, 7)
    # A met, B missed (and failed verification), D met, E met, G missed
    assert (fig(water, "on_time_handling_rate").numerator, fig(water, "on_time_handling_rate").denominator) == (3, 5)
    # the city office rolls up every unit; city-wide adds only the center's own stages (charged to no unit)
    office = report(cases, refdata, unit="city_office")
    city = report(cases, refdata)
    unit_keys = [k for k in m.RANKING_KEYS]
    assert [fig(office, k).model_dump() for k in unit_keys] == [fig(city, k).model_dump() for k in unit_keys]
    assert fig(office, "on_time_closure_rate").value is None and fig(city, "on_time_closure_rate").denominator == 5


def test_ranking(cases, refdata):
    rep = report(cases, refdata)
    # every unit below the city office (the office itself would only repeat the total)
    assert {r.unit_id for r in rep.ranking} == {u.id for u in refdata.units} - {"city_office"}
    assert {r.unit_id for r in report(cases, refdata, unit="roads").ranking} == set(refdata.descendants("roads"))
    assert report(cases, refdata, unit="bridges").ranking == []  # no unit below it, nobody to rank
    by_unit = {r.unit_id: {f.key: f for f in r.figures} for r in rep.ranking}
    assert by_unit["roads"]["registered"].value == 1  # rolled up from roads_north
    assert by_unit["water_supply"]["dispatched"].value == 7
    # nobody has 5 cases due in one day: every unit is listed, none ranked, each told why
    assert all(r.rank is None and r.unranked_reason for r in rep.ranking)
    assert by_unit["water_supply"]["timely_resolution_rate"].denominator == 3  # A, B closed; G open and late
    low = m.EvaluationSettings(min_cases_to_rank=1)
    rep = m.compute_offline(cases.values(), refdata, DAY, DAY, None, True, AS_OF, settings=low)
    ranked = [(r.unit_id, r.rank) for r in rep.ranking if r.rank is not None]
    # level 1: only water supply has a timely resolution rate (1/3); the rest are n/a; level 2: roads_north
    # has no case due (C is not late in its stage), level 3: nobody
    assert ranked == [("water_supply", 1)]
    reasons = {r.unit_id: r.unranked_reason for r in rep.ranking}
    assert reasons["roads"] == "fewer than 1 cases due (0)"
    assert rep.ranking[0].peer_group == "level 1"


def test_distribution_per_category_and_trend(cases, refdata):
    rep = report(cases, refdata)
    (cat,) = rep.categories
    assert (cat.category_code, cat.registered, cat.handled, cat.closed, cat.handling_due, cat.handled_on_time) == \
        ("C0101", 6, 6, 2, 6, 4)
    (point,) = rep.trend
    assert (point.day, point.registered, point.dispatched, point.handled, point.closed) == (DAY, 6, 8, 6, 2)


def test_every_figure_carries_its_formula(cases, refdata):
    rep = report(cases, refdata)
    assert [f.key for f in rep.figures] == [d.key for d in m.FIGURES]
    for f in rep.figures:
        assert f.formula.startswith(m.FIGURES_BY_KEY[f.key].formula) and len(f.formula) > 10
    assert "÷" in fig(rep, "closure_rate").formula


@pytest.mark.parametrize("start,end,unit,message", [
    (date(2026, 11, 24), date(2026, 11, 23), None, "before start"),
    (date(2020, 1, 1), date(2026, 1, 1), None, "longer than"),
    (DAY, DAY, "no_such_unit", "unknown unit 'no_such_unit'"),
])
def test_bad_input(cases, refdata, start, end, unit, message):
    with pytest.raises(m.MetricsError, match=message):
        report(cases, refdata, unit=unit, start=start, end=end)


def test_offline_report_flags_a_period_before_the_cache(cases, refdata):
    rep = m.compute_offline(cases.values(), refdata, DAY, DAY, None, True, AS_OF,
                            held_since=B)
    assert not rep.complete and rep.note
    rep = m.compute_offline(cases.values(), refdata, DAY, DAY, None, True, AS_OF,
                            held_since=B - timedelta(days=2))
    assert rep.complete


def test_percentile_is_linear_between_ranks():
    assert m.percentile([], 0.5) is None
    assert m.percentile([7.0], 0.9) == 7.0
    assert m.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert m.percentile([10.0, 20.0], 0.9) == pytest.approx(19.0)


def test_period_days_follow_the_city_time_zone_across_a_dst_change(refdata):
    from app.refdata.model import RefData
    from app.refdata.timelimits import TimeLimitPolicy
    from app.refdata.work_calendar import WorkCalendar

    berlin = RefData(refdata.units, refdata.categories, refdata.grids, refdata.responsibility, refdata.users,
                     refdata.sensors, TimeLimitPolicy(calendar=WorkCalendar(tz="Europe/Berlin")))
    # 2026-03-29: clocks go forward at 02:00 in Berlin, so that local day lasts 23 hours
    p = m.make_period(date(2026, 3, 29), date(2026, 3, 29), berlin, datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert p.start_at == datetime(2026, 3, 28, 23, 0, tzinfo=timezone.utc)
    assert p.end_at == datetime(2026, 3, 29, 22, 0, tzinfo=timezone.utc)
    assert p.timezone == "Europe/Berlin"
    shanghai = m.make_period(DAY, DAY, refdata, AS_OF)
    assert (shanghai.start_at, shanghai.end_at) == (datetime(2026, 11, 22, 16, tzinfo=timezone.utc),
                                                    datetime(2026, 11, 23, 16, tzinfo=timezone.utc))
