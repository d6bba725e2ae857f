"""`onegrid-ctl`: database set-up, users, reference data, metrics."""
