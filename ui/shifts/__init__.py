"""Shift handover: the dock, the shift timeline and the PDF."""
