"""What each extra of pyproject.toml pulls in, resolved from the requirement metadata of the installed
distributions (no download): `onegrid[server]` has no Qt anywhere in its dependency closure, and it holds
every third-party package the server's entry points import (from the static import graph, grimp)."""
from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

import grimp
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
QT = {canonicalize_name(n) for n in ("PySide6", "PySide6-Essentials", "PySide6-Addons", "shiboken6", "pyqtgraph",
                                     "qasync")}
SERVER_ENTRY_POINTS = ("server.cli", "server.admin.ctl", "server.app")


def _applies(requirement: Requirement, extras: tuple[str, ...] = ("",)) -> bool:
    return requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in extras)


def closure(extras: tuple[str, ...]) -> set[str]:
    """Canonical names of every distribution `onegrid[extras]` needs on this interpreter and platform (a
    distribution not installed here, e.g. the `package` extra's, counts without its own requirements)."""
    todo = [r for r in map(Requirement, PROJECT["dependencies"]) if _applies(r)]
    pending, seen_extras = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra not in seen_extras:
            seen_extras.add(extra)
            for requirement in map(Requirement, PROJECT["optional-dependencies"][extra]):
                if canonicalize_name(requirement.name) == "onegrid":  # an extra on top of another
                    pending.extend(requirement.extras)
                elif _applies(requirement):
                    todo.append(requirement)
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        needed.add(key[0])
        try:
            texts = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [sub for sub in map(Requirement, texts) if _applies(sub, ("", *requirement.extras))]
    return needed


def test_the_server_extra_brings_no_qt():
    server = closure(("server",))
    assert not server & QT, sorted(server & QT)
    assert {"fastapi", "uvicorn", "psycopg", "psycopg-binary", "alembic", "paho-mqtt", "prometheus-client",
            "sqlalchemy", "pydantic"} <= server


def test_the_console_test_and_package_extras_build_on_it():
    server, console = closure(("server",)), closure(("console",))
    assert server < console and {"pyside6", "pyqtgraph", "qasync"} <= console
    assert not console & {"folium", "branca", "jinja2"}  # the map page is our own template (app/map/page.py)
    assert console < closure(("test",)) and console < closure(("package",))
    assert "pyinstaller" in closure(("package",)) and "pytest" in closure(("test",))
    assert not closure(()) & (QT | {"fastapi", "uvicorn"})  # the base: the core only


def test_everything_the_server_imports_is_in_its_extra():
    graph = grimp.build_graph("server", "app", "db", "resources", include_external_packages=True)
    imported = set()
    for entry in SERVER_ENTRY_POINTS:
        imported |= {m.split(".")[0] for m in graph.find_upstream_modules(entry)}
    third_party = {m for m in imported if m not in sys.stdlib_module_names
                   and m not in ("server", "app", "db", "resources")}
    providers = metadata.packages_distributions()
    needed = {canonicalize_name(providers[m][0]) for m in third_party}
    assert needed <= closure(("server",)), sorted(needed - closure(("server",)))
    assert not needed & QT


@pytest.mark.parametrize("python, bad", [("3.11", True), ("3.12", False), ("3.13", False)])
def test_pyside6_6_12_0_is_excluded_on_cpython_3_11_only(python, bad):
    pins = [Requirement(t) for t in PROJECT["optional-dependencies"]["console"] if re.match(r"PySide6\b", t)]
    environment = {"python_version": python, "python_full_version": f"{python}.0", "extra": ""}
    (pin,) = [p for p in pins if p.marker.evaluate(environment)]
    assert pin.specifier.contains("6.12.0") is not bad
    assert pin.specifier.contains("6.11.3") and pin.specifier.contains("6.13.0")
