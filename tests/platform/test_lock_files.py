"""The lock files (`make lock`; requirements/*.txt): every package pinned with its hashes, each direct
requirement of pyproject.toml present and satisfied by its pin (a lock gone stale after a bound was raised
fails here), the server's lock without Qt, and the bundle's PySide6 pin for Python 3.11 not the broken release."""
from __future__ import annotations

import re
import tomllib

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCKS = {"server": ROOT / "requirements" / "server.txt", "package": ROOT / "requirements" / "console-bundle.txt"}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s*;\s*(?P<marker>.+?))?$")
QT = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6", "pyqtgraph", "qasync"}
PY311 = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
         "platform_system": "Linux", "implementation_name": "cpython", "platform_machine": "x86_64"}


def pins(path) -> list[tuple[str, str, Marker | None, list[str]]]:
    """(canonical name, version, marker, hashes) of each entry; continuation lines joined."""
    entries = []
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        requirement = re.sub(r"\s*--hash=\S+", "", line).strip()
        match = PIN.match(requirement)
        assert match, f"{path.name}: not a pinned requirement: {line[:80]}"
        marker = Marker(match["marker"]) if match["marker"] else None
        entries.append((canonicalize_name(match["name"]), match["version"], marker, hashes))
    return entries


def direct(extra: str) -> list[Requirement]:
    out, todo, seen = [Requirement(t) for t in PROJECT["dependencies"]], [extra], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in map(Requirement, PROJECT["optional-dependencies"][name]):
            if canonicalize_name(requirement.name) == "onegrid":
                todo += list(requirement.extras)
            else:
                out.append(requirement)
    return out


@pytest.mark.parametrize("extra", sorted(LOCKS))
def test_every_entry_is_pinned_with_hashes(extra):
    entries = pins(LOCKS[extra])
    assert entries
    for name, version, _marker, hashes in entries:
        assert hashes, f"{name}=={version} has no hash"


@pytest.mark.parametrize("extra", sorted(LOCKS))
def test_every_direct_requirement_is_locked_within_its_bounds(extra):
    on_311 = {}
    for name, version, marker, _hashes in pins(LOCKS[extra]):
        if marker is None or marker.evaluate(PY311):
            on_311[name] = version
    for requirement in direct(extra):
        if requirement.marker is not None and not requirement.marker.evaluate({**PY311, "extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        assert name in on_311, f"{LOCKS[extra].name} lacks {name}: run make lock"
        assert requirement.specifier.contains(on_311[name], prereleases=True), \
            f"{LOCKS[extra].name} pins {name}=={on_311[name]}, outside {requirement}: run make lock"


def test_the_server_lock_has_no_qt_and_the_bundle_no_broken_pyside():
    assert not {name for name, *_ in pins(LOCKS["server"])} & QT
    bundle = [(v, m) for name, v, m, _ in pins(LOCKS["package"]) if name == "pyside6"]
    on_311 = [v for v, m in bundle if m is None or m.evaluate(PY311)]
    assert on_311 and "6.12.0" not in on_311
