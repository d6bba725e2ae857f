"""The audit trail as the console reads it: filters and pages."""
