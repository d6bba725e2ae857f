"""Registration and closing criteria (立案标准 / 结案标准) travel with each category, with its time limits."""
from __future__ import annotations

from app.refdata.criteria import closing_text, registration_text
from app.refdata.model import RefData


def test_every_demo_category_has_both_criteria_in_both_languages(refdata):
    for c in refdata.categories:
        assert c.register_criteria and c.close_criteria and c.register_criteria_en and c.close_criteria_en, c.code
        assert c.name in c.register_criteria  # the criterion is about this category, not a generic line


def test_the_texts_name_the_criteria_and_the_limits(refdata):
    text = registration_text("C0101", refdata, "zh_CN")
    assert "上水井盖破损" in text and "urgent 2h, ordinary 1wd, complex 3wd" in text
    assert "repaired or replaced" in closing_text("C0101", refdata, "en")
    assert registration_text("X9999", refdata) == "" and closing_text("C0101", None) == ""


def test_criteria_survive_the_bundle_round_trip(refdata):
    again = RefData.from_dict(refdata.to_dict())
    assert again.category("E0404").close_criteria == refdata.category("E0404").close_criteria
    assert again.version == refdata.version
