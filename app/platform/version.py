"""The OneGrid version, from the git tag: what the About dialog, every log file's first line and crash
reports show.

Where it comes from, first found wins:
1. the PyInstaller bundle: ``onegrid_version.txt`` in the bundle, written by ``packaging/onegrid.spec``
   at build time (there is no git in the bundle);
2. a git checkout: ``git describe --tags --long --dirty --always --match 'v[0-9]*'``, so a build from tag
   ``v1.4.0`` is ``1.4.0``, three commits later ``1.4.0+3.gabc1234``, with uncommitted edits
   ``….dirty``; with no tag yet it is the package version plus the commit (``0.1.0+gabc1234``);
3. the installed package's metadata (``pip install``ed without git), else ``0+unknown``.

A tiny reader of `git describe` rather than setuptools-scm: the version in pyproject.toml stays static,
so ``pip install -e .`` needs no git and no build-time plugin.
"""
from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from app.platform.paths import bundle_root, is_frozen

VERSION_FILE = "onegrid_version.txt"
FALLBACK = "0+unknown"
_DESCRIBE = re.compile(r"^v(?P<tag>\d+(?:\.\d+)*(?:[-.]?(?:a|b|rc)\d+)?)-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+)"
                       r"(?P<dirty>-dirty)?$")
_BARE = re.compile(r"^(?P<sha>[0-9a-f]{4,40})(?P<dirty>-dirty)?$")


def version_from_describe(described: str, base: str) -> str | None:
    """A PEP 440 version from `git describe --tags --long --dirty --always` output; `base` is used when
    there is no tag (only a commit hash). None when the text is not describe output."""
    described = described.strip()
    match = _DESCRIBE.match(described)
    if match:
        local = []
        if int(match["distance"]):
            local += [match["distance"], f"g{match['sha']}"]
        if match["dirty"]:
            local.append("dirty")
        return match["tag"] + ("+" + ".".join(local) if local else "")
    match = _BARE.match(described)
    if match:
        return f"{base}+g{match['sha']}" + (".dirty" if match["dirty"] else "")
    return None


def _package_version() -> str | None:
    try:
        return metadata.version("onegrid")
    except metadata.PackageNotFoundError:
        return None


def _git_describe(root: Path) -> str | None:
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), "describe", "--tags", "--long", "--dirty", "--always",
                               "--match", "v[0-9]*"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def read_version_file(folder: Path) -> str | None:
    try:
        text = (folder / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


@lru_cache(maxsize=1)
def app_version() -> str:
    """This build's version (computed once per process)."""
    root = bundle_root()
    if is_frozen():
        return read_version_file(root) or FALLBACK
    package = _package_version()
    described = _git_describe(root)
    if described:
        return version_from_describe(described, package or "0") or package or FALLBACK
    return package or FALLBACK
