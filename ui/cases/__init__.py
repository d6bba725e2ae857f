"""The case queue, case detail, action dialogs, the hotline form and the conflicts list."""
