"""The console's frame: entry point, main window, ops, context, theme, i18n, status bar, notifier."""
