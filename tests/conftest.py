"""Fixtures for the compiler tests (the fixtures themselves live in fleetfixture.py)."""

from fleetfixture import fleet, scan_cache_home, unchanged

__all__ = ["fleet", "scan_cache_home", "unchanged"]
