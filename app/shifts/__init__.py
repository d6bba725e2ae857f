"""Shifts and the handover report as the console shows, prints and signs it."""
