"""The tamper-evident audit chain, its queries and endpoints."""
