"""Action dialogs (dispatch with routing suggestions, reasons, escalate, extension, verify) and the new
case form (category tree, validation, location, duplicates and linking)."""
from __future__ import annotations

import pytest

from app.cases.routing import rank_units
from app.platform.enums import Action, Status
from tests.support.ui import CASE_CATEGORY, CASE_GRID, OPERATOR
from ui.cases.action_dialogs import EscalateDialog, ExtensionDialog, SendVerifyDialog
from ui.cases.category_tree import CategoryTree
from ui.cases.dialogs import dialog_for
from ui.cases.dispatch_dialog import DispatchDialog
from ui.cases.new_case_dialog import NewCaseDialog
from ui.cases.payload_dialog import TextDialog
from ui.cases.task_dialogs import dialog_for as task_dialog_for

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def dialog(qtbot, d):
    qtbot.addWidget(d)
    return d


# ------------------------------------------------------------------------------------------ action dialogs

def test_dispatch_dialog_lists_routing_suggestions_with_reasons(qtbot, cases, demo_cache, refdata):
    case = demo_cache.case(cases.make(Status.REGISTERED))
    d = dialog(qtbot, DispatchDialog(Action.DISPATCH, case, refdata))
    expected = rank_units(refdata, case.category_code, case.location.grid_code)
    listed = [d.suggestion_list.topLevelItem(i) for i in range(d.suggestion_list.topLevelItemCount())]
    assert [item.data(0, 0x0101) for item in listed] == [s.unit_id for s in expected]
    assert listed[0].text(2).startswith("Primary for C0101")       # reason, in words
    assert "all areas" in listed[0].text(2)
    assert listed[-1].text(2).startswith("Escalation level 1")
    assert listed[0].text(1) == f"{expected[0].score:.0%}"
    assert d.unit_id == expected[0].unit_id
    assert d.payload() == {"unit_id": expected[0].unit_id}


def test_dispatch_dialog_full_unit_list_is_searchable(qtbot, cases, demo_cache, refdata):
    case = demo_cache.case(cases.make(Status.REGISTERED))
    d = dialog(qtbot, DispatchDialog(Action.DISPATCH, case, refdata))
    assert len(d.units.visible_unit_ids()) == len(refdata.units)
    d.units.search.setText("sanitation_east")
    visible = d.units.visible_unit_ids()
    assert "sanitation_east" in visible and "roads" not in visible
    assert "sanitation" in visible and "city_office" in visible  # its parents stay visible
    d.units.search.setText(refdata.unit("bridges").name)  # by Chinese name
    assert "bridges" in d.units.visible_unit_ids()
    d.choose("bridges")
    d.note.setText("bridge joint")
    assert d.payload() == {"unit_id": "bridges", "note": "bridge joint"}


def test_reassign_excludes_the_current_unit(qtbot, cases, demo_cache, refdata):
    case = demo_cache.case(cases.make(Status.DISPATCHED))
    d = dialog(qtbot, DispatchDialog(Action.REASSIGN, case, refdata))
    suggested = [d.suggestion_list.topLevelItem(i).data(0, 0x0101)
                 for i in range(d.suggestion_list.topLevelItemCount())]
    assert case.unit_id not in suggested
    assert d.unit_id != case.unit_id


def test_reason_dialog_requires_a_reason(qtbot, cases, demo_cache):
    case = demo_cache.case(cases.make(Status.DISPATCHED))
    d = dialog(qtbot, TextDialog(Action.RETURN, case, key="reason"))
    d.accept()
    assert d.result() == 0 and "reason" in d.error.text()
    d.text.setPlainText("  not our asset  ")
    d.accept()
    assert d.result() == 1
    assert d.payload() == {"reason": "not our asset"}


def test_escalate_dialog_defaults_to_the_next_level(qtbot, cases, demo_cache, refdata):
    case = demo_cache.case(cases.make(Status.DISPATCHED))
    d = dialog(qtbot, EscalateDialog(case, refdata))
    parent = refdata.unit(case.unit_id).parent_id
    assert refdata.unit(parent).name_en in d.target.itemText(0)
    d.text.setPlainText("no progress")
    assert d.payload() == {"reason": "no progress"}
    d.target.setCurrentIndex(d.target.findData("roads"))
    assert d.payload() == {"reason": "no progress", "target_unit_id": "roads"}
    assert "Escalation" in d.warning.text()


