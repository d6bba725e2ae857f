"""The one phone rule (app/platform/edge_types.py), shared by the console field and the server."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from app.platform.edge_types import Phone, phone_ok

GOOD = ["110", "12345", "13812345678", "0571-8702 3456", "+86 138 0013 8000", "(0571) 87023456", "0571.8702.3456",
        "1" * 20]
BAD = ["not-a-phone!!", "12", "1" * 21, "+", "1--2", "1 ", " 1234", "(0571 8702", "0571)8702", "+86 138 ext 12",
       "13812345678 #2", "１３８１２３４５６７８", "1234()5678"]


@pytest.mark.parametrize("value", GOOD)
def test_phone_numbers_as_people_write_them(value):
    assert phone_ok(value)


@pytest.mark.parametrize("value", BAD)
def test_what_is_not_a_phone_number(value):
    assert not phone_ok(value)


def test_the_field_type_names_the_rule_and_allows_no_number():
    class Caller(BaseModel):
        phone: Phone = ""

    assert Caller(phone="").phone == ""
    with pytest.raises(ValidationError, match="must be a phone number: 3 to 20 digits"):
        Caller(phone="not-a-phone!!")
