"""Reading the map's inputs: case summaries, grids, units and sensors may be objects or plain dicts, and
a record's name is shown in the console's language."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or mapping access, so summaries may be CaseSummary objects or plain dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def is_chinese(language: str | None) -> bool:
    return bool(language) and language.lower().replace("-", "_").startswith("zh")


def name_in(item: Any, language: str | None, zh: str = "name", en: str = "name_en") -> str:
    """`item`'s name in `language` (Chinese: `zh`, else `en`), the other one when it is empty."""
    a, b = get(item, zh, "") or "", get(item, en, "") or ""
    return (a or b) if is_chinese(language) else (b or a)
