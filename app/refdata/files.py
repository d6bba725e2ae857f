"""Reading reference-data files: UTF-8 text, JSON, CSV with a header, and typed access to the fields of
one JSON record, every problem a :class:`RefDataError` naming the file and the place in it."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.refdata.errors import RefDataError, Src

__all__ = ["Fields", "first_duplicate", "read_csv", "read_json", "read_text", "require_list"]


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RefDataError("file not found", file=path.name) from None
    except UnicodeDecodeError as exc:
        raise RefDataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                           file=path.name) from None
    except OSError as exc:
        raise RefDataError(f"cannot read: {exc.strerror}", file=path.name) from None


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RefDataError(f"invalid JSON: {exc.msg}", file=path.name,
                           where=f"line {exc.lineno} column {exc.colno}") from None


def read_csv(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header, as (line number, {column: stripped text})."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RefDataError("empty file (expected a header row)", file=path.name) from None
    except csv.Error as exc:
        raise RefDataError(f"bad CSV: {exc}", file=path.name, where="line 1") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise RefDataError(f"header is missing column(s) {', '.join(missing)} "
                           f"(expected {','.join(required)})", file=path.name, where="line 1")
    dup = sorted({h for h in header if header.count(h) > 1 and h})
    if dup:
        raise RefDataError(f"duplicate column(s) {', '.join(dup)}", file=path.name, where="line 1")
    rows = []
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RefDataError(f"bad CSV: {exc}", file=path.name,
                               where=f"line {reader.line_num}") from None
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue                                     # blank line
        if values[0].lstrip().startswith("#"):
            continue                                     # comment line
        if len(values) != len(header):
            raise RefDataError(f"{len(values)} fields, expected {len(header)} ({','.join(header)})",
                               file=path.name, where=f"line {line}")
        rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
    return rows


def require_list(data: Any, file: str, what: str) -> list:
    if not isinstance(data, list):
        raise RefDataError(f"expected a JSON list of {what}, got {type(data).__name__}", file=file)
    return data


class Fields:
    """Typed access to one JSON object's fields, raising errors located at that record."""

    def __init__(self, obj: Any, src: Src, index: int) -> None:
        if not isinstance(obj, Mapping):
            raise src.error(index, f"expected an object, got {type(obj).__name__}")
        self.obj = obj
        self.src = src
        self.index = index

    def error(self, problem: str) -> RefDataError:
        return self.src.error(self.index, problem)

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                raise self.error(f"missing {key!r}")
            return default
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string, got {value!r}")
        value = value.strip()
        if required and not value:
            raise self.error(f"{key!r} is empty")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string or null, got {value!r}")
        return value.strip() or None

    def integer(self, key: str, *, minimum: int | None = None, default: int | None = None) -> int:
        value = self.obj.get(key, default)
        if value is None:
            raise self.error(f"missing {key!r}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f"{key!r} must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(f"{key!r} must be at least {minimum}, got {value}")
        return value

    def number(self, key: str, *, nullable: bool = False, default: float | None = None,
            obj: Mapping | None = None, label: str | None = None) -> float | None:
        src = self.obj if obj is None else obj
        label = label or key
        value = src.get(key, default)
        if value is None:
            if nullable:
                return None
            raise self.error(f"missing {label!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(f"{label!r} must be a number{' or null' if nullable else ''}, "
                             f"got {value!r}")
        return float(value)


def first_duplicate(keys: Iterable[str]) -> tuple[int, int, str] | None:
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            return seen[key], i, key
        seen[key] = i
    return None
