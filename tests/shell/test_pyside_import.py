"""PySide6's per-import check answered from the module file's bytes (`ui.shell.pyside_import`): the same
answers as shiboken's own check, without its source lines left in `linecache`."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_check_gives_shibokens_answers_without_keeping_source_lines(tmp_path):
    (tmp_path / "uses_qt.py").write_text("from PySide6 import QtCore  # a PySide6 module\n", encoding="utf-8")
    (tmp_path / "plain.py").write_text("VALUE = 1\n", encoding="utf-8")
    probe = textwrap.dedent(f"""
        import inspect, json, linecache, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from ui.shell import pyside_import
        pyside_import.install()  # as the console's main() does first
        feature = sys.modules["shibokensupport.feature"]
        import uses_qt, plain
        print(json.dumps({{
            "installed": getattr(feature._mod_uses_pyside, "reads_bytes", False),
            "marks": {{name: feature.pyside_feature_dict.get(name) for name in ("uses_qt", "plain")}},
            # read before the comparison below, whose inspect.getsource keeps the lines
            "lines_kept": [f for f in list(linecache.cache) if f.endswith(("uses_qt.py", "plain.py"))],
            "shiboken_would_say": {{m.__name__: "PySide6" in inspect.getsource(m) for m in (uses_qt, plain)}},
        }}))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120,
                         check=True).stdout
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["installed"] is True
    assert seen["marks"] == {"uses_qt": 0, "plain": -1}  # 0: may switch features; -1: ignored
    assert seen["shiboken_would_say"] == {"uses_qt": True, "plain": False}
    assert seen["lines_kept"] == []
