"""Update the translation catalogue from the code, then compile it.

    python tools/build_translations.py            # lupdate (ui/ + app/) → .ts, then lrelease → .qm
    python tools/build_translations.py --check    # exit 1 if any message is still untranslated
    python tools/build_translations.py --release  # only compile the .ts into .qm
    python tools/build_translations.py --fill resources/translations/onegrid_zh_CN.pending.json
                                                  # lupdate, then fill still-unfinished messages from a JSON
                                                  # table {context: {source: translation}}, then lrelease
    python tools/build_translations.py --fill-all # the same with every table: the pending one and each
                                                  # feature's resources/translations/<lang>/*.json

`pyside6-lupdate` extracts `self.tr(...)`, `QCoreApplication.translate(...)` and `QT_TRANSLATE_NOOP(...)`
(the core's labels) into `resources/translations/onegrid_<lang>.ts`; translators fill it in with Qt
Linguist (`pyside6-linguist`) or any editor; `pyside6-lrelease` builds the `.qm` the console loads.
Source locations are not stored, so the catalogue only changes when texts change.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN",)
SOURCE_DIRS = ("ui", "app")


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (it ships {name})")
    return found


def sources() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def ts_path(language: str) -> Path:
    return TRANSLATIONS / f"onegrid_{language}.ts"


def update(language: str) -> None:
    files = [str(p.relative_to(ROOT)) for p in sources()]
    subprocess.run([_tool("pyside6-lupdate"), *files, "-locations", "none", "-no-obsolete", "-target-language",
                    language, "-ts", str(ts_path(language).relative_to(ROOT))], cwd=ROOT, check=True)


def release(language: str) -> None:
    ts = ts_path(language)
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], cwd=ROOT, check=True)


def untranslated(language: str) -> list[tuple[str, str]]:
    """(context, source) of every message still marked unfinished."""
    tree = ET.parse(ts_path(language))
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") == "unfinished":
                missing.append((name, message.findtext("source")))
    return missing


def fill(language: str, table_path: Path) -> int:
    """Fill unfinished messages of the .ts from {context: {source: translation}}; returns how many."""
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    path = ts_path(language)
    tree = ET.parse(path)
    filled = 0
    for context in tree.getroot().iter("context"):
        entries = table.get(context.findtext("name") or "", {})
        for message in context.iter("message"):
            translation = message.find("translation")
            text = entries.get(message.findtext("source"))
            if text is None or translation.get("type") != "unfinished":
                continue
            if message.get("numerus") == "yes":  # Chinese has one plural form
                for form in list(translation):
                    translation.remove(form)
                ET.SubElement(translation, "numerusform").text = text
            else:
                translation.text = text
            del translation.attrib["type"]
            filled += 1
    ET.indent(tree, space="    ")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                    + ET.tostring(tree.getroot(), encoding="unicode") + "\n", encoding="utf-8")
    return filled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report untranslated messages")
    parser.add_argument("--release", action="store_true", help="only compile .ts → .qm")
    parser.add_argument("--fill", type=Path, metavar="JSON", help="fill unfinished messages from this table")
    parser.add_argument("--fill-all", action="store_true",
                        help="fill from the pending table and every resources/translations/<lang>/*.json")
    args = parser.parse_args(argv)
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    status = 0
    for language in LANGUAGES:
        if not args.check and not args.release:
            update(language)
        tables = [args.fill] if args.fill else []
        if args.fill_all:
            pending = TRANSLATIONS / f"onegrid_{language}.pending.json"
            tables = ([pending] if pending.exists() else []) + sorted((TRANSLATIONS / language).glob("*.json"))
        for table in tables:
            print(f"{language}: filled {fill(language, table)} message(s) from {table.relative_to(ROOT)}")
        if tables:
            update(language)  # back to lupdate's own layout
        if not args.check:
            release(language)
        missing = untranslated(language)
        for context, source in missing:
            print(f"{language}: untranslated: [{context}] {source!r}")
        if missing:
            print(f"{language}: {len(missing)} message(s) untranslated")
            status = 1 if args.check else status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
