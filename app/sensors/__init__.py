"""Sensors and alarms as the console sees them: readings for display, the sensor feed, the alarm source."""
