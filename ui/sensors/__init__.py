"""The sensor panel, its plots and the alarm list."""
