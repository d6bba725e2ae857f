"""Webhooks: the signature a subscriber checks (Qt-free, server-free; the server signs with it)."""
