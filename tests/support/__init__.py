"""Code the tests share: fixtures (plugins of tests/conftest.py), stand-ins, servers and helpers."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
