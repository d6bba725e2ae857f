"""The two encodings the GeoReport v2 spec serves (XML, required; JSON) and the bodies a client sends.

Answers are built as plain lists of dicts with the spec's field names, then written as JSON or as the
spec's XML (`<services><service>…`, a list inside an item as repeated child elements). Client bodies are
the spec's form fields; JSON and XML bodies are read too (XML with defusedxml: no entity expansion, no
external entities), each into the same flat field map, so every encoding is checked by one rule.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeXml
from defusedxml.common import DefusedXmlException

log = logging.getLogger(__name__)

FORMATS = ("xml", "json")


class Open311Error(Exception):
    """A refusal in the spec's error format: `[{code, description}]` with the HTTP status `status`."""

    def __init__(self, status: int, description: str, *, code: int | None = None, headers: dict | None = None):
        super().__init__(description)
        self.status = status
        self.code = code if code is not None else status
        self.description = description
        self.headers = headers or {}

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.code, "description": self.description}]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, tag: str, value: Any, item_tags: Mapping[str, str]) -> None:
    if isinstance(value, list):
        holder = SubElement(parent, tag)
        for item in value:
            _fill(holder, item_tags.get(tag, "value"), item, item_tags)
    elif isinstance(value, dict):
        node = SubElement(parent, tag)
        for key, inner in value.items():
            _fill(node, key, inner, item_tags)
    else:
        SubElement(parent, tag).text = _text(value)


def to_xml(root: str, item: str, items: Iterable[Mapping[str, Any]], *,
           item_tags: Mapping[str, str] | None = None) -> bytes:
    """`<root><item>…</item>…</root>` with an XML declaration. `item_tags` names the element of each
    entry of a list field (e.g. a definition's `attributes` → `attribute`)."""
    tags = dict(item_tags or {})
    top = Element(root)
    for entry in items:
        node = SubElement(top, item)
        for key, value in entry.items():
            _fill(node, key, value, tags)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(top, encoding="unicode").encode()


def object_to_xml(root: str, fields: Mapping[str, Any], *, item_tags: Mapping[str, str] | None = None) -> bytes:
    """One object as `<root>…fields…</root>` (the service definition)."""
    tags = dict(item_tags or {})
    top = Element(root)
    for key, value in fields.items():
        _fill(top, key, value, tags)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(top, encoding="unicode").encode()


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def error_body(error: Open311Error, fmt: str) -> bytes:
    if fmt == "xml":
        return to_xml("errors", "error", error.body())
    return to_json(error.body())


def fields_from_json(raw: bytes) -> dict[str, str]:
    """A JSON object of the spec's POST fields (`attribute` as an object of code → value, or already
    flattened as `attribute[code]`). Anything else: 400 naming what was wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Open311Error(400, f"malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise Open311Error(400, "the JSON body must be an object of the request's fields")
    out: dict[str, str] = {}
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            for code, answer in value.items():
                out[f"attribute[{code}]"] = _scalar(f"attribute[{code}]", answer)
        else:
            out[str(key)] = _scalar(str(key), value)
    return out


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise Open311Error(400, f"field {name} must be a single value")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fields_from_xml(raw: bytes) -> dict[str, str]:
    """An XML body `<service_request><service_code>…</service_code>…<attribute><code>value</code></attribute>
    </service_request>` (any root name) read with defusedxml."""
    try:
        root = SafeXml.fromstring(raw)
    except DefusedXmlException as exc:
        raise Open311Error(400, f"XML refused: {type(exc).__name__} (entities and DTDs are not accepted)") from None
    except SafeXml.ParseError as exc:
        raise Open311Error(400, f"malformed XML body: {exc}") from None
    out: dict[str, str] = {}
    for child in root:
        if child.tag == "attribute" and len(child):
            for answer in child:
                out[f"attribute[{answer.tag}]"] = (answer.text or "").strip()
        elif len(child):
            raise Open311Error(400, f"field {child.tag} must be a single value")
        else:
            out[child.tag] = (child.text or "").strip()
    return out
