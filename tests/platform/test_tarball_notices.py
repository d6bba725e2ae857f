"""The Linux tarball carries the licences: LICENSE and THIRD_PARTY_NOTICES.md beside the bundle's executable
(where packaging/onegrid.spec puts them) and at the tarball's top; a bundle without them is refused."""
from __future__ import annotations

import importlib.util
import tarfile

import pytest

from tests.support import ROOT

spec = importlib.util.spec_from_file_location("make_tarball", ROOT / "packaging" / "linux" / "make_tarball.py")
make_tarball = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_tarball)


@pytest.fixture
def built(tmp_path):
    """A stand-in for dist/onegrid and the rendered icons, shaped as the spec leaves them."""
    bundle = tmp_path / "dist" / "onegrid"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "onegrid").write_text("#!/bin/sh\n", encoding="utf-8")
    (bundle / "_internal" / "onegrid_version.txt").write_text("1.4.0\n", encoding="utf-8")
    for name in make_tarball.NOTICES:
        (bundle / name).write_bytes((ROOT / name).read_bytes())
    icon = tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "onegrid.png"
    icon.parent.mkdir(parents=True)
    icon.write_bytes(b"\x89PNG")
    return bundle, tmp_path / "icons"


def test_the_tarball_carries_the_licences(built, tmp_path):
    bundle, icons = built
    target = make_tarball.make_tarball(bundle, icons, tmp_path / "out")
    with tarfile.open(target) as tar:
        names = set(tar.getnames())
        notices = tar.extractfile("onegrid-1.4.0/THIRD_PARTY_NOTICES.md").read().decode("utf-8")
    for name in ("LICENSE", "THIRD_PARTY_NOTICES.md"):
        assert f"onegrid-1.4.0/{name}" in names and f"onegrid-1.4.0/onegrid/{name}" in names
    assert "LGPL" in notices and "Leaflet" in notices and "WenQuanYi" in notices


def test_a_bundle_without_the_notices_is_refused(built, tmp_path):
    bundle, icons = built
    (bundle / "THIRD_PARTY_NOTICES.md").unlink()
    with pytest.raises(SystemExit, match="lacks THIRD_PARTY_NOTICES.md"):
        make_tarball.make_tarball(bundle, icons, tmp_path / "out")


def test_the_spec_copies_them_and_the_installer_shows_them():
    spec_text = (ROOT / "packaging" / "onegrid.spec").read_text(encoding="utf-8")
    assert 'NOTICES = ("LICENSE", "THIRD_PARTY_NOTICES.md")' in spec_text
    iss = (ROOT / "packaging" / "windows" / "onegrid.iss").read_text(encoding="utf-8")
    assert "LicenseFile={#Bundle}\\LICENSE" in iss
