"""`python -m ui`: the same as `onegrid` (the operator console)."""
from ui.shell.main import main

raise SystemExit(main())
