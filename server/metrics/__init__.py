"""Unit performance on the server: facts written with each command, reports and endpoints."""