def test_extension_dialog_converts_to_minutes(qtbot, cases, demo_cache):
    case = demo_cache.case(cases.make(Status.IN_PROGRESS))
    d = dialog(qtbot, ExtensionDialog(case, minutes_per_working_day=420))
    d.amount.setValue(2)
    d.unit.setCurrentIndex(1)  # working days
    d.text.setPlainText("waiting for parts")
    assert d.payload() == {"minutes": 840, "working": True, "reason": "waiting for parts"}
    d.unit.setCurrentIndex(3)  # calendar days
    assert d.payload()["minutes"] == 2880 and d.payload()["working"] is False
    d.amount.setValue(999)
    d.accept()
    assert d.result() == 0 and "90 days" in d.error.text()


def test_send_verify_dialog_offers_inspectors(qtbot, cases, demo_cache, refdata):
    case = demo_cache.case(cases.make(Status.HANDLED))
    d = dialog(qtbot, SendVerifyDialog(case, refdata))
    assert d.payload() == {}
    d.inspector.setCurrentIndex(d.inspector.findData("inspector2"))
    assert d.payload() == {"inspector": "inspector2"}


def test_dialog_for_each_action(qtbot, make_ctx, cases, demo_cache):
    ctx = make_ctx()
    case = demo_cache.case(cases.make(Status.IN_PROGRESS))
    cases.act(case.id, Action.REQUEST_EXTENSION)
    case = demo_cache.case(case.id)
    no_dialog = {Action.REGISTER, Action.ACCEPT, Action.VERIFY_PASS, Action.RESUME, Action.CO_ACCEPT, Action.ARRIVE}
    for action in Action:
        if action in (Action.CREATE, Action.ORDER_OVERDUE, Action.CO_OVERDUE):  # the system's own: no button, no dialog
            continue
        d = task_dialog_for(action, case, ctx, None) or dialog_for(action, case, ctx, None)  # as the controller
        assert (d is None) == (action in no_dialog), action
        if d is not None:
            qtbot.addWidget(d)
    approve = dialog_for(Action.APPROVE_EXTENSION, case, ctx, None)
    qtbot.addWidget(approve)
    assert "parts" in approve.question.text() and "8" in approve.question.text()


# ------------------------------------------------------------------------------------------ category tree

def test_category_tree_search_and_bilingual_names(qtbot, refdata, monkeypatch):
    tree = CategoryTree(refdata)
    qtbot.addWidget(tree)
    assert len(tree.visible_codes()) == len(refdata.categories)
    tree.search.setText("manhole")
    assert CASE_CATEGORY in tree.visible_codes() and "E0401" not in tree.visible_codes()
    with qtbot.waitSignal(tree.category_chosen) as chosen:
        tree.search.setText("E0401")  # a single match is chosen at once
    assert chosen.args == ["E0401"] and tree.current_code() == "E0401"
    tree.search.setText("")
    leaf = tree._leaves[CASE_CATEGORY]
    assert leaf.text(0) == f"{CASE_CATEGORY} {refdata.category(CASE_CATEGORY).name_en}"
    assert "Public utilities" in leaf.parent().text(0)
    monkeypatch.setattr("ui.cases.issuing.current_language", lambda: "zh_CN")
    tree.rebuild()
    assert tree._leaves[CASE_CATEGORY].text(0) == f"{CASE_CATEGORY} {refdata.category(CASE_CATEGORY).name}"
    assert tree.current_code() == "E0401"  # kept across the rebuild
    tree.search.setText(refdata.category("C0102").name)  # Chinese search
    assert tree.visible_codes() == ["C0102"]


# ------------------------------------------------------------------------------------------ new case form

def new_case(qtbot, ctx):
    d = NewCaseDialog(ctx)
    qtbot.addWidget(d)
    return d


def fill(d, cases, *, category=CASE_CATEGORY, description="Manhole cover broken", where=None):
    if category:
        d.set_category(category)
    d.description.setPlainText(description)
    lat, lon = where or (cases.lat, cases.lon)
    d.set_location(lat, lon, "湖滨路 12 号")
    d.reporter_name.setText("Mr Li")
    d.reporter_phone.setText("13800000000")


def test_new_case_validation_names_what_is_missing(qtbot, make_ctx, demo_cache):
    d = new_case(qtbot, make_ctx())
    d.save()
    text = d.error.text()
    assert not d.error.isHidden()
    assert "Choose a category" in text and "Describe the problem" in text and "Give the location" in text
    assert demo_cache.case_count() == 0
    d.set_category(CASE_CATEGORY)
    d.description.setPlainText("x")
    d.lat.setText("95")
    d.lon.setText("120")
    d.save()
    assert "Latitude must be between" in d.error.text() and "category" not in d.error.text()
    d.grid.setText("99999999999999")
    d.save()
    assert "Unknown grid code 99999999999999" in d.error.text()


