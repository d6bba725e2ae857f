"""The headless client half of `onegrid-ctl`."""
