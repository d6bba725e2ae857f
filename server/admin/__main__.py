"""`python -m server.admin`: the same as `onegrid-ctl`."""
from server.admin.ctl import script

raise SystemExit(script())
