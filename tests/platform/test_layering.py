"""The layering contract (ui → app → db; app, db and server never import Qt) is checked by import-linter
as part of the test run, so a forbidden import fails CI with the offending import chain."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support import ROOT


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is not installed (pip install -e '.[test]')"
    config = ROOT / "pyproject.toml"
    contracts = tomllib.loads(config.read_text())["tool"]["importlinter"]["contracts"]
    proc = subprocess.run([exe, str(config)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in proc.stdout, proc.stdout
