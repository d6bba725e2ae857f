"""Refused commands in plain words, in English and Chinese: every reason code a sentence, the story of
what got there first, settled refusals, and the remedies that can still succeed."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.cases import refusals
from app.cases.refusals import Remedy
from app.cases.workflow import Actor, apply, new_command
from app.platform import i18n, times
from app.platform.enums import Action, Role
from app.platform.paths import resource

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = Actor("operator1", Role.OPERATOR)
OTHER = Actor("operator2", Role.OPERATOR)
LEAD = Actor("lead1", Role.SHIFT_LEAD)
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


@pytest.fixture(autouse=True)
def city_zone():
    times.set_city_zone(ZoneInfo("Asia/Shanghai"))
    yield
    times.set_city_zone(None)
    i18n.set_backend(None)


def chinese() -> None:
    table = json.loads(resource("translations", "zh_CN", "consoleb.json").read_text(encoding="utf-8"))
    labels = {"Dispatch": "派遣", "Register": "立案", "Dispatched": "派遣", "Note": "备注"}
    i18n.set_backend(lambda ctx, text: table.get(ctx, {}).get(text) or (labels.get(text, text) if ctx == "Labels"
                                                                         else text))


def registered(refdata):
    payload = {"source": "hotline", "category_code": "C0101", "description": "井盖破损",
               "location": {"lat": 30.0, "lon": 120.0}}
    case = apply(None, new_command(new_id(), Action.CREATE, payload, T0), OPERATOR, refdata, T0)
    case = case.model_copy(update={"number": "2026-000048"})
    return apply(case, new_command(case.id, Action.REGISTER, {}, T0), OPERATOR, refdata, T0)


def new_id():
    import uuid
    return uuid.uuid4()


def overtaken(refdata, mine_unit="drainage", their_unit="roads"):
    """I dispatch offline at 20:05 to `mine_unit`; operator2 dispatches at 20:21 to `their_unit` first."""
    case = registered(refdata)
    mine = new_command(case.id, Action.DISPATCH, {"unit_id": mine_unit}, T0 + timedelta(minutes=5), offline=True)
    theirs = new_command(case.id, Action.DISPATCH, {"unit_id": their_unit}, T0 + timedelta(minutes=21))
    server = apply(case, theirs, OTHER, refdata, T0 + timedelta(minutes=21))
    return mine, server


def test_every_reason_code_the_workflow_and_server_give_has_a_sentence():
    codes = set()
    for path in [ROOT / "app/cases/workflow.py", ROOT / "app/cases/workflow_rules.py", *ROOT.glob("server/cases/*.py"),
                 ROOT / "server/platform/batch_items.py",
                 ROOT / "server/platform/clock.py", ROOT / "server/platform/entity_commands.py",
                 ROOT / "app/cache/local_cache.py", ROOT / "app/cache/issuing.py"]:
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'WorkflowError\(\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'reason="([a-z_]+)"', text))
        codes |= set(re.findall(r'return "([a-z_]+)", ', text))
    codes -= {"rejected"}
    assert {"illegal_state", "forbidden_role", "out_of_scope", "bad_clock", "internal_error", "invalid_time"} <= codes
    missing = sorted(c for c in codes if c not in refusals.REASONS)
    assert missing == []
    for code in codes:
        assert refusals.reason_text(code) != refusals.reason_text("something_new")


def test_every_sentence_has_a_chinese_translation():
    table = {}  # each feature's table adds its own sentences
    for path in sorted(resource("translations", "zh_CN").glob("*.json")):
        table |= json.loads(path.read_text(encoding="utf-8")).get("Refusals", {})
    sources = list(refusals.REASONS.values()) + list(refusals.REMEDY_LABELS.values())
    assert [s for s in sources if s not in table] == []


def test_overtaken_dispatch_tells_who_did_what_while_offline(refdata):
    mine, server = overtaken(refdata)
    said = refusals.explain(mine, "illegal_state", "case … is 'dispatched'", server, actor=OPERATOR, refdata=refdata,
                            language="en")
    assert said.headline == ("李强 dispatched 2026-000048 to District Municipal Roads Management Centre at 20:21 "
                             "while you were offline; your dispatch to District Drainage Management Centre was not "
                             "applied.")
    assert not said.settled
    assert said.remedies == (Remedy.REASSIGN, Remedy.NOTE, Remedy.OPEN, Remedy.DISCARD)  # never a doomed re-apply
    assert said.state == "The case is now Dispatched, with District Municipal Roads Management Centre."


def test_the_same_story_in_chinese(refdata):
    chinese()
    mine, server = overtaken(refdata)
    said = refusals.explain(mine, "illegal_state", "", server, actor=OPERATOR, refdata=refdata, language="zh_CN")
    assert said.headline == ("您离线期间，李强 于 20:21 将 2026-000048 派遣给 区市政道路管理中心；"
                             "您派给 区排水管理中心 的“派遣”未执行。")
    assert said.reason == "案件状态已变化，此操作已不适用。"
    assert refusals.reason_text("bad_clock").startswith("本机时钟")
    assert refusals.remedy_label(Remedy.REASSIGN) == "改派…"


def test_a_refusal_whose_outcome_already_holds_is_settled(refdata):
    mine, server = overtaken(refdata, mine_unit="roads", their_unit="roads")
    assert refusals.is_settled(mine, "illegal_state", server)
    said = refusals.explain(mine, "illegal_state", "", server, actor=OPERATOR, refdata=refdata, language="en")
    assert said.settled and said.headline.startswith("Already done: 李强 dispatched 2026-000048 to District "
                                                     "Municipal Roads")
    assert Remedy.REASSIGN not in said.remedies and Remedy.REAPPLY not in said.remedies


def test_other_unit_or_other_reason_is_not_settled(refdata):
    mine, server = overtaken(refdata)
    assert not refusals.is_settled(mine, "illegal_state", server)
    same, server2 = overtaken(refdata, mine_unit="roads", their_unit="roads")
    assert not refusals.is_settled(same, "forbidden", server2)  # refused for who I am, not how the case stands
    assert not refusals.is_settled(same, "illegal_state", None)


def test_register_refused_because_someone_registered_is_settled(refdata):
    case = registered(refdata)
    mine = new_command(case.id, Action.REGISTER, {}, T0 - timedelta(minutes=1), offline=True)
    assert refusals.is_settled(mine, "illegal_state", case)
    void = new_command(case.id, Action.VOID, {"reason": "dup"}, T0, offline=True)
    assert not refusals.is_settled(void, "illegal_state", case)


def test_bad_clock_offers_to_apply_again_and_says_so_plainly(refdata):
    case = registered(refdata)
    mine = new_command(case.id, Action.NOTE, {"text": "x"}, T0, offline=True)
    said = refusals.explain(mine, "bad_clock", "issued_at … ahead", case, actor=OPERATOR, refdata=refdata)
    assert said.headline == ("Your note on 2026-000048 was not applied: This computer's clock is more than a day "
                             "ahead of the server's; set the clock and issue the action again.")
    assert said.remedies[0] == Remedy.REAPPLY


def test_out_of_scope_without_a_case_offers_only_dismiss(refdata):
    case = registered(refdata)
    mine = new_command(case.id, Action.NOTE, {"text": "x"}, T0, offline=True)
    said = refusals.explain(mine, "out_of_scope", "not in scope", None, actor=OPERATOR, refdata=refdata)
    assert said.remedies == (Remedy.DISCARD,)
    assert "no longer in your unit's scope" in said.headline


def test_provisional_numbers_look_provisional():
    assert refusals.number_text(None, "P-5C9C2A-1") == "P·5C9C2A-1 (offline)"
    assert refusals.number_text("2026-000048", "P-5C9C2A-1") == "2026-000048"
    chinese()
    assert refusals.number_text(None, "P-5C9C2A-1") == "P·5C9C2A-1（离线）"
