"""`python -m server`: the same as `onegrid-server` (e.g. where console scripts are not on PATH)."""
from server.cli import main

raise SystemExit(main())