def test_grid_code_alone_gives_the_location(qtbot, make_ctx, refdata):
    d = new_case(qtbot, make_ctx())
    d.grid.setText(CASE_GRID)
    d._grid_edited()
    lat, lon = refdata.grid(CASE_GRID).centroid
    assert d.coordinates() == pytest.approx((lat, lon), abs=1e-6)
    assert d.grid_label.text() == refdata.grid(CASE_GRID).name_en


def test_picked_location_fills_coordinates_and_grid(qtbot, make_ctx, cases):
    d = new_case(qtbot, make_ctx())
    with qtbot.waitSignal(d.pick_on_map_requested):
        d.pick_button.click()
    d.set_location(cases.lat, cases.lon, "湖滨路 1 号")
    assert d.grid_code() == CASE_GRID and d.address.text() == "湖滨路 1 号"


def test_priority_defaults_from_the_category(qtbot, make_ctx, refdata):
    d = new_case(qtbot, make_ctx())
    d.set_category("E0401")
    assert "Urgent" in d.priority.itemText(0)
    assert "priority" not in d.payload()
    d.priority.setCurrentIndex(d.priority.findData("complex"))
    assert d.payload()["priority"] == "complex"


def test_new_case_without_duplicates_is_created_and_selected(qtbot, make_ctx, cases, demo_cache):
    ctx = make_ctx()
    d = new_case(qtbot, ctx)
    fill(d, cases)
    with qtbot.waitSignal(d.case_created, timeout=5000) as created:
        d.save()
    case = demo_cache.case(created.args[0])
    assert case.status == Status.REPORTED and case.category_code == CASE_CATEGORY
    assert case.reporter_name == "Mr Li" and case.location.address == "湖滨路 12 号"
    assert case.location.grid_code == CASE_GRID and case.source == "hotline"
    assert ctx.selected_case == case.id
    assert d.result() == 1


def test_duplicates_are_shown_and_the_call_can_be_linked(qtbot, make_ctx, cases, demo_cache):
    existing = cases.create()
    cases.create(category="C0110")  # another, unrelated category (a street lamp): not a duplicate
    ctx = make_ctx()
    d = new_case(qtbot, ctx)
    fill(d, cases, where=(cases.lat + 0.0005, cases.lon))  # ~55 m away
    d.save()
    qtbot.waitUntil(lambda: not d.dup_box.isHidden(), timeout=5000)
    assert demo_cache.case_count() == 2  # nothing created yet
    assert [x.summary.id for x in d.duplicates] == [existing]
    assert d.dup_list.topLevelItem(0).text(2).endswith(" m")
    d.save()  # saving again does not create while duplicates are on screen
    qtbot.wait(100)
    assert demo_cache.case_count() == 2
    with qtbot.waitSignal(d.case_linked, timeout=5000):
        d.link_button.click()
    note = demo_cache.case(existing).events[-1]
    assert note.action == Action.NOTE and "Manhole cover broken" in note.payload["text"]
    assert "Mr Li" in note.payload["text"] and "13800000000" in note.payload["text"]
    assert ctx.selected_case == existing and demo_cache.case_count() == 2


def test_create_anyway_despite_duplicates(qtbot, make_ctx, cases, demo_cache):
    cases.create()
    d = new_case(qtbot, make_ctx())
    fill(d, cases)
    d.save()
    qtbot.waitUntil(lambda: not d.dup_box.isHidden(), timeout=5000)
    with qtbot.waitSignal(d.case_created, timeout=5000):
        d.create_anyway_button.click()
    assert demo_cache.case_count() == 2


def test_refused_creation_shows_the_reason(qtbot, make_ctx, cases, demo_cache, refdata):
    from app.cases.workflow import Actor
    from app.platform.enums import Role

    ctx = make_ctx(Actor("handler_roads", Role.UNIT_HANDLER, "roads"))  # unit handlers do not open cases
    d = new_case(qtbot, ctx)
    fill(d, cases)
    d.create()
    qtbot.waitUntil(lambda: not d.error.isHidden(), timeout=5000)
    assert "Your role may not" in d.error.text()
    assert demo_cache.case_count() == 0
    assert OPERATOR.role != ctx.actor.role
