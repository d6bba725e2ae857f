"""PySide6's per-import check made cheap.

Once PySide6 is imported, shiboken looks at every module imported after it to decide whether PySide6's
optional `__feature__` switches (snake_case, true_property) may apply to it: it reads the module's source
with `inspect.getsource` (tokenising it, and keeping every line in `linecache`) only to look for the text
"PySide6". For the ~700 modules the console imports after PySide6 that was about a tenth of a second of its
start, and ~30 MB of source lines held until the start-up load was done (`ui.shell.memory`). The same
question is answered here from the file's bytes; a module without a plain source file goes the original way.
The console switches on no `__feature__`, and the answers are the same as before either way. Installed by
the console's `main()` before it imports Qt (not at `import ui`: the demo's embedded server, also under
`ui`, never loads Qt).
"""
from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

_FEATURE_MODULE = "shibokensupport.feature"


def install() -> bool:
    """Replace shiboken's check (once per process). False when this PySide6 has no such check."""
    import PySide6  # noqa: F401 - loads shiboken's support modules, the check among them

    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        log.debug("no %s._mod_uses_pyside in this PySide6: nothing to replace", _FEATURE_MODULE)
        return False
    if getattr(original, "reads_bytes", False):
        return True

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside
    return True
