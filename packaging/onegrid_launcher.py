"""The bundle's entry script (PyInstaller needs a script, not a console_scripts entry point)."""
import sys

from ui.shell.main import main

if __name__ == "__main__":
    sys.exit(main())
