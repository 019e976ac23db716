"""Fixtures for the compiler tests (the fixtures themselves live in fleetfixture.py)."""

from fleetfixture import fleet, unchanged

__all__ = ["fleet", "unchanged"]
