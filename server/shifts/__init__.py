"""Shifts, the schedule, handover reports and their commands and endpoints."""
