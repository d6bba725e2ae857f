"""The callback figures, worked by hand (tests/support/callback_history.py): callback rate 3/5 and
satisfaction rate 1/3 on the scripted day, from the console's offline computation."""
from __future__ import annotations

from datetime import date, datetime, timezone

from app.metrics import figures as m
from app.metrics import satisfaction
from tests.support import callback_history as hist

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


def test_hand_worked_rates(refdata):
    rep = m.compute_offline(hist.run_on_core(refdata), refdata, DAY, DAY, None, True, AS_OF)
    f = {x.key: x for x in rep.figures}
    assert (f["callback_rate"].numerator, f["callback_rate"].denominator) == (3, 5)
    assert f["callback_rate"].value == 3 / 5
    assert (f["satisfaction_rate"].numerator, f["satisfaction_rate"].denominator) == (1, 3)
    assert f["closed"].value == 6  # C was closed twice
    assert "÷" in f["callback_rate"].formula and "÷" in f["satisfaction_rate"].formula
    # charged to the unit that held the case; the ranking shows them too
    roads = m.compute_offline(hist.run_on_core(refdata), refdata, DAY, DAY, "roads", True, AS_OF)
    assert roads.figure("callback_rate").denominator == 0 and roads.figure("callback_rate").value is None
    water = next(r for r in rep.ranking if r.unit_id == "water_supply")
    assert {x.key: (x.numerator, x.denominator) for x in water.figures}["satisfaction_rate"] == (1, 3)


def test_facts_of_one_case(refdata):
    cases = {c.reporter_phone and c.source: c for c in hist.run_on_core(refdata)}
    reopened = next(c for c in hist.run_on_core(refdata) if any(e.action == "reopen" for e in c.events))
    facts = satisfaction.callback_facts(reopened)
    assert [(f.kind, f.met) for f in facts] == [("cb_due", True), ("cb_reached", False), ("cb_due", False)]
    assert all(f.unit_id == "water_supply" for f in facts)
    assert satisfaction.callback_facts(cases[""]) == []  # the grid inspector's case: nobody to call


def test_a_period_before_the_callbacks_counts_none(refdata):
    rep = m.compute_offline(hist.run_on_core(refdata), refdata, date(2026, 11, 22), date(2026, 11, 22), None,
                            True, AS_OF)
    assert rep.figure("callback_rate").denominator == 0 and rep.figure("satisfaction_rate").value is None
