"""app.platform.fast_json: msgspec's speed with the json module's results, including where msgspec refuses."""
from __future__ import annotations

import json

import pytest

from app.platform import fast_json


@pytest.mark.parametrize("text", [
    '{"a":1,"b":[1.5,-0.0,1e-7,null,true,false],"c":"井盖缺失"}',
    '{"huge":123456789012345678901234567890,"neg":-98765432109876543210}',
    '"\\ud800 lone surrogate"',   # msgspec refuses it; json accepts it
    '{"a":1,"a":2}',
])
def test_loads_gives_what_json_loads_gives(text):
    assert fast_json.loads(text.encode()) == json.loads(text)
    assert fast_json.loads(text) == json.loads(text)


@pytest.mark.parametrize("bad", [b"", b"{", b'{"a":1} x', b"\xff\xfe", b"{'a': 1}"])
def test_loads_refuses_what_is_not_json_with_a_value_error(bad):
    with pytest.raises(ValueError):
        fast_json.loads(bad)


@pytest.mark.parametrize("value", [
    {"a": 1, "z": "井盖", "f": 0.1, "n": None, "l": [True, False]},
    {"huge": 2 ** 70},
    {"s": "\ud800"},  # not UTF-8 encodable: written by json.dumps
])
def test_dumps_is_compact_json_that_reads_back(value):
    text = fast_json.dumps(value)
    assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(text) == value
