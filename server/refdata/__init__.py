"""Reference data as the server keeps it."""
